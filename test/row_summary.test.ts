// The row statistics taken in the pass that reads a file (lib/row_summary.ts, native/core/
// row_summary.hpp): each probe's bounds, each row's mean over all probes (in the documented
// fixed order, on every instruction set) and per group, and the first unusable loss; and the
// command line's baselines from that pass equal the ones a second read of the file gives.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectLosses } from '../lib/auto_settings.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { rememberedRowMeans } from '../lib/io/file_row_means.js';
import { compareFileIndicators, readGroupMeanLosses } from '../lib/io/file_summary.js';
import { instructionSet } from '../lib/isa.js';
import { RowSummary, rowGroups } from '../lib/row_summary.js';
import { compareIndicators, groupMeanLosses } from '../lib/stats/baselines.js';
import { expectRel } from './helpers.js';
import { prng, tempDir, writeNpy } from './io_fixtures.js';

/** The documented order, written out: eight partial sums over c = l (mod 8), combined pairwise. */
function fixedOrderSum(v: ArrayLike<number>): number {
  const s = new Array<number>(8).fill(0);
  for (let c = 0; c < v.length; c++) s[c % 8] += v[c]!;
  return s[0]! + s[1]! + (s[2]! + s[3]!) + (s[4]! + s[5]! + (s[6]! + s[7]!));
}

function matrix(T: number, n: number, seed: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  const next = prng(seed);
  const data = new Ctor(T * n);
  // Values over many decades and both signs, so the order of the sum shows in the last bits.
  for (let i = 0; i < data.length; i++) data[i] = (next() - 0.3) * 10 ** Math.floor(next() * 6 - 3);
  return data;
}

describe('RowSummary', () => {
  const levels = instructionSet().supported;
  for (const [T, n] of [[7, 1], [9, 7], [11, 8], [13, 37], [5, 1029]] as const) {
    for (const Ctor of [Float32Array, Float64Array]) {
      it(`${T} x ${n} ${Ctor.name}: means in the fixed order and bounds, identical on ${levels.join(', ')}`, () => {
        const data = matrix(T, n, T * n, Ctor);
        for (const isa of levels) {
          const s = new RowSummary(n, { transform: 'none', bounds: true, means: true, isa });
          // In two pieces, as a reader delivers them.
          expect(s.addSync(data, 0, 3)).toBe(-1);
          expect(s.addSync(data, 3, T - 3)).toBe(-1);
          const { all } = s.rowMeans();
          for (let r = 0; r < T; r++) {
            const row = Array.from(data.subarray(r * n, (r + 1) * n));
            expect(all[r], `${isa} row ${r}`).toBe(fixedOrderSum(row) / n);
            expectRel(all[r]!, row.reduce((a, b) => a + b, 0) / n, 1e-9, Math.max(...row.map(Math.abs)));
          }
          for (let c = 0; c < n; c++) {
            const col = Array.from({ length: T }, (_, r) => data[r * n + c]!);
            expect(s.bounds!.lo[c]).toBe(Math.min(...col));
            expect(s.bounds!.hi[c]).toBe(Math.max(...col));
            expect(s.bounds!.notPositive[c]).toBe(col.every((v) => v > 0) ? 0 : 1);
          }
        }
      });
    }
  }

  it('the first unusable loss: non-finite under none, also <= 0 under log; NaN leaves the bounds alone', () => {
    const n = 21;
    const data = new Float64Array(6 * n).fill(2);
    data[2 * n + 19] = -1;
    data[4 * n + 3] = NaN;
    data[5 * n + 20] = Infinity;
    for (const isa of levels) {
      const none = new RowSummary(n, { transform: 'none', bounds: true, means: true, isa });
      expect(none.addSync(data, 0, 6)).toBe(4 * n + 3);
      expect(none.bounds!.lo[3]).toBe(2);
      expect(none.bounds!.notPositive[3]).toBe(1);
      expect(none.bounds!.notPositive[19]).toBe(1);
      expect(none.bounds!.hi[20]).toBe(Infinity);
      const means = none.rowMeans().all;
      expect(means[2]).toBe(fixedOrderSum(data.subarray(2 * n, 3 * n)) / n);
      expect(means[4]).toBeNaN();
      expect(means[5]).toBe(Infinity);
      const log = new RowSummary(n, { transform: 'log', means: true, isa });
      expect(log.addSync(data, 0, 6)).toBe(2 * n + 19);
      // Under log the means are of log losses, NaN where a loss is <= 0.
      expect(log.rowMeans().all[0]).toBe(fixedOrderSum(new Float64Array(n).fill(Math.log(2))) / n);
      expect(log.rowMeans().all[2]).toBeNaN();
    }
  });

  it('group means are summed left to right per group; the async pass equals the sync one', async () => {
    const T = 40, n = 50;
    const data = matrix(T, n, 3, Float64Array).map(Math.abs);
    const index = Int32Array.from({ length: n }, (_, c) => (c * 7) % 3);
    const sync = new RowSummary(n, { transform: 'log', means: true, groups: rowGroups(index, 3) });
    sync.addSync(data, 0, T);
    const async_ = new RowSummary(n, { transform: 'log', means: true, groups: rowGroups(index, 3), expectedRows: 2 });
    for (let r = 0; r < T; r += 16) await async_.add(data, r, Math.min(16, T - r));
    expect(async_.rowMeans()).toEqual(sync.rowMeans());
    const { groups } = sync.rowMeans();
    for (let r = 0; r < T; r++) {
      for (let g = 0; g < 3; g++) {
        let s = 0;
        let k = 0;
        for (let c = 0; c < n; c++) {
          if (index[c] !== g) continue;
          s += Math.log(data[r * n + c]!);
          k++;
        }
        expectRel(groups[r * 3 + g]!, s / k, 1e-15, 0, `row ${r} group ${g}`);
      }
    }
  });

  it('inspectLosses and groupMeanLosses see strided (Fortran-order) losses as the row-major ones', () => {
    const T = 30, n = 12;
    const data = matrix(T, n, 9, Float64Array).map((v) => Math.abs(v) + 1e-3);
    const fortran = new Float64Array(T * n);
    for (let r = 0; r < T; r++) for (let c = 0; c < n; c++) fortran[c * T + r] = data[r * n + c]!;
    const groups = Array.from({ length: n }, (_, c) => (c % 2 ? 'odd' : 'even'));
    const a = groupMeanLosses({ data, shape: [T, n] }, groups, 'log');
    const b = groupMeanLosses({ data: fortran, shape: [T, n], order: 'F' }, groups, 'log');
    expect(b).toEqual(a);
    expect(inspectLosses({ data: fortran, shape: [T, n], order: 'F' }).decades).toEqual(inspectLosses({ data, shape: [T, n] }).decades);
  });
});

describe('the baselines from the analysing pass', () => {
  it('equal a second read of the file and the in-memory comparison, value for value', async () => {
    const dir = tempDir();
    const T = 300, n = 40;
    const next = prng(4);
    const data = Float32Array.from({ length: T * n }, (_, i) => 2 + 0.01 * next() + (i / n > 180 ? 0.05 * Math.sin(i) : 0));
    const file = writeNpy(join(dir, 'losses.npy'), Float64Array.from(data), T, n, { dtype: 'float32' });
    const fa = await analyzeFile(file, { window: 20 });
    const taken = rememberedRowMeans(fa);
    expect(taken?.rows).toBe(T);
    const reread = await readGroupMeanLosses(file, {});
    expect(taken!.rowMeans().all).toEqual(reread.all);
    const fromPass = await compareFileIndicators(fa);
    const inMemory = compareIndicators({ data, shape: [T, n] }, fa.analysis, {});
    expect(fromPass!.firstWarningStep).toEqual(inMemory.firstWarningStep);
    expect(fromPass!.scalars.meanLoss).toEqual(inMemory.scalars.meanLoss);
    expect(fromPass!.scalars.variance).toEqual(inMemory.scalars.variance);
    // Non-overlapping windows skip rows: the baselines then read the file again.
    const packed = await analyzeFile(file, { window: 20, stride: 30 });
    expect(rememberedRowMeans(packed)).toBeUndefined();
    expect((await compareFileIndicators(packed))!.scalars.meanLoss).toEqual(compareIndicators({ data, shape: [T, n] }, packed.analysis, {}).scalars.meanLoss);
  });
});
