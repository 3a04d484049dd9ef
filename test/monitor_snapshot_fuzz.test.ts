// Monitor snapshots are untrusted input (issue 13, item 2). A snapshot whose header or arrays
// were changed and whose CRC was recomputed must either be refused with ERR_RDM2_SNAPSHOT or
// restore a state the monitor could have reached; never a crash, never a ring index out of
// range. Seeded: the same cases every run.
import { describe, expect, it } from 'vitest';
import { Rdm2Error, SpectralMonitor } from '../lib/index.js';
import { decodeSnapshot, encodeSnapshot } from '../lib/monitor_snapshot.js';
import type { NativeMonitorState } from '../lib/native.js';
import { rng } from '../bench/reference/naive.js';

type Header = Record<string, unknown> & { options: Record<string, unknown>; detector: Record<string, unknown> | null };

const n = 7, W = 5;
const r = rng(77);
const rows = Array.from({ length: 40 }, () => Float64Array.from({ length: n }, () => 2 + r.normal()));
const opts = { probes: n, window: W, topK: 1, detrend: 'linear' as const, warn: { baseline: 4, z: 1, consecutive: 1 } };

function snapshotAfter(k: number): Uint8Array {
  const m = new SpectralMonitor(opts);
  rows.slice(0, k).forEach((row, t) => m.push(row, t === 3 ? undefined : t));
  return m.snapshot();
}

function split(bytes: Uint8Array): { header: Header; state: NativeMonitorState } {
  return decodeSnapshot<Header>(bytes, (h) => ({ window: h.options.window as number, probes: h.options.probes as number, dual: (h.options.window as number) <= (h.options.probes as number) }));
}

/** Restores, then pushes the remaining rows: returns 'refused' or the summaries' SHC. */
function outcome(bytes: Uint8Array, from: number): 'refused' | number[] {
  let m: SpectralMonitor;
  try {
    m = SpectralMonitor.restore(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_SNAPSHOT');
    return 'refused';
  }
  return rows.slice(from).map((row) => m.push(row)?.shc ?? NaN);
}

const VALUES: unknown[] = [1e300, -1e300, -1, 0, 1, 2, 3, 0.5, 2 ** 53, 2 ** 53 + 2, 2 ** 31, -(2 ** 31), 'x', '3', {}, [], [3], true, false, null];

describe('monitor snapshots with changed fields and a recomputed CRC', () => {
  it('the issue\'s repro: count 1e300 is refused', () => {
    const { header, state } = split(snapshotAfter(23));
    expect(outcome(encodeSnapshot({ ...header, count: 1e300 } as never, state), 23)).toBe('refused');
  });

  it('every header field, set to hostile values: refused, or the exact state it was', () => {
    for (const at of [0, 3, 5, 23]) {
      const bytes = snapshotAfter(at);
      const { header, state } = split(bytes);
      const straight = outcome(bytes, at);
      expect(straight).not.toBe('refused');
      const fields: string[][] = [['count'], ['sinceRebuild'], ['hasReference'], ['scaleExp'], ['scaleChosen'], ['level'], ['rows'], ['windows'], ['detector'], ['options'], ['options', 'window'], ['options', 'probes'], ['options', 'topK'], ['options', 'beta'], ['options', 'warn']];
      if (header.detector) fields.push(['detector', 'count'], ['detector', 'baseline']);
      let accepted = 0, refused = 0;
      for (const path of fields) {
        const values = [...VALUES];
        // Near misses of the real value: one off, doubled.
        let real: unknown = header;
        for (const k of path) real = (real as Record<string, unknown>)?.[k];
        if (typeof real === 'number') values.push(real + 1, real - 1, 2 * real + 1);
        for (const v of values) {
          const h = structuredClone(header) as Header;
          let o = h as Record<string, unknown>;
          for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
          if (o === null || typeof o !== 'object') continue;
          o[path[path.length - 1]!] = v;
          const result = outcome(encodeSnapshot(h as never, state), at);
          if (result === 'refused') refused++;
          else {
            accepted++;
            // Accepted: only a value the monitor really had (or an option that changes no state).
            // A higher level is reachable (a past outlier): it only makes the next window rebuild
            // its Gram; another count since the last reference move only moves it at another push.
            const label = `${path.join('.')} = ${JSON.stringify(v)}`;
            if (path[0] === 'level' || path[0] === 'sinceRebuild') (result as number[]).forEach((x, i) => expect(Math.abs(x - (straight as number[])[i]!) <= 1e-9 * Math.abs(x) || (Number.isNaN(x) && Number.isNaN((straight as number[])[i]!)), label).toBe(true));
            else if (path[0] !== 'options' || ['window', 'probes', 'topK'].includes(path[1]!)) expect(result, label).toEqual(straight);
          }
        }
      }
      expect(refused).toBeGreaterThan(100);
      expect(accepted).toBeGreaterThan(0);
    }
  });

  it('changed array values: refused, or a state that pushes on without a crash', () => {
    const bytes = snapshotAfter(23);
    const { header, state } = split(bytes);
    const pick = rng(9);
    let refused = 0;
    for (let trial = 0; trial < 150; trial++) {
      const s = structuredClone(state);
      const names = ['rows', 'gram', 'reference', 'positions', 'bad'] as const;
      const name = names[trial % names.length]!;
      const a = s[name];
      const i = Math.floor(pick.uniform() * a.length);
      const choices = [NaN, Infinity, 1e300, -a[i]! - 1, a[i]! * (1 + 1e-3), a[i]! + 1, 2, 255];
      a[i] = choices[Math.floor(pick.uniform() * choices.length)]!;
      const result = outcome(encodeSnapshot(header as never, s), 23);
      if (result === 'refused') refused++;
    }
    // Rows, the reference and the Gram must agree, so nearly every change is caught.
    expect(refused).toBeGreaterThan(120);
  });
});
