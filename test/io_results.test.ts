// Result writers (JSON, CSV, .npz) and atomic writes.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { Rdm2Error } from '../lib/errors.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { writeFileAtomic } from '../lib/io/atomic_write.js';
import { decodeNpz } from '../lib/io/npz.js';
import { rdm2Version } from '../lib/io/producer.js';
import { resultCsv } from '../lib/io/result_csv.js';
import { jsonChunks } from '../lib/io/json_chunks.js';
import { resultDocument, resultJson } from '../lib/io/result_json.js';
import { resultNpz } from '../lib/io/result_npz.js';
import { resultFormatOf, writeResult } from '../lib/io/write_result.js';
import { OBSERVABLE_NAMES } from '../lib/observables.js';
import { lossMatrix, tempDir, writeNpy, writeText } from './io_fixtures.js';

const T = 30;
const n = 6;
const data = lossMatrix(T, n, 5);
const dir = tempDir();
const input = writeNpy(join(dir, 'run', 'losses.npy'), data, T, n);
writeText(join(dir, 'run', 'meta.json'), JSON.stringify({ steps: Array.from({ length: T }, (_, t) => 10 * t), groups: ['a', 'a', 'b', 'b', 'c', 'c'], transition: 150 }));
const fa = await analyzeFile(input, { window: 8, stride: 3, topK: 2, threads: 1 });
const a = fa.analysis;

describe('JSON results', () => {
  it('every Analysis field under its own name, nested eigen arrays, options, input, metadata', () => {
    const doc = resultDocument({ ...fa, summary: { note: 'x' } });
    expect(Object.keys(doc)).toEqual([
      'rdm2', 'input', 'options', 'windows', 'eigenCount', 'rows', 'probes', 't', 'step', ...OBSERVABLE_NAMES,
      'eigenvalues', 'degenerate', 'eigenvectors', 'groups', 'transition', 'summary',
    ]);
    for (const key of Object.keys(a)) expect(doc).toHaveProperty(key);
    expect(doc.rdm2).toEqual({ version: rdm2Version(), kind: 'analysis' });
    expect(doc.options).toEqual({ window: 8, stride: 3, topK: 2, detrend: 'none', transform: 'none', beta: 1, threads: 1, nonFinite: 'error' });
    expect(doc.input).toEqual(fa.input);
    expect(doc.t).toEqual(Array.from(a.t));
    expect(doc.step).toEqual(Array.from(a.t, (t) => 10 * t));
    expect(doc.shc).toEqual(Array.from(a.shc));
    expect(doc.eigenvalues).toHaveLength(a.windows);
    expect(doc.eigenvalues[3]).toEqual(Array.from(a.eigenvalues.subarray(3 * a.eigenCount, 4 * a.eigenCount)));
    expect(doc.eigenvectors).toHaveLength(a.windows);
    expect(doc.eigenvectors![4]).toHaveLength(2);
    expect(doc.eigenvectors![4]![1]).toEqual(Array.from(a.eigenvectors!.subarray((4 * 2 + 1) * n, (4 * 2 + 2) * n)));
    expect(doc.degenerate).toEqual(Array.from(a.degenerate));
    expect(doc.groups).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(doc.transition).toBe(150);
    expect(doc.summary).toEqual({ note: 'x' });
  });

  it('NaN observables of degenerate windows are written as null', () => {
    const flat = Float64Array.from({ length: 5 * 2 }, () => 1);
    const degenerate = analyzeSync({ data: flat, shape: [5, 2] }, { window: 3 });
    const parsed = JSON.parse(resultJson({ analysis: degenerate }));
    expect(parsed.shc).toEqual([null, null, null]);
    expect(parsed.degenerate).toEqual([1, 1, 1]);
    expect(parsed.input).toBeUndefined();
  });
});

describe('results larger than one string can hold (issue 13 item 16)', () => {
  it('jsonChunks writes exactly what JSON.stringify writes, in bounded pieces, without recursion', () => {
    const docs: unknown[] = [
      { a: 1, b: [1, 2.5, -0, NaN, Infinity, -Infinity, null, undefined, 'x"\n\u2028', true], c: {}, d: [], e: undefined, f: () => 1, g: { h: [[[]]] } },
      [undefined, () => 1, { x: undefined }],
      'just a string',
      42,
      null,
      resultDocument({ ...fa, summary: { note: 'x', nested: { deeper: [1, { z: NaN }] } } }),
    ];
    for (const d of docs) {
      const pieces = [...jsonChunks(d, 16)];
      expect(pieces.join('')).toBe(JSON.stringify(d));
      for (const p of pieces.slice(0, -1)) expect(p.length).toBeLessThan(16 + 400);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect([...jsonChunks(deep)].join('')).toBe(`${'['.repeat(100000)}1${']'.repeat(100000)}`);
    expect([...jsonChunks(Float64Array.of(1, NaN, 0.5))].join('')).toBe('[1,null,0.5]');
    expect(resultJson(fa)).toBe(JSON.stringify(resultDocument(fa)) + '\n');
  });

  it('a JSON result over 2^29 characters is written whole (one window, an eigenvector of 24 million probes)', async () => {
    // One window, one eigenvector of 24 million probes, 23 characters each with its comma: 552 million characters of JSON.
    const probes = 24_000_000;
    const value = Math.fround(-1.2345678e-20);
    const ev = new Float32Array(probes).fill(value);
    const big = {
      ...a,
      windows: 1,
      probes,
      eigenCount: 1,
      t: Int32Array.of(1),
      trace: Float64Array.of(1),
      pr: Float64Array.of(1),
      entropy: Float64Array.of(0),
      shc: Float64Array.of(0),
      topShare: Float64Array.of(1),
      eigenvalues: Float64Array.of(1),
      degenerate: Uint8Array.of(0),
      eigenvectors: ev,
      options: { ...a.options, topK: 1 },
    };
    const f = join(dir, 'big.json');
    await writeResult(f, { analysis: big });
    const size = statSync(f).size;
    expect(size).toBeGreaterThan(2 ** 29);
    const fd = openSync(f, 'r');
    const head = Buffer.alloc(64);
    const tail = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    readSync(fd, tail, 0, 64, size - 64);
    closeSync(fd);
    expect(head.toString()).toMatch(/^\{"rdm2":\{"version":"[^"]+","kind":"analysis"\},"options":/);
    expect(tail.toString().endsWith(`,${value},${value}]]]}\n`), tail.toString()).toBe(true);
    unlinkSync(f);
  });
});

describe('CSV results', () => {
  it('comment lines with input, checksum and options, then one row per window', () => {
    const lines = resultCsv(fa).trimEnd().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `# rdm2 ${rdm2Version()} analysis`,
      `# input: ${JSON.stringify(input)}`,
      `# sha256: ${fa.input.sha256}`,
      `# shape: [${T},${n}] float64 npy`,
      `# options: ${JSON.stringify(a.options)}`,
      '# transition: 150',
    ]);
    const header = lines[6]!.split(',');
    expect(header).toEqual(['window', 't', 'step', ...OBSERVABLE_NAMES, 'degenerate', ...Array.from({ length: a.eigenCount }, (_, k) => `lambda_${k + 1}`)]);
    expect(lines).toHaveLength(7 + a.windows);
    const row = lines[7 + 2]!.split(',').map(Number);
    expect(row).toEqual([2, a.t[2], 10 * a.t[2]!, ...OBSERVABLE_NAMES.map((name) => a[name][2]), a.degenerate[2], ...a.eigenvalues.subarray(2 * a.eigenCount, 3 * a.eigenCount)]);
  });
});

describe('CSV results from hostile paths (issue 13 item 22)', () => {
  it('a newline in the input path stays inside its comment line', () => {
    const path = 'runs/a\n0,1,2,3\r\n# x\rb.npy';
    const text = resultCsv({ ...fa, input: { ...fa.input, path } });
    const lines = text.trimEnd().split(/\r\n|\r|\n/);
    expect(lines[1]).toBe(`# input: ${JSON.stringify(path)}`);
    expect(lines).toHaveLength(7 + a.windows);
    expect(lines.slice(0, 6).every((l) => l.startsWith('# '))).toBe(true);
    expect(JSON.parse(lines[1]!.slice('# input: '.length))).toBe(path);
  });
});

describe('.npz results', () => {
  it('one array per observable, eigen arrays shaped, options and input as JSON strings', () => {
    const z = decodeNpz(resultNpz({ ...fa, summary: { ok: true } }), 'r.npz');
    expect([...z.keys()].sort()).toEqual(
      ['degenerate', 'eigenvalues', 'eigenvectors', 'groups', 'input', 'options', 'rdm2', 'step', 'summary', 't', 'transition', ...OBSERVABLE_NAMES].sort(),
    );
    expect(z.get('t')!.header.dtype.name).toBe('int32');
    expect(z.get('t')!.values).toEqual(a.t);
    for (const name of OBSERVABLE_NAMES) expect(z.get(name)!.values, name).toEqual(a[name]);
    expect(z.get('eigenvalues')!.header.shape).toEqual([a.windows, a.eigenCount]);
    expect(z.get('eigenvectors')!.header.shape).toEqual([a.windows, 2, n]);
    expect(z.get('eigenvectors')!.header.dtype.name).toBe('float32');
    expect(z.get('eigenvectors')!.values).toEqual(a.eigenvectors);
    expect(z.get('degenerate')!.header.dtype.name).toBe('uint8');
    expect(JSON.parse((z.get('options')!.values as string[])[0]!)).toEqual(a.options);
    expect(JSON.parse((z.get('input')!.values as string[])[0]!)).toEqual(fa.input);
    expect(JSON.parse((z.get('summary')!.values as string[])[0]!)).toEqual({ ok: true });
    expect(z.get('groups')!.values).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(Array.from(z.get('transition')!.values as Float64Array)).toEqual([150]);
  });
});

describe('writeResult and atomic writes', () => {
  it('picks the format by extension and leaves no temporary file', async () => {
    const out = join(dir, 'out');
    await writeResult(join(out, 'r.json'), fa);
    await writeResult(join(out, 'deep', 'r.csv'), fa);
    await writeResult(join(out, 'r.npz'), fa);
    expect(readdirSync(out).sort()).toEqual(['deep', 'r.json', 'r.npz']);
    expect(JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')).shc).toEqual(Array.from(a.shc));
    expect(readFileSync(join(out, 'deep', 'r.csv'), 'utf8')).toBe(resultCsv(fa));
    expect(new Uint8Array(readFileSync(join(out, 'r.npz')))).toEqual(resultNpz(fa));
  });

  it('an unknown extension', () => {
    try {
      resultFormatOf('r.txt');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(Rdm2Error);
      expect((e as Rdm2Error).code).toBe('ERR_RDM2_OPTION');
      expect((e as Rdm2Error).message).toBe("cannot write a result to r.txt: unknown extension '.txt', expected .json, .csv, .npz, .parquet, .arrow or .feather");
    }
  });

  it('a failed write leaves the destination as it was and no temporary file', async () => {
    const d = join(dir, 'atomic');
    mkdirSync(join(d, 'taken'), { recursive: true });
    await writeFileAtomic(join(d, 'a.txt'), 'first');
    await writeFileAtomic(join(d, 'a.txt'), 'second');
    expect(readFileSync(join(d, 'a.txt'), 'utf8')).toBe('second');
    try {
      await writeFileAtomic(join(d, 'taken'), 'x');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(Rdm2Error);
      expect((e as Rdm2Error).code).toBe('ERR_RDM2_FILE');
      expect((e as Rdm2Error).message).toBe(`${join(d, 'taken')}: cannot write: is a directory (EISDIR)`);
    }
    expect(readdirSync(d).sort()).toEqual(['a.txt', 'taken']);
    expect(readdirSync(join(d, 'taken'))).toEqual([]);
  });
});
