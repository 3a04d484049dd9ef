// The .rows row stream (docs/row-stream.md): the writer's bytes, the reader behind analyze /
// readLossFile, half-written and finished files, every malformed header and record; and the JSONL
// end marker.
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFile, readLossFile, RowStreamWriter } from '../lib/index.js';
import { encodeRowStreamHeader, encodeRowStreamRecord } from '../lib/io/row_stream.js';
import { expectReject } from './helpers.js';
import { lossMatrix, tempDir, writeText } from './io_fixtures.js';

const T = 40;
const n = 6;

/** A .rows file written byte by byte from the spec (not with the writer). */
function rowsBytes(data: ArrayLike<number>, steps: number[], dtype: 'float32' | 'float64', end: boolean): Uint8Array {
  const size = dtype === 'float32' ? 4 : 8;
  const R = 8 + n * size;
  const records = steps.length + (end ? 1 : 0);
  const out = new Uint8Array(64 + records * R);
  const view = new DataView(out.buffer);
  out.set(Buffer.from('RDM2ROWS'), 0);
  view.setUint32(8, 1, true);
  view.setUint32(12, dtype === 'float32' ? 1 : 2, true);
  view.setBigUint64(16, BigInt(n), true);
  view.setBigUint64(24, 64n, true);
  steps.forEach((s, t) => {
    view.setBigInt64(64 + t * R, BigInt(s), true);
    for (let i = 0; i < n; i++) {
      if (size === 4) view.setFloat32(64 + t * R + 8 + 4 * i, data[t * n + i]!, true);
      else view.setFloat64(64 + t * R + 8 + 8 * i, data[t * n + i]!, true);
    }
  });
  if (end) view.setBigInt64(64 + steps.length * R, -1n, true);
  return out;
}

const data = lossMatrix(T, n, 3);
const steps = Array.from({ length: T }, (_, t) => 100 + 10 * t);

describe('.rows files', () => {
  it('the writer writes exactly the bytes of the spec, for float32 and float64', async () => {
    const dir = tempDir();
    for (const dtype of ['float32', 'float64'] as const) {
      const path = join(dir, `${dtype}.rows`);
      const w = await RowStreamWriter.create(path, { probes: n, dtype });
      for (let t = 0; t < T; t++) await w.append(steps[t]!, data.subarray(t * n, (t + 1) * n));
      await w.close();
      expect(new Uint8Array(readFileSync(path))).toEqual(rowsBytes(data, steps, dtype, true));
    }
    expect(encodeRowStreamHeader(n, 'float32')).toEqual(rowsBytes([], [], 'float32', false));
  });

  it('analyze reads a finished .rows file: the same analysis as the matrix, steps from the records', async () => {
    const dir = tempDir();
    const path = writeText(join(dir, 'run.rows'), rowsBytes(data, steps, 'float64', true));
    const fa = await analyzeFile(path, { window: 8, topK: 1 });
    const direct = await analyze({ data, shape: [T, n] }, { window: 8, topK: 1 });
    expect(fa.analysis.shc).toEqual(direct.shc);
    expect(fa.analysis.eigenvectors).toEqual(direct.eigenvectors);
    expect(fa.input).toMatchObject({ format: 'rows', shape: [T, n], dtype: 'float64', variant: 'sliding' });
    expect(Array.from(fa.meta.steps!)).toEqual(steps);
    expect(fa.metaSources.steps).toBe(path);
    expect(Array.from(fa.windowSteps!)).toEqual(steps.slice(7));
    // stride >= W skips rows between windows: their steps are still read and checked
    const packed = await analyzeFile(path, { window: 4, stride: 6 });
    expect(Array.from(packed.meta.steps!)).toEqual(steps);
    const f32 = writeText(join(dir, 'f32.rows'), rowsBytes(data, steps, 'float32', true));
    const lf = await readLossFile(f32);
    expect(lf.losses.data).toEqual(Float32Array.from(data));
    expect(lf.format).toBe('rows');
  });

  it('a file without its end marker is read up to its last whole record; a partial record is never read', async () => {
    const dir = tempDir();
    const whole = rowsBytes(data, steps, 'float64', false);
    const R = 8 + 8 * n;
    const path = writeText(join(dir, 'growing.rows'), whole.subarray(0, 64 + 30 * R + 17));
    const fa = await analyzeFile(path, { window: 8 });
    expect(fa.analysis.rows).toBe(30);
    const direct = await analyze({ data: data.subarray(0, 30 * n), shape: [30, n] }, { window: 8 });
    expect(fa.analysis.shc).toEqual(direct.shc);
  });

  const bad: [string, (b: Uint8Array, v: DataView) => void, RegExp][] = [
    ['magic', (b) => b.set(Buffer.from('RDM2ROWZ'), 0), /byte 0: magic "RDM2ROWZ", expected "RDM2ROWS"/],
    ['version', (_b, v) => v.setUint32(8, 2, true), /byte 8: format version 2, this build reads version 1/],
    ['value type', (_b, v) => v.setUint32(12, 3, true), /byte 12: value type 3, expected 1 \(float32\) or 2 \(float64\)/],
    ['n = 0', (_b, v) => v.setBigUint64(16, 0n, true), /byte 16: n = 0 values per row/],
    ['huge n', (_b, v) => v.setBigUint64(16, 2n ** 62n, true), /byte 16: n = 4611686018427387904 values per row, expected 1 to/],
    ['header length', (_b, v) => v.setBigUint64(24, 128n, true), /byte 24: header length 128, expected 64/],
    ['reserved', (b) => (b[40] = 1), /byte 40: reserved byte is 1, expected 0/],
    ['step order', (_b, v) => v.setBigInt64(64 + 3 * (8 + 8 * n), 100n, true), /record 3 \(byte \d+\), step: 100 does not come after 120/],
    ['negative step', (_b, v) => v.setBigInt64(64 + 2 * (8 + 8 * n), -5n, true), /record 2 \(byte \d+\), step: -5 is not a step/],
    ['end marker inside', (_b, v) => v.setBigInt64(64 + 5 * (8 + 8 * n), -1n, true), /record 5 \(byte \d+\): end marker/],
    ['end marker with values', (_b, v) => v.setFloat64(64 + T * (8 + 8 * n) + 8, 1, true), /record 40 \(byte \d+\): end marker \(step -1\) with non-zero values/],
  ];
  for (const [name, spoil, message] of bad) {
    it(`refuses a bad ${name} with ERR_RDM2_FILE naming the byte`, async () => {
      const bytes = rowsBytes(data, steps, 'float64', true);
      spoil(bytes, new DataView(bytes.buffer));
      const path = writeText(join(tempDir(), 'bad.rows'), bytes);
      await expectReject(analyzeFile(path, { window: 8 }), 'ERR_RDM2_FILE', message);
    });
  }

  it('refuses bytes after the end marker, a file with no rows, a short header', async () => {
    const dir = tempDir();
    const after = writeText(join(dir, 'after.rows'), rowsBytes(data, steps, 'float64', true));
    appendFileSync(after, Buffer.from([1, 2, 3]));
    await expectReject(analyzeFile(after, { window: 8 }), 'ERR_RDM2_FILE', /3 bytes after the end marker, expected nothing after it/);
    const empty = writeText(join(dir, 'empty.rows'), rowsBytes([], [], 'float64', true));
    await expectReject(analyzeFile(empty, { window: 8 }), 'ERR_RDM2_FILE', /holds no rows before its end marker/);
    const none = writeText(join(dir, 'none.rows'), rowsBytes([], [], 'float64', false));
    await expectReject(analyzeFile(none, { window: 8 }), 'ERR_RDM2_FILE', /holds no whole row yet/);
    const short = writeText(join(dir, 'short.rows'), rowsBytes([], [], 'float64', false).subarray(0, 20));
    await expectReject(analyzeFile(short, { window: 8 }), 'ERR_RDM2_FILE', /header: only 20 bytes, expected the 64-byte header/);
  });

  it('the writer refuses an existing file, steps out of order and rows of the wrong length', async () => {
    const dir = tempDir();
    const path = join(dir, 'w.rows');
    const w = await RowStreamWriter.create(path, { probes: 3 });
    await expectReject(RowStreamWriter.create(path, { probes: 3 }), 'ERR_RDM2_FILE', /exists already/);
    await w.append(5, [1, 2, 3]);
    await expectReject(w.append(5, [1, 2, 3]), 'ERR_RDM2_OPTION', /step must be an integer >= 0 after 5, got 5/);
    await expectReject(w.append(6, [1, 2]), 'ERR_RDM2_SHAPE', /row has 2 losses, the stream has 3 probes/);
    await w.close({ finished: false });
    expect(readFileSync(path).length).toBe(64 + 20);
    expect(() => encodeRowStreamRecord(1.5, [1], 'float32')).toThrow(RangeError);
  });
});

describe('JSONL end marker', () => {
  const lines = (k: number) => Array.from({ length: k }, (_, t) => JSON.stringify({ step: t, losses: Array.from(data.subarray(t * n, (t + 1) * n)) }));

  it('ends the rows: a finished recorder file analyses like the same rows without it', async () => {
    const dir = tempDir();
    const finished = writeText(join(dir, 'f.jsonl'), [...lines(T), '{"end": true}', ''].join('\n'));
    const plain = writeText(join(dir, 'p.jsonl'), [...lines(T), ''].join('\n'));
    const a = await analyzeFile(finished, { window: 8 });
    const b = await analyzeFile(plain, { window: 8 });
    expect(a.analysis.rows).toBe(T);
    expect(a.analysis.shc).toEqual(b.analysis.shc);
    expect(Array.from(a.meta.steps!)).toEqual(Array.from(b.meta.steps!));
    // blank lines may follow it; a written JSONL via the writer ends with it
    const w = await RowStreamWriter.create(join(dir, 'w.jsonl'), { probes: n });
    for (let t = 0; t < T; t++) await w.append(t, data.subarray(t * n, (t + 1) * n));
    await w.close();
    expect(readFileSync(join(dir, 'w.jsonl'), 'utf8').endsWith('{"end": true}\n')).toBe(true);
    expect((await analyzeFile(join(dir, 'w.jsonl'), { window: 8 })).analysis.shc).toEqual(b.analysis.shc);
  });

  it('refuses rows after the end marker, and an end marker before any row', async () => {
    const dir = tempDir();
    const after = writeText(join(dir, 'a.jsonl'), [...lines(10), '{"end": true}', '', lines(1)[0], ''].join('\n'));
    await expectReject(analyzeFile(after, { window: 4 }), 'ERR_RDM2_FILE', /line 13: follows the end marker on line 11, expected nothing after it/);
    const first = writeText(join(dir, 'b.jsonl'), '{"end": true}\n');
    await expectReject(analyzeFile(first, { window: 4 }), 'ERR_RDM2_FILE', /line 1: end marker before any row/);
  });
});

describe('truncation', () => {
  it('a .rows file cut inside its header is not a row stream yet', async () => {
    const path = writeText(join(tempDir(), 'cut.rows'), rowsBytes(data, steps, 'float32', false));
    truncateSync(path, 63);
    await expectReject(analyzeFile(path, { window: 4 }), 'ERR_RDM2_FILE', /only 63 bytes/);
    writeFileSync(path, new Uint8Array(0));
    await expectReject(analyzeFile(path, { window: 4 }), 'ERR_RDM2_FILE', /only 0 bytes/);
  });
});
