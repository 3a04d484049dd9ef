// Shared pieces of the watch tests: a run with a transition (so warnings fire), a producer that
// appends it at intervals, and the comparison of a watch's result with `analyzeFile`'s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FileAnalysis } from '../lib/io/analyze_file.js';
import { RowStreamWriter } from '../lib/io/row_stream_writer.js';
import type { RunSummary } from '../lib/stats/index.js';
import { expectRel } from './helpers.js';
import { prng } from './io_fixtures.js';

/** Probes per row, and their groups: B carries the transition. */
export const PROBES = 24;
export const GROUPS = Array.from({ length: PROBES }, (_, i) => (i < 8 ? 'A' : i < 16 ? 'B' : 'C'));

/** Losses of a run of T checkpoints whose group B drops around checkpoint `at`. */
export function transitionRun(T: number, seed = 1, at = Math.floor(0.6 * T)): Float64Array {
  const r = prng(seed);
  const out = new Float64Array(T * PROBES);
  for (let t = 0; t < T; t++) {
    const a = 1 / (1 + Math.exp(-(t - at) / 8));
    for (let i = 0; i < PROBES; i++) out[t * PROBES + i] = 2 + 0.1 * (i % 5) - (GROUPS[i] === 'B' ? a : 0) + 0.01 * (r() - 0.5);
  }
  return out;
}

/** The step of checkpoint t. */
export const stepOf = (t: number) => 10 * t + 5;

/** Writes the groups sidecar of a stream file (`<name>.meta.json`, as the recorder does). */
export function writeGroupsSidecar(stream: string): void {
  writeFileSync(stream.replace(/\.(rows|jsonl)$/, '.meta.json'), JSON.stringify({ groups: GROUPS }));
}

/**
 * Appends rows [from, to) of `data` to `path` through the writer, pausing `delayMs` after each;
 * closes with the end marker when `finish`.
 */
export async function produce(path: string, data: Float64Array, opts: { from?: number; to: number; delayMs?: number; finish?: boolean; dtype?: 'float32' | 'float64'; writer?: RowStreamWriter }): Promise<RowStreamWriter> {
  const w = opts.writer ?? (await RowStreamWriter.create(path, { probes: PROBES, dtype: opts.dtype ?? 'float64' }));
  for (let t = opts.from ?? 0; t < opts.to; t++) {
    await w.append(stepOf(t), data.subarray(t * PROBES, (t + 1) * PROBES));
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
  }
  if (opts.finish ?? true) await w.close();
  return w;
}

/**
 * A watch's result against the analysis of the finished file: every per-window scalar and
 * eigenvalue to 1e-12 (relative), eigenvectors to one float32 rounding, the same steps, checkpoints,
 * options and run summary (warnings included, z to 1e-12).
 */
export function expectSameResult(got: FileAnalysis & { summary: RunSummary }, want: FileAnalysis & { summary: RunSummary }): void {
  const a = got.analysis;
  const b = want.analysis;
  expect(a.windows).toBe(b.windows);
  expect(a.rows).toBe(b.rows);
  expect(a.probes).toBe(b.probes);
  expect(Array.from(a.t)).toEqual(Array.from(b.t));
  expect(a.degenerate).toEqual(b.degenerate);
  const { threads: _a, ...oa } = a.options;
  const { threads: _b, ...ob } = b.options;
  expect(oa).toEqual(ob);
  for (const key of ['trace', 'pr', 'entropy', 'shc', 'topShare'] as const) {
    for (let j = 0; j < b.windows; j++) expectRel(a[key][j]!, b[key][j]!, 1e-12, 0, `${key}[${j}]`);
  }
  const m = b.eigenCount;
  for (let j = 0; j < b.windows; j++) {
    for (let k = 0; k < m; k++) expectRel(a.eigenvalues[j * m + k]!, b.eigenvalues[j * m + k]!, 1e-12, b.eigenvalues[j * m]!, `eigenvalue ${k} of window ${j}`);
  }
  if (b.eigenvectors) {
    let worst = 0;
    for (let i = 0; i < b.eigenvectors.length; i++) worst = Math.max(worst, Math.abs(a.eigenvectors![i]! - b.eigenvectors[i]!));
    expect(worst).toBeLessThanOrEqual(2 ** -23);
  }
  expect(Array.from(got.windowSteps ?? [])).toEqual(Array.from(want.windowSteps ?? []));
  expect(got.meta.groups).toEqual(want.meta.groups);
  expect(Array.from(got.meta.steps ?? [])).toEqual(Array.from(want.meta.steps ?? []));
  expect(got.input).toEqual({ ...want.input });
  const s = got.summary;
  const t = want.summary;
  expect(s.warningCount).toBe(t.warningCount);
  expect(s.firstWarning === null).toBe(t.firstWarning === null);
  if (s.firstWarning && t.firstWarning) {
    const { z: za, value: va, ...ra } = s.firstWarning;
    const { z: zb, value: vb, ...rb } = t.firstWarning;
    expect(ra).toEqual(rb);
    expectRel(za, zb, 1e-12, 0, 'first warning z');
    expectRel(va, vb, 1e-12, 0, 'first warning SHC');
  }
  expect(s.shcPeak?.window).toBe(t.shcPeak?.window);
  expect(s.prMin?.window).toBe(t.prMin?.window);
  for (const [g, e] of Object.entries(t.blockEnergy ?? {})) expectRel(s.blockEnergy![g]!, e, 1e-5, 1, `block energy ${g}`);
}

/** `join` for test files. */
export const at = join;
