// The run the watch tests follow (a transition in group B, so warnings fire) and a producer that
// appends it at intervals. No vitest imports: child processes run this too (watch_js_producer.ts).
import { writeFileSync } from 'node:fs';
import { RowStreamWriter } from '../lib/io/row_stream_writer.js';
import { rng } from '../bench/reference/naive.js';

/** Probes per row, and their groups: B carries the transition. */
export const PROBES = 24;
export const GROUPS = Array.from({ length: PROBES }, (_, i) => (i < 8 ? 'A' : i < 16 ? 'B' : 'C'));

/** Losses of a run of T checkpoints whose group B drops around checkpoint `at`. */
export function transitionRun(T: number, seed = 1, at = Math.floor(0.6 * T)): Float64Array {
  const r = rng(seed).uniform;
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

