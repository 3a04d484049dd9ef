// A seeded fuzz of the readers of untrusted files (issue 13): .npy headers, .npz archives
// (zip structure and member bytes), CSV and JSONL lines, and sweep summaries given to merge.
// Each case ends in a coded Rdm2Error or in a result that is checked to be correct; a signal, a
// hang or any other exception (TypeError, RangeError: an "internal error") fails the test. The
// case counts are fixed and every case is reproducible from its seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { decodeNpy, type NpyArray } from '../lib/io/npy.js';
import { decodeNpz, encodeNpz } from '../lib/io/npz.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { mergeShards } from '../lib/sweep/merge.js';
import { shardOf } from '../lib/sweep/shard.js';
import { buildSummary, treeHash, type SweepSummary } from '../lib/sweep/summary_files.js';
import type { RunRecord } from '../lib/sweep/run_record.js';
import { lossMatrix, prng, tempDir } from './io_fixtures.js';

/** The codes a reader of an untrusted file may answer with. */
const FILE_CODES = ['ERR_RDM2_FILE'];

type Outcome<T> = { ok: true; value: T } | { ok: false; error: Rdm2Error };

/** Runs one case: a coded Rdm2Error is an answer; any other exception fails the test, naming the case. */
async function attempt<T>(label: string, f: () => T | Promise<T>, codes: readonly string[] = FILE_CODES): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (err) {
    if (!(err instanceof Rdm2Error)) expect.fail(`${label}: ${(err as Error)?.stack ?? String(err)}`);
    if (!codes.includes(err.code)) expect.fail(`${label}: code ${err.code}: ${err.message}`);
    return { ok: false, error: err };
  }
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/**
 * 1 to `maxEdits` random edits of `text`: a character replaced by, or inserted from, `alphabet`;
 * a few characters deleted; or one of the format's own edits (`extra`, given the offset).
 */
function editText(text: string, rand: () => number, alphabet: string, maxEdits: number, extra: ((s: string, at: number) => string)[]): string {
  let s = text;
  const edits = 1 + Math.floor(rand() * maxEdits);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (s.length + 1));
    const kind = Math.floor(rand() * (3 + extra.length));
    if (kind === 0) s = s.slice(0, at) + pick(rand, [...alphabet]) + s.slice(at + 1);
    else if (kind === 1) s = s.slice(0, at) + pick(rand, [...alphabet]) + s.slice(at);
    else if (kind === 2) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 5));
    else s = extra[kind - 3]!(s, at);
  }
  return s;
}

const T = 6;
const N = 3;
const LOSSES = lossMatrix(T, N, 11);

describe('fuzz: .npy headers', () => {
  const CASES = 400;
  const ALPHABET = "(){}[]'\",: 0123456789-+LTrueFalseNone<>|=fiubUS\n\\\u00e9";
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${T}, ${N}), }`;
  const data = new Uint8Array(LOSSES.buffer.slice(0));

  function mutateText(rand: () => number): string {
    return editText(dict, rand, ALPHABET, 3, [
      (s, at) => s.slice(0, at) + '('.repeat(1 + Math.floor(rand() * 40)) + s.slice(at),
      (s) => s.replace(`(${T}, ${N})`, pick(rand, ['(18,)', '(3, 6)', '(2, 3, 3)', '(1e3, 3)', '(99999999999999999999, 3)', '(-6, 3)', '()', '(6, 3, 0)', '[6, 3]'])),
      (s) => s.replace("'<f8'", pick(rand, ["'>f8'", "'<f4'", "'<i8'", "'|u1'", "'<U2'", "'|S8'", "'<c16'", "[('a', '<f8')]", "'f8'", "''"])),
    ]);
  }

  function fileOf(text: string, rand: () => number): Uint8Array {
    const bytes = Buffer.from(text, 'latin1');
    const total = Math.ceil((10 + bytes.length + 1) / 64) * 64;
    const out = new Uint8Array(total + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, total - 10, true);
    out.fill(0x20, 10, total - 1);
    out.set(bytes.subarray(0, total - 11), 10);
    out[total - 1] = 0x0a;
    out.set(data, total);
    // Sometimes the preamble itself: magic, version, length.
    if (rand() < 0.15) out[Math.floor(rand() * 10)] ^= 1 << Math.floor(rand() * 8);
    return out;
  }

  it(`${CASES} mutated headers: a coded error, or an array consistent with its header and bytes`, async () => {
    const rand = prng(20260401);
    let accepted = 0;
    for (let c = 0; c < CASES; c++) {
      const text = mutateText(rand);
      const bytes = fileOf(text, rand);
      const r = await attempt(`npy case ${c} ${JSON.stringify(text)}`, () => decodeNpy(bytes, 'f.npy'));
      if (!r.ok) continue;
      accepted++;
      const h = r.value.header;
      expect(h.dataOffset + h.dataBytes).toBe(bytes.length);
      expect(h.count).toBe(h.shape.reduce((a, b) => a * b, 1));
      const values = r.value.values;
      expect(values.length).toBe(h.count);
      if (h.dtype.kind !== 'U' && h.dtype.kind !== 'S' && h.dtype.littleEndian && !Array.isArray(values)) {
        const v = values as Exclude<NpyArray['values'], string[]>;
        expect(Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(bytes.subarray(h.dataOffset)))).toBe(true);
      }
    }
    // The mutations keep some headers valid (whitespace, equivalent shapes): both outcomes occur.
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(CASES - 100);
  });
});

describe('fuzz: .npz archives', () => {
  const CASES = 400;
  const arrays = {
    losses: { values: LOSSES, shape: [T, N] },
    steps: { values: Float64Array.from({ length: T }, (_, t) => 10 * t), shape: [T] },
    groups: { values: ['A', 'B', 'B'], shape: [N] },
  };
  const originals = decodeNpz(encodeNpz(arrays), 'o.npz');

  function same(a: NpyArray, b: NpyArray): boolean {
    if (a.header.dtype.descr !== b.header.dtype.descr) return false;
    if (JSON.stringify(a.header.shape) !== JSON.stringify(b.header.shape)) return false;
    return JSON.stringify(Array.from(a.values as ArrayLike<unknown>, String)) === JSON.stringify(Array.from(b.values as ArrayLike<unknown>, String));
  }

  it(`${CASES} damaged archives (stored and deflated): a coded error, or exactly the original arrays`, async () => {
    const rand = prng(20260402);
    let refused = 0;
    for (let c = 0; c < CASES; c++) {
      const zip = encodeNpz(arrays, { compress: c % 2 === 1 });
      let bytes: Uint8Array = zip.slice();
      const kind = Math.floor(rand() * 4);
      if (kind === 0) {
        const flips = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      } else if (kind === 1) {
        bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
      } else if (kind === 2) {
        const at = Math.floor(rand() * bytes.length);
        const extra = Uint8Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)]);
      } else {
        // A size or offset field set to an extreme value.
        const at = Math.floor(rand() * (bytes.length - 4));
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, pick(rand, [0, 1, 0xffffffff, 0x7fffffff, bytes.length, 2 ** 30]), true);
      }
      const r = await attempt(`npz case ${c} (kind ${kind})`, () => decodeNpz(bytes, 'z.npz'));
      if (!r.ok) {
        refused++;
        continue;
      }
      // Only bytes that carry no data (times, names, comments) can change without a refusal.
      for (const [name, a] of r.value) expect([...originals.values()].some((o) => same(o, a)), `npz case ${c}: array '${name}'`).toBe(true);
    }
    expect(refused).toBeGreaterThan(CASES / 2);
  });
});

describe('fuzz: CSV and JSONL lines', () => {
  const CASES = 300;
  const CHARS = '0123456789.,eE+- \t"\r\n[]{}:nulNaIfity\u00a0\ufeff';
  const dir = tempDir('rdm2-fuzz-');
  const rows = Array.from({ length: T }, (_, t) => Array.from({ length: N }, (_, i) => LOSSES[t * N + i]!));
  const texts = {
    csv: ['a,b,c', ...rows.map((r) => r.join(','))].join('\n') + '\n',
    jsonl: rows.map((r, t) => JSON.stringify({ step: t * 10, losses: r })).join('\n') + '\n',
  };

  function mutate(text: string, rand: () => number): string {
    return editText(text, rand, CHARS, 4, [
      (s, at) => s.slice(0, at) + pick(rand, ['[[[[[[', '{"losses": [', '"', 'NaN', '-Infinity', '1e999', '\r', '\n\n', ',,,']) + s.slice(at),
      (s) => {
        const lines = s.split('\n');
        lines.splice(Math.floor(rand() * lines.length), 0, lines[Math.floor(rand() * lines.length)]!);
        return lines.join('\n');
      },
      (s) => s.replace(/\n/g, pick(rand, ['\r\n', '\r', '\n'])),
    ]);
  }

  /** Every number a text could spell, for checking that a read value came from the text. */
  function spelled(text: string): Set<number> {
    const out = new Set<number>();
    for (const tok of text.split(/[^0-9.eE+\-A-Za-z]+/)) {
      const v = Number(tok);
      if (tok !== '' && !Number.isNaN(v)) out.add(v);
    }
    return out;
  }

  for (const format of ['csv', 'jsonl'] as const) {
    it(`${CASES} mutated ${format.toUpperCase()} files: a coded error, or a consistent matrix of numbers the text spells`, async () => {
      const rand = prng(format === 'csv' ? 20260403 : 20260404);
      let accepted = 0;
      for (let c = 0; c < CASES; c++) {
        const text = mutate(texts[format], rand);
        const f = join(dir, `${format}${c}.${format}`);
        writeFileSync(f, text);
        const r = await attempt(`${format} case ${c} ${JSON.stringify(text)}`, () => readLossFile(f, { sidecar: false }));
        if (!r.ok) continue;
        accepted++;
        const { data, shape } = r.value.losses;
        expect(shape.length).toBe(2);
        expect(shape[0]! * shape[1]!).toBe(data.length);
        expect(shape[0]).toBeGreaterThanOrEqual(1);
        expect(shape[1]).toBeGreaterThanOrEqual(1);
        const ok = spelled(text);
        for (const v of data) if (Number.isFinite(v)) expect(ok.has(v), `${format} case ${c}: ${v} is not in the text`).toBe(true);
      }
      expect(accepted).toBeGreaterThan(10);
    });
  }
});

describe('fuzz: sweep summaries given to merge', () => {
  const CASES = 200;
  const paths = Array.from({ length: 12 }, (_, i) => `lr-${i % 3}/seed${i}/losses.npy`).sort();
  const COUNT = 2;
  const options = { analysis: { window: 12 }, warning: {}, format: 'json' as const };
  const tree = treeHash(paths);

  function record(path: string, i: number): RunRecord {
    if (i % 5 === 4) return { path, status: 'failed', error: `${path}: truncated [ERR_RDM2_FILE]` };
    return { path, status: 'ok', error: null, shcPeak: { window: i, checkpoint: i + 11, step: 10 * i, value: 0.5 + i }, blockEnergy: { A: 0.25, B: 0.75 } } as unknown as RunRecord;
  }

  function shardDocs(): SweepSummary[] {
    return Array.from({ length: COUNT }, (_, index) =>
      buildSummary(
        { root: 'runs', pattern: '**/losses.npy', options, shard: { index, count: COUNT }, discovered: paths.length, tree },
        paths.map((p, i) => ({ p, i })).filter(({ p }) => shardOf(p, COUNT) === index).map(({ p, i }) => record(p, i)),
      ),
    );
  }

  /** The JSON paths of every value in a document (iteratively). */
  function nodes(doc: unknown): (string | number)[][] {
    const out: (string | number)[][] = [];
    const stack: { v: unknown; at: (string | number)[] }[] = [{ v: doc, at: [] }];
    while (stack.length > 0) {
      const { v, at } = stack.pop()!;
      out.push(at);
      if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, at: [...at, i] }));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push({ v: x, at: [...at, k] });
    }
    return out;
  }

  const REPLACEMENTS: unknown[] = [null, 1e300, -1, 0, 2 ** 53, 'x', '', '../../x', '/abs', {}, [], true, 'lr-0/seed0/losses.npy', { index: 0, count: 300000000 }];

  /** A mutated copy of the document, as JSON text (deep nesting spliced in as text: JSON.stringify would recurse). */
  function mutate(doc: SweepSummary, rand: () => number): string {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    const all = nodes(copy).filter((p) => p.length > 0);
    const at = pick(rand, all);
    let parent: Record<string | number, unknown> = copy;
    for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = at[at.length - 1]!;
    const kind = Math.floor(rand() * 4);
    if (kind === 0 && !Array.isArray(parent)) delete parent[last];
    else if (kind === 1) parent[last] = DEEP;
    else if (kind === 2 && Array.isArray(parent)) parent.push(parent[last as number]);
    else parent[last] = pick(rand, REPLACEMENTS);
    return JSON.stringify(copy).replace(JSON.stringify(DEEP), `${'['.repeat(5000)}1${']'.repeat(5000)}`);
  }
  const DEEP = '\u0000deep';

  it(`${CASES} tampered shard summaries: a coded error, or the merge of exactly the runs the sweep found`, async () => {
    const rand = prng(20260405);
    const base = tempDir('rdm2-fuzz-merge-');
    let refused = 0;
    for (let c = 0; c < CASES; c++) {
      const docs = shardDocs();
      const victim = Math.floor(rand() * COUNT);
      const dir = join(base, `case${c}`);
      mkdirSync(dir);
      docs.forEach((d, i) => writeFileSync(join(dir, `summary.shard-${i}-of-${COUNT}.json`), i === victim ? mutate(d, rand) : JSON.stringify(d)));
      const r = await attempt(`merge case ${c}`, () => mergeShards([dir], join(dir, 'merged')), ['ERR_RDM2_FILE', 'ERR_RDM2_USAGE']);
      if (!r.ok) {
        refused++;
        continue;
      }
      const s = r.value.summary;
      expect(s.runs.map((x) => x.path)).toEqual(paths);
      expect(s.counts.runs).toBe(paths.length);
      expect(s.tree).toBe(tree);
      expect(s.counts.ok + s.counts.failed).toBe(paths.length);
    }
    expect(refused).toBeGreaterThan(CASES / 3);
  });
});
