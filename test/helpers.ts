// Shared assertions for numeric comparisons in tests.
import { expect } from 'vitest';

/** |a - b| <= tol * max(|a|, |b|, floor). */
export function expectRel(actual: number, expected: number, tol: number, floor = 0, label = '') {
  const scale = Math.max(Math.abs(actual), Math.abs(expected), floor);
  const ok = Math.abs(actual - expected) <= tol * scale || (Number.isNaN(actual) && Number.isNaN(expected));
  if (!ok) expect.fail(`${label} expected ${expected}, got ${actual} (rel err ${Math.abs(actual - expected) / scale} > ${tol})`);
}

export function randomMatrix(T: number, n: number, next: () => number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
  const data = new Ctor(T * n);
  for (let i = 0; i < data.length; i++) data[i] = next();
  return data;
}
