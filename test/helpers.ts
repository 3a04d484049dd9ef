// Shared assertions for numeric comparisons in tests.
import { expect } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';

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

/** Asserts that `fn` throws an Rdm2Error with this code and a message matching `message`. */
export function expectError(fn: () => unknown, code: string, message: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Rdm2Error);
  expect((caught as Rdm2Error).code).toBe(code);
  expect((caught as Rdm2Error).message).toMatch(message);
}

/** Asserts that `p` rejects with an Rdm2Error with this code and a message matching `message`. */
export async function expectReject(p: Promise<unknown>, code: string, message: RegExp) {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Rdm2Error);
  expect((caught as Rdm2Error).code).toBe(code);
  expect((caught as Rdm2Error).message).toMatch(message);
}

/** Like {@link expectError} for a function that may throw or return a rejecting promise. */
export async function expectErrorAsync(fn: () => unknown, code: string, message: RegExp) {
  await expectReject(Promise.resolve().then(fn), code, message);
}
