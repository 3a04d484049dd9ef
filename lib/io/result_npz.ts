// Results as .npz for numpy users: one array per observable (t int32, each observable of
// lib/observables.ts float64, eigenvalues [windows, eigenCount] float64, eigenvectors [windows, topK, n] float32,
// degenerate uint8, step float64), and the options / input / summary as 0-d JSON strings
// (np.load(f)['options'].item()).
import { OBSERVABLES } from '../observables.js';
import { writeFileAtomic } from './atomic_write.js';
import type { NpyInput } from './npy.js';
import { encodeNpz } from './npz.js';
import { rdm2Version } from './producer.js';
import type { ResultSource } from './result_json.js';

/** The .npz bytes of a result (stored uncompressed, like np.savez). */
export function resultNpz(r: ResultSource): Uint8Array {
  const a = r.analysis;
  const arrays: Record<string, NpyInput> = {
    t: { values: a.t, shape: [a.windows] },
    ...Object.fromEntries(OBSERVABLES.map((o) => [o.name, { values: a[o.name], shape: [a.windows] }])),
    eigenvalues: { values: a.eigenvalues, shape: [a.windows, a.eigenCount] },
    degenerate: { values: a.degenerate, shape: [a.windows] },
    options: { values: [JSON.stringify(a.options)], shape: [] },
    rdm2: { values: [JSON.stringify({ version: rdm2Version(), kind: 'analysis' })], shape: [] },
  };
  if (a.eigenvectors) arrays.eigenvectors = { values: a.eigenvectors, shape: [a.windows, a.options.topK, a.probes] };
  if (r.windowSteps) arrays.step = { values: r.windowSteps, shape: [a.windows] };
  if (r.input) arrays.input = { values: [JSON.stringify(r.input)], shape: [] };
  if (r.meta?.groups) arrays.groups = { values: r.meta.groups, shape: [r.meta.groups.length] };
  if (r.meta?.transition !== undefined) arrays.transition = { values: Float64Array.of(r.meta.transition), shape: [] };
  if (r.summary !== undefined) arrays.summary = { values: [JSON.stringify(r.summary)], shape: [] };
  return encodeNpz(arrays);
}

/** Writes the .npz result atomically. */
export async function writeResultNpz(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, resultNpz(r));
}
