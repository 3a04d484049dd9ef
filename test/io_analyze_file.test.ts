// analyzeFile: every format and layout gives the analysis of the in-memory matrix exactly;
// chunked streaming is bit-identical to the whole-matrix analysis; non-finite values are reported
// at their position in the file.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeSync } from '../lib/analyze.js';
import { scalarIndicators } from '../lib/stats/baselines.js';
import { Rdm2Error } from '../lib/errors.js';
import { gram2rdmSync } from '../lib/gaussian.js';
import { analyzeFile, analyzeRows, MAX_CHUNK_BYTES } from '../lib/io/analyze_file.js';
import type { RowSource } from '../lib/io/row_source.js';
import { defaultBlockWindows } from '../lib/analyze.js';
import { native } from '../lib/native.js';
import { encodeNpy } from '../lib/io/npy.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { toLossMatrix } from '../lib/io/loss_array.js';
import type { AnalyzeOptions } from '../lib/types.js';
import { lossMatrix, tempDir, toFortran, writeCsv, writeJsonl, writeNpy, writeNpz, writeText } from './io_fixtures.js';

const T = 60;
const n = 20;
const data = lossMatrix(T, n, 7);
const steps = Float64Array.from({ length: T }, (_, t) => 1000 + 50 * t);
const OPTS: AnalyzeOptions = { window: 12, stride: 2, topK: 2, detrend: 'linear', threads: 2 };

async function error(f: () => Promise<unknown>, code: string): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe(code);
    return (e as Rdm2Error).message;
  }
  throw new Error('expected an error');
}

describe('round trips: one matrix in every format and layout', () => {
  const dir = tempDir();
  const f64 = analyzeSync({ data, shape: [T, n] }, OPTS);
  const f32 = analyzeSync({ data: Float32Array.from(data), shape: [T, n] }, OPTS);
  const files: [string, 'float32' | 'float64', string][] = [
    [writeNpy(join(dir, 'c.npy'), data, T, n), 'float64', 'npy'],
    [writeNpy(join(dir, 'f.npy'), data, T, n, { fortran: true }), 'float64', 'npy'],
    [writeNpy(join(dir, 'be.npy'), data, T, n, { bigEndian: true }), 'float64', 'npy'],
    [writeNpy(join(dir, 'fbe.npy'), data, T, n, { fortran: true, bigEndian: true }), 'float64', 'npy'],
    [writeNpy(join(dir, 'c32.npy'), data, T, n, { dtype: 'float32' }), 'float32', 'npy'],
    [writeNpy(join(dir, 'f32be.npy'), data, T, n, { dtype: 'float32', fortran: true, bigEndian: true }), 'float32', 'npy'],
    [writeNpz(join(dir, 'stored.npz'), data, T, n), 'float64', 'npz'],
    [writeNpz(join(dir, 'deflated.npz'), data, T, n, { compress: true }), 'float64', 'npz'],
    [writeCsv(join(dir, 'plain.csv'), data, T, n), 'float64', 'csv'],
    [writeCsv(join(dir, 'pandas.csv'), data, T, n, { header: true, index: true, steps, crlf: true }), 'float64', 'csv'],
    [writeCsv(join(dir, 'tabs.tsv'), data, T, n, { header: true, delimiter: '\t' }), 'float64', 'tsv'],
    [writeJsonl(join(dir, 'arrays.jsonl'), data, T, n), 'float64', 'jsonl'],
    [writeJsonl(join(dir, 'objects.jsonl'), data, T, n, { steps }), 'float64', 'jsonl'],
  ];

  for (const [path, dtype, format] of files) {
    it(`${path.slice(dir.length + 1)}`, async () => {
      const fa = await analyzeFile(path, OPTS);
      expect(fa.analysis).toEqual(dtype === 'float32' ? f32 : f64);
      expect(fa.input).toEqual({
        path,
        format,
        sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
        bytes: readFileSync(path).length,
        shape: [T, n],
        dtype,
        variant: 'sliding',
      });
      // The in-memory reader agrees with the stream.
      const whole = await readLossFile(path);
      expect(analyzeSync(toLossMatrix(whole.losses), OPTS)).toEqual(fa.analysis);
    });
  }

  it('steps from a CSV column or JSONL field give each window its step', async () => {
    const fa = await analyzeFile(join(dir, 'objects.jsonl'), OPTS);
    expect(Array.from(fa.windowSteps!)).toEqual(Array.from(f64.t, (t) => steps[t]));
    expect(fa.metaSources.steps).toBe(join(dir, 'objects.jsonl'));
    expect((await analyzeFile(join(dir, 'pandas.csv'), OPTS)).probeNames).toEqual(Array.from({ length: n }, (_, i) => `p${i}`));
    expect((await analyzeFile(join(dir, 'c.npy'), OPTS)).windowSteps).toBeUndefined();
  });
});

describe('chunked streaming is bit-identical to the whole-matrix analysis', () => {
  const TT = 400;
  const nn = 8;
  const big = lossMatrix(TT, nn, 3);
  const dir = tempDir();
  const npy = writeNpy(join(dir, 'big.npy'), big, TT, nn);
  const fortran = writeNpy(join(dir, 'bigf.npy'), big, TT, nn, { fortran: true, dtype: 'float32' });
  const csv = writeCsv(join(dir, 'big.csv'), big, TT, nn);
  const cases: AnalyzeOptions[] = [
    { window: 5, topK: 1 }, // 80 windows a block: 5 chunks of one block
    { window: 9, stride: 3, detrend: 'linear' },
    { window: 4, stride: 6, topK: 2 }, // windows do not overlap: only their rows are read
    { window: 6, stride: 6, transform: 'log' },
  ];
  for (const opts of cases) {
    it(JSON.stringify(opts), async () => {
      const ref = analyzeSync({ data: big, shape: [TT, nn] }, opts);
      const ref32 = analyzeSync({ data: Float32Array.from(big), shape: [TT, nn] }, opts);
      for (const chunkBytes of [1, 3000]) {
        expect((await analyzeFile(npy, { ...opts, chunkBytes })).analysis).toEqual(ref);
        expect((await analyzeFile(csv, { ...opts, chunkBytes })).analysis).toEqual(ref);
        expect((await analyzeFile(fortran, { ...opts, chunkBytes })).analysis).toEqual(ref32);
      }
    });
  }

  it('the block size is four refills (at least 32 windows), and the core uses it when none is passed', () => {
    expect([defaultBlockWindows(5, 1), defaultBlockWindows(9, 3), defaultBlockWindows(4, 6), defaultBlockWindows(40, 1), defaultBlockWindows(64, 2)]).toEqual([
      32, 32, 32, 160, 128,
    ]);
    const data = lossMatrix(400, 12, 5);
    const viaTs = analyzeSync({ data, shape: [400, 12] }, { window: 9, stride: 1, threads: 2 });
    const raw = native().analyzeSync(data, 400, 12, { window: 9, stride: 1, topK: 0, detrend: 'none', transform: 'none', beta: 1, threads: 2, nonFinite: 'error' });
    expect(Array.from(raw.shc)).toEqual(Array.from(viaTs.shc));
  });
});

describe('[T, K, n] perturbation files: the Gaussian 2RDM per checkpoint', () => {
  const [TT, K, nn] = [5, 6, 4];
  const blocks = lossMatrix(TT * K, nn, 11);
  const dir = tempDir();

  it('equals gram2rdm, in C and Fortran order, with steps per checkpoint', async () => {
    const ref = gram2rdmSync({ data: blocks, shape: [TT, K, nn] }, { topK: 1 });
    const c = join(dir, 'g.npy');
    writeFileSync(c, encodeNpy({ values: blocks, shape: [TT, K, nn] }));
    const f = join(dir, 'gf.npy');
    const fo = new Float64Array(blocks.length);
    for (let t = 0; t < TT; t++) for (let k = 0; k < K; k++) for (let i = 0; i < nn; i++) fo[t + TT * k + TT * K * i] = blocks[(t * K + k) * nn + i]!;
    writeFileSync(f, encodeNpy({ values: fo, shape: [TT, K, nn], fortranOrder: true }));
    writeText(join(dir, 'g.meta.json'), JSON.stringify({ steps: [10, 20, 30, 40, 50] }));
    for (const path of [c, f]) {
      const fa = await analyzeFile(path, { topK: 1, chunkBytes: 1 });
      expect(fa.analysis).toEqual(ref);
      expect(fa.input.shape).toEqual([TT, K, nn]);
      expect(fa.input.variant).toBe('gaussian');
    }
    expect(Array.from((await analyzeFile(c, { topK: 1 })).windowSteps!)).toEqual([10, 20, 30, 40, 50]);
  });

  it('window, stride and detrend do not apply', async () => {
    const c = join(dir, 'g.npy');
    expect(await error(() => analyzeFile(c, { window: 3 }), 'ERR_RDM2_OPTION')).toBe(
      `window = 3 does not apply to ${c}: it holds [T, K, n] perturbation blocks, and each block of K = 6 samples is analysed on its own (the Gaussian 2RDM)`,
    );
    expect(await error(() => analyzeFile(c, { detrend: 'linear' }), 'ERR_RDM2_OPTION')).toContain('detrend = "linear" does not apply');
    expect((await analyzeFile(c, { detrend: 'none' })).analysis.windows).toBe(TT);
  });
});

describe('non-finite losses and options', () => {
  const dir = tempDir();
  const withNaN = data.slice();
  withNaN[7 * n + 3] = NaN;
  const npy = writeNpy(join(dir, 'nan.npy'), withNaN, T, n);
  const csv = writeCsv(join(dir, 'nan.csv'), withNaN, T, n, { header: true, steps });
  const jsonl = writeJsonl(join(dir, 'nan.jsonl'), withNaN, T, n);
  const hint = "(nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead)";

  it('under the default policy: an error at the value, in file terms', async () => {
    expect(await error(() => analyzeFile(npy, { window: 10 }), 'ERR_RDM2_FILE')).toBe(`${npy}: row 7, column 3: NaN is not finite, expected a finite loss ${hint}`);
    expect(await error(() => analyzeFile(csv, { window: 10, chunkBytes: 1 }), 'ERR_RDM2_FILE')).toBe(
      `${csv}: line 9, field 5 (probe 'p3'): NaN is not finite, expected a finite loss ${hint}`,
    );
    expect(await error(() => analyzeFile(jsonl, { window: 10 }), 'ERR_RDM2_FILE')).toBe(`${jsonl}: line 8, [3]: NaN is not finite, expected a finite loss ${hint}`);
    const zero = data.slice();
    zero[2 * n + 1] = 0;
    const z = writeNpy(join(dir, 'zero.npy'), zero, T, n);
    expect(await error(() => analyzeFile(z, { window: 10, transform: 'log' }), 'ERR_RDM2_FILE')).toBe(`${z}: row 2, column 1: 0 is not > 0, which the log transform needs ${hint}`);
  });

  it("under 'skip-window': the windows holding it are degenerate, as in analyze()", async () => {
    const opts: AnalyzeOptions = { window: 10, nonFinite: 'skip-window', topK: 1 };
    const ref = analyzeSync({ data: withNaN, shape: [T, n] }, opts);
    expect(Array.from(ref.degenerate.subarray(0, 10))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect((await analyzeFile(npy, { ...opts, chunkBytes: 1 })).analysis).toEqual(ref);
    expect((await analyzeFile(csv, opts)).analysis).toEqual(ref);
  });

  it('option errors', async () => {
    const c = writeCsv(join(dir, 'ok.csv'), data, T, n);
    expect(await error(() => analyzeFile(c, { window: 70 }), 'ERR_RDM2_OPTION')).toBe('window (70) is longer than the number of checkpoints T = 60');
    expect(await error(() => analyzeFile(c, { window: 70, stride: 80 }), 'ERR_RDM2_OPTION')).toBe('window (70) is longer than the number of checkpoints T = 60');
    expect(await error(() => analyzeFile(npy, { window: 70 }), 'ERR_RDM2_OPTION')).toBe('window (70) is longer than the number of checkpoints T = 60');
    expect(await error(() => analyzeFile(c, {}), 'ERR_RDM2_OPTION')).toBe(`window is required: ${c} holds [T, n] losses (checkpoints x probes)`);
    expect(await error(() => analyzeFile(c, { window: 5, topK: 5 }), 'ERR_RDM2_OPTION')).toBe('topK (5) exceeds the largest possible rank min(W-1, n) = 4');
    expect(await error(() => analyzeFile(c, { window: 5, chunkBytes: 0 }), 'ERR_RDM2_OPTION')).toBe('chunkBytes must be a finite number >= 1 and <= 4294967296, got 0');
    expect(await error(() => analyzeFile(c, { window: 5, sidecar: 'yes' as unknown as boolean }), 'ERR_RDM2_OPTION')).toBe('sidecar must be a boolean, got "yes"');
    expect(await error(() => analyzeFile(c, { window: 5, colour: 1 } as never), 'ERR_RDM2_OPTION')).toBe("unknown option 'colour' (known: window, stride, topK, detrend, transform, beta, threads, nonFinite, sidecar, chunkBytes, checksum)");
    expect(await error(() => analyzeFile(join(dir, 'none.npy'), { window: 5 }), 'ERR_RDM2_FILE')).toBe(`${join(dir, 'none.npy')}: cannot read: no such file (ENOENT)`);
  });

  it('checksum: false skips the hash', async () => {
    const fa = await analyzeFile(npy, { window: 10, nonFinite: 'skip-window', checksum: false });
    expect(fa.input.sha256).toBeUndefined();
  });
});

describe('sizes bounded by what the file holds (issue 13 item 13)', () => {
  /** A row source over a matrix that records the largest buffer it is asked to fill. */
  function spySource(rows: number, cols: number, declared: boolean) {
    const m = lossMatrix(rows, cols, 3);
    let pos = 0;
    const spy = { largest: 0 };
    const src: RowSource = {
      file: 'spy.csv',
      format: 'csv',
      cols,
      rows: declared ? rows : undefined,
      maxRows: declared ? rows : rows + 3, // a text file's bound is loose
      blockSize: undefined,
      dtype: 'float64',
      probeNames: undefined,
      async read(dst, at, count) {
        spy.largest = Math.max(spy.largest, dst.length);
        const take = Math.min(count, rows - pos);
        dst.set(m.subarray(pos * cols, (pos + take) * cols), at * cols);
        pos += take;
        return take;
      },
      async skip(count) {
        const take = Math.min(count, rows - pos);
        pos += take;
        return take;
      },
      position: (r, c) => `row ${r}, column ${c}`,
      steps: () => undefined,
      close: async () => {},
    };
    return { src, spy, m };
  }

  it('the largest chunk holds no more rows than the file can, whatever chunkBytes asks', async () => {
    for (const declared of [true, false]) {
      for (const opts of [{ window: 8 }, { window: 8, stride: 3 }, { window: 4, stride: 9 }]) {
        const { src, spy, m } = spySource(50, 6, declared);
        const got = await analyzeRows(src, opts, MAX_CHUNK_BYTES);
        expect(spy.largest).toBeLessThanOrEqual(src.maxRows * 6);
        expect(got.analysis).toEqual(analyzeSync({ data: m, shape: [50, 6] }, opts));
      }
    }
  });

  it('chunkBytes above the documented maximum, and a window longer than a text file can hold, are option errors', async () => {
    const c = writeCsv(join(tempDir(), 'small.csv'), data, T, n);
    expect(await error(() => analyzeFile(c, { window: 5, chunkBytes: 1e15 }), 'ERR_RDM2_OPTION')).toBe('chunkBytes must be a finite number >= 1 and <= 4294967296, got 1000000000000000');
    expect(await error(() => analyzeFile(c, { window: 1e9 }), 'ERR_RDM2_OPTION')).toMatch(new RegExp(`^window \\(1000000000\\) is longer than the \\d+ checkpoints ${c} can hold$`));
    const same = await analyzeFile(c, { ...OPTS, chunkBytes: MAX_CHUNK_BYTES });
    expect(same.analysis).toEqual((await analyzeFile(c, OPTS)).analysis);
  });
});

describe('the natural call analyze(readLossFile(p).losses) (issue 13 item 11)', () => {
  it('a Fortran-order .npy is analysed in place, equal to the row-major matrix, and type-checks as it is', async () => {
    const dir = tempDir();
    const expected = analyzeSync({ data, shape: [T, n] }, OPTS);
    for (const dtype of ['float64', 'float32'] as const) {
      const f = writeNpy(join(dir, `f-${dtype}.npy`), data, T, n, { fortran: true, dtype });
      const { losses } = await readLossFile(f);
      expect(losses.order).toBe('F');
      const got = await analyze(losses, OPTS);
      const ref = dtype === 'float64' ? expected : analyzeSync({ data: Float32Array.from(data), shape: [T, n] }, OPTS);
      expect(got).toEqual(ref);
      expect(analyzeSync(losses, OPTS)).toEqual(ref);
    }
    // The statistics take it too (here the baselines, which read the losses themselves).
    const { losses } = await readLossFile(writeNpy(join(dir, 'f.npy'), data, T, n, { fortran: true }));
    expect(scalarIndicators(losses, expected)).toEqual(scalarIndicators({ data, shape: [T, n] }, expected));
  });

  it('[T, K, n] blocks are refused with a pointer to gram2rdm; an unknown order is refused', async () => {
    const dir = tempDir();
    const f = join(dir, 'blocks.npy');
    writeFileSync(f, encodeNpy({ values: data, shape: [10, 6, n] }));
    const { losses } = await readLossFile(f);
    expect(() => analyzeSync(losses, { window: 3 })).toThrow(/losses is \[T, K, n\] perturbation blocks \(shape \[10,6,20\]\): analyse them with gram2rdm \(or analyzeFile\), not as \[T, n\] losses/);
    expect(gram2rdmSync(losses, { threads: 1 }).windows).toBe(10);
    const bad = { data, shape: [T, n] as [number, number], order: 'X' as 'C' };
    expect(() => analyzeSync(bad, OPTS)).toThrow(expect.objectContaining({ code: 'ERR_RDM2_OPTION', message: "losses.order must be 'C' (row-major) or 'F' (column-major), got \"X\"" }));
  });
});

describe('toLossMatrix', () => {
  it('transposes a column-major array', () => {
    const m = toLossMatrix({ data: toFortran(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3), shape: [2, 3], order: 'F' });
    expect(m).toEqual({ data: Float64Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] });
  });
});
