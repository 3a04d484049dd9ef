// Arrow IPC in and out: files (Feather v2) and streams written by apache-arrow (wide and long,
// several record batches, LZ4-compressed, dictionary-encoded probe ids) give the .npy analysis
// exactly; rdm2's Arrow results read back with their metadata; malformed files give
// ERR_RDM2_FILE with the file and the position. (No second Arrow engine is installed here:
// DuckDB's Arrow support is an extension it downloads, and pyarrow is not a Debian package.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompressionType,
  Dictionary,
  Int32,
  RecordBatchStreamWriter,
  RecordBatchFileWriter,
  Table,
  Utf8,
  compressionRegistry,
  tableFromIPC,
  makeVector,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import lz4 from 'lz4js';
import { describe, expect, it } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { toLossMatrix } from '../lib/io/loss_array.js';
import { writeResult } from '../lib/io/write_result.js';
import type { AnalyzeOptions } from '../lib/types.js';
import { probeNames } from './duckdb_fixtures.js';
import { expectErrorAsync } from './helpers.js';
import { lossMatrix, tempDir, writeText } from './io_fixtures.js';

const T = 60;
const n = 12;
const data = lossMatrix(T, n, 41);
const steps = Array.from({ length: T }, (_, t) => 7 + 3 * t);
const OPTS: AnalyzeOptions = { window: 12, stride: 2, topK: 2, detrend: 'linear', threads: 2 };
const names = probeNames(n);
const dir = tempDir('rdm2-arrow-');
const ref = analyzeSync({ data, shape: [T, n] }, OPTS);
const ref32 = analyzeSync({ data: Float32Array.from(data), shape: [T, n] }, OPTS);

/** The wide table: a BigInt64 step column and one column per probe, in batches of `batch` rows. */
function wideTable(float32: boolean, batch: number): Table {
  const batches: Table[] = [];
  for (let t0 = 0; t0 < T; t0 += batch) {
    const t1 = Math.min(T, t0 + batch);
    const cols: Record<string, Vector> = { step: makeVector(BigInt64Array.from(steps.slice(t0, t1), BigInt)) };
    names.forEach((p, i) => {
      const v = Float64Array.from({ length: t1 - t0 }, (_, r) => data[(t0 + r) * n + i]!);
      cols[p] = float32 ? makeVector(Float32Array.from(v)) : makeVector(v);
    });
    batches.push(new Table(cols));
  }
  return batches.reduce((a, b) => a.concat(b));
}

/** The long table: step, probe, loss, rows shuffled within each step; probe ids as given. */
function longTable(probe: Vector<Utf8 | Dictionary<Utf8, Int32>> | 'int'): Table {
  const step: number[] = [];
  const loss: number[] = [];
  const ids: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < n; k++) {
      const i = (k * 5 + t) % n; // a different order within every step
      step.push(steps[t]!);
      ids.push(i);
      loss.push(data[t * n + i]!);
    }
  }
  return new Table({
    step: makeVector(Int32Array.from(step)),
    probe: probe === 'int' ? makeVector(Int32Array.from(ids)) : vectorFromArray(ids.map((i) => names[i]!), probe.type),
    loss: makeVector(Float64Array.from(loss)),
  });
}

function writeIpc(name: string, table: Table, kind: 'file' | 'stream', compressionType: CompressionType | null = null): string {
  const writer = kind === 'file' ? new RecordBatchFileWriter({ compressionType }) : new RecordBatchStreamWriter({ compressionType });
  const bytes = writer.writeAll(table).toUint8Array(true);
  return writeText(join(dir, name), bytes);
}

describe('apache-arrow writes, rdm2 reads: equal to the .npy analysis, bit for bit', () => {
  const dictionary = vectorFromArray(names, new Dictionary(new Utf8(), new Int32()));
  const cases: [string, () => string, 'float32' | 'float64', string[]][] = [
    ['file (Feather v2), float64, batches of 7 rows', () => writeIpc('wide.arrow', wideTable(false, 7), 'file'), 'float64', names],
    ['stream, float32, one batch', () => writeIpc('wide.arrows', wideTable(true, T), 'stream'), 'float32', names],
    ['.feather, LZ4-compressed (pyarrow\'s default)', () => writeIpc('lz4.feather', wideTable(false, 13), 'file', CompressionType.LZ4_FRAME), 'float64', names],
    ['long, Utf8 probe ids', () => writeIpc('long.arrow', longTable(vectorFromArray(['x'], new Utf8())), 'file'), 'float64', names],
    ['long, dictionary-encoded probe ids (pandas categoricals)', () => writeIpc('dict.arrow', longTable(dictionary), 'file'), 'float64', names],
    ['long, integer probe ids, stream', () => writeIpc('int.arrows', longTable('int'), 'stream'), 'float64', names.map((_, i) => String(i))],
  ];
  compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: (b: Uint8Array) => lz4.compress(b) });
  for (const [label, make, dtype, probes] of cases) {
    it(label, async () => {
      const path = make();
      const fa = await analyzeFile(path, OPTS);
      expect(fa.analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      expect(fa.input).toMatchObject({ path, format: 'arrow', shape: [T, n], dtype, bytes: readFileSync(path).length });
      expect(fa.probeNames).toEqual(probes);
      expect(Array.from(fa.windowSteps!)).toEqual(Array.from(ref.t, (t) => steps[t]));
      expect((await analyzeFile(path, { ...OPTS, chunkBytes: 1 })).analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      expect(analyzeSync(toLossMatrix((await readLossFile(path)).losses), OPTS)).toEqual(dtype === 'float32' ? ref32 : ref);
    });
  }
});

describe('rdm2 writes Arrow results', () => {
  it('one row per window, list columns, the rdm2 document in the schema metadata (.arrow and .feather)', async () => {
    const fa = await analyzeFile(writeIpc('in.arrow', wideTable(false, 20), 'file'), OPTS);
    for (const name of ['r.arrow', 'r.feather']) {
      const out = join(dir, name);
      await writeResult(out, fa);
      const table = tableFromIPC(readFileSync(out));
      const a = fa.analysis;
      expect(table.numRows).toBe(a.windows);
      expect(table.schema.fields.map((f) => f.name)).toEqual(['window', 't', 'step', 'trace', 'pr', 'entropy', 'shc', 'topShare', 'degenerate', 'eigenvalues', 'eigenvectors']);
      expect(Array.from(table.getChild('t')!.toArray() as Int32Array)).toEqual(Array.from(a.t));
      expect(Float64Array.from(table.getChild('shc')!.toArray() as Float64Array)).toEqual(a.shc);
      expect(Array.from(table.getChild('degenerate')!, Boolean)).toEqual(Array.from(a.degenerate, Boolean));
      const j = 5;
      expect(Array.from(table.getChild('eigenvalues')!.get(j)!.toArray() as Float64Array)).toEqual(Array.from(a.eigenvalues.subarray(j * a.eigenCount, (j + 1) * a.eigenCount)));
      const vec = table.getChild('eigenvectors')!.get(j)!;
      expect(Array.from(vec.get(1)!.toArray() as Float32Array)).toEqual(Array.from(a.eigenvectors!.subarray((j * 2 + 1) * n, (j * 2 + 2) * n)));
      const doc = JSON.parse(table.schema.metadata.get('rdm2')!);
      expect(doc).toMatchObject({ kind: 'analysis', options: a.options, input: fa.input, probeNames: names });
    }
  });
});

describe('malformed Arrow files: ERR_RDM2_FILE with the file and the position', () => {
  it('not Arrow, Feather v1, empty, truncated, a text probe column', async () => {
    const junk = writeText(join(dir, 'junk.arrow'), 'step,p00\n1,2\n'.repeat(20));
    await expectErrorAsync(() => analyzeFile(junk, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${junk}: schema: not a readable Arrow IPC file`));
    const v1 = writeText(join(dir, 'v1.feather'), Buffer.concat([Buffer.from('FEA1'), Buffer.alloc(100)]));
    await expectErrorAsync(() => analyzeFile(v1, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${v1}: byte 0: Feather version 1`));
    const empty = writeText(join(dir, 'empty.arrow'), '');
    await expectErrorAsync(() => analyzeFile(empty, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${empty}: byte 0: empty file`));
    const whole = readFileSync(writeIpc('whole.arrows', wideTable(false, 10), 'stream'));
    const cut = writeText(join(dir, 'cut.arrows'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    await expectErrorAsync(() => analyzeFile(cut, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${cut}: (record batch \\d+: not a readable Arrow IPC file|row \\d+)`));
    const text = writeIpc('text.arrow', new Table({ step: makeVector(Int32Array.of(1, 2)), label: vectorFromArray(['a', 'b'], new Utf8()) }), 'file');
    await expectErrorAsync(() => analyzeFile(text, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${text}: schema, column 'label': type Utf8, expected float32 or float64 losses`));
  });
});
