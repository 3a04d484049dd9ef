import { describe, expect, it } from 'vitest';
import { analyze, analyzeSync, gram2rdm } from '../lib/index.js';
import { expectError } from './helpers.js';

const good = { data: new Float64Array(20 * 4).map((_, i) => Math.sin(i * 1.3) + i * 0.01), shape: [20, 4] as [number, number] };

describe('analyze rejects bad input with a message and a stable code', () => {
  it('wrong length for the shape', () => {
    expectError(() => analyzeSync({ data: new Float64Array(10), shape: [3, 4] }, { window: 2 }), 'ERR_RDM2_SHAPE', /has 10 values but shape \[3, 4\] needs 12/);
  });
  it('malformed shape', () => {
    expectError(() => analyzeSync({ data: new Float64Array(12), shape: [12] as unknown as [number, number] }, { window: 2 }), 'ERR_RDM2_SHAPE', /shape must be \[T, n\]/);
    expectError(() => analyzeSync({ data: new Float64Array(0), shape: [0, 4] }, { window: 2 }), 'ERR_RDM2_SHAPE', /positive integers/);
  });
  it('ragged or empty nested arrays', () => {
    expectError(() => analyzeSync([[1, 2], [3]], { window: 2 }), 'ERR_RDM2_SHAPE', /losses\[1\] has 1 values, expected 2/);
    expectError(() => analyzeSync([], { window: 2 }), 'ERR_RDM2_SHAPE', /no rows/);
    expectError(() => analyzeSync([[1, 'x' as unknown as number]], { window: 2 }), 'ERR_RDM2_DTYPE', /losses\[0\]\[1\] is string/);
  });
  it('unsupported array types', () => {
    expectError(() => analyzeSync({ data: new Int32Array(8) as unknown as Float64Array, shape: [2, 4] }, { window: 2 }), 'ERR_RDM2_DTYPE', /Float32Array or Float64Array, got Int32Array/);
    expectError(() => analyzeSync('losses' as unknown as number[][], { window: 2 }), 'ERR_RDM2_DTYPE', /must be/);
  });
  it('W < 2, W > T, stride < 1, topK > rank, beta <= 0, bad enums, unknown options', () => {
    expectError(() => analyzeSync(good, { window: 1 }), 'ERR_RDM2_OPTION', /window must be an integer >= 2, got 1/);
    expectError(() => analyzeSync(good, { window: 21 }), 'ERR_RDM2_OPTION', /window \(21\) is longer than the number of checkpoints T = 20/);
    expectError(() => analyzeSync(good, { window: 2.5 }), 'ERR_RDM2_OPTION', /window must be an integer/);
    expectError(() => analyzeSync(good, {} as { window: number }), 'ERR_RDM2_OPTION', /window is required/);
    expectError(() => analyzeSync(good, { window: 5, stride: 0 }), 'ERR_RDM2_OPTION', /stride must be an integer >= 1, got 0/);
    expectError(() => analyzeSync(good, { window: 5, topK: 5 }), 'ERR_RDM2_OPTION', /topK \(5\) exceeds the largest possible rank min\(W-1, n\) = 4/);
    expectError(() => analyzeSync(good, { window: 3, topK: 3 }), 'ERR_RDM2_OPTION', /= 2/);
    expectError(() => analyzeSync(good, { window: 5, beta: 0 }), 'ERR_RDM2_OPTION', /beta must be a finite number > 0/);
    expectError(() => analyzeSync(good, { window: 5, detrend: 'quadratic' as 'linear' }), 'ERR_RDM2_OPTION', /detrend must be one of 'none', 'linear'/);
    expectError(() => analyzeSync(good, { window: 5, transform: 'sqrt' as 'log' }), 'ERR_RDM2_OPTION', /transform must be one of/);
    expectError(() => analyzeSync(good, { window: 5, threads: 0 }), 'ERR_RDM2_OPTION', /threads must be an integer in \[1, 1024\], got 0/);
    expectError(() => analyzeSync(good, { window: 5, windo: 3 } as unknown as { window: number }), 'ERR_RDM2_OPTION', /unknown option 'windo'/);
  });
  it('NaN or Inf names the first row and column; skip-window marks the windows instead', () => {
    const data = Float64Array.from(good.data);
    data[7 * 4 + 2] = NaN;
    data[9 * 4 + 1] = Infinity;
    expectError(() => analyzeSync({ data, shape: [20, 4] }, { window: 5 }), 'ERR_RDM2_NON_FINITE', /row 7, column 2: NaN is not finite/);
    const a = analyzeSync({ data, shape: [20, 4] }, { window: 5, nonFinite: 'skip-window' });
    // Windows j cover rows j..j+4; those containing row 7 or 9 are j = 3..9.
    expect(Array.from(a.degenerate)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Number.isNaN(a.shc[3])).toBe(true);
    const clean = analyzeSync({ data: good.data.slice(10 * 4), shape: [10, 4] }, { window: 5 });
    // Windows after the bad rows agree with the same rows analysed alone.
    for (let j = 0; j < 6; j++) expect(Math.abs(a.shc[10 + j] - clean.shc[j])).toBeLessThan(1e-12 * clean.shc[j]);
    expect(Array.from(a.eigenvalues.subarray(3 * 4, 4 * 4)).every(Number.isNaN)).toBe(true);
  });
  it('the first unusable loss in row order is named whatever the thread count and wherever it lies', () => {
    // Rows inside windows are checked as the engines read them, block by block; rows in no
    // window (the tail, gaps between windows longer than the stride) are scanned first.
    const T = 700, n = 24;
    const base = Float64Array.from({ length: T * n }, (_, i) => Math.sin(i * 0.37) + 0.001 * i);
    const data = Float64Array.from(base);
    data[650 * n + 3] = NaN;
    data[100 * n + 5] = Infinity;
    for (const threads of [1, 2, 8])
      expectError(() => analyzeSync({ data, shape: [T, n] }, { window: 8, threads }), 'ERR_RDM2_NON_FINITE', /row 100, column 5: Infinity is not finite/);
    // Stride 10, W 4: rows 4..9 of every 10 are in no window, and so are rows 694..699.
    const gaps = Float64Array.from(base);
    gaps[697 * n] = NaN;
    gaps[15 * n + 2] = NaN;
    expectError(() => analyzeSync({ data: gaps, shape: [T, n] }, { window: 4, stride: 10, threads: 2 }), 'ERR_RDM2_NON_FINITE', /row 15, column 2/);
    gaps[12 * n + 1] = -Infinity;
    expectError(() => analyzeSync({ data: gaps, shape: [T, n] }, { window: 4, stride: 10, threads: 2 }), 'ERR_RDM2_NON_FINITE', /row 12, column 1/);
    // skip-window: rows in no window change nothing; a bad row inside one marks its window.
    gaps[12 * n + 1] = base[12 * n + 1];
    const skipped = analyzeSync({ data: gaps, shape: [T, n] }, { window: 4, stride: 10, nonFinite: 'skip-window', threads: 2 });
    const clean = analyzeSync({ data: base, shape: [T, n] }, { window: 4, stride: 10, threads: 2 });
    expect(Array.from(skipped.shc)).toEqual(Array.from(clean.shc));
    expect(Array.from(skipped.degenerate).every((d) => d === 0)).toBe(true);
    const inside = Float32Array.from(base);
    inside[333 * n + 7] = NaN;
    const marked = analyzeSync({ data: inside, shape: [T, n] }, { window: 8, nonFinite: 'skip-window', threads: 2 });
    const expected = Array.from({ length: T - 7 }, (_, j) => (j <= 333 && 333 <= j + 7 ? 1 : 0));
    expect(Array.from(marked.degenerate)).toEqual(expected);
  });
  it('the log transform needs positive losses', () => {
    const data = Float64Array.from(good.data, (x) => Math.abs(x) + 1);
    data[5 * 4 + 3] = 0;
    expectError(() => analyzeSync({ data, shape: [20, 4] }, { window: 5, transform: 'log' }), 'ERR_RDM2_NON_FINITE', /row 5, column 3: 0 is not > 0, which the log transform needs/);
  });
  it('the async API rejects the same way', async () => {
    await expect(analyze(good, { window: 1 })).rejects.toMatchObject({ code: 'ERR_RDM2_OPTION' });
    // The NaN scan runs in the native worker; its rejection still names the row and column.
    const data = Float32Array.from(good.data);
    data[11 * 4 + 1] = -Infinity;
    await expect(analyze({ data, shape: [20, 4] }, { window: 5 })).rejects.toMatchObject({
      code: 'ERR_RDM2_NON_FINITE',
      message: expect.stringMatching(/^losses at row 11, column 1: -Infinity is not finite/),
    });
    await expect(gram2rdm({ data: new Float64Array(4), shape: [1, 4] })).rejects.toMatchObject({ code: 'ERR_RDM2_SHAPE', message: expect.stringMatching(/K = 2/) });
  });
});
