// Hostile and careless input files (issue 13): non-regular files, corrupt and inflating .npz
// archives, headerless CSV with missing values, deep nesting, very long and CR-only lines,
// byte-order marks, and the checksum read that must stop when the analysis fails.
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, ftruncateSync, readdirSync, readlinkSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { analyzeFile, sha256File } from '../lib/io/analyze_file.js';
import { readJsonFile } from '../lib/io/json_file.js';
import { MAX_LINE_LENGTH, LineReader } from '../lib/io/line_reader.js';
import { readGroupsFile, readMetaJson } from '../lib/io/meta.js';
import { encodeNpy, readNpy, readNpyHeader } from '../lib/io/npy.js';
import { buildNpyHeader } from '../lib/io/npy_header.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { readResultForReport } from '../lib/report/result_input.js';
import { readSummaryFile } from '../lib/sweep/summary_files.js';
import { showValue } from '../lib/show_value.js';
import { expectReject } from './helpers.js';
import { lossMatrix, tempDir, writeCsv, writeNpy, writeText } from './io_fixtures.js';

/** Every reader that opens a path rdm2 was given or found. */
const READERS: [string, (p: string) => Promise<unknown>][] = [
  ['readLossFile', (p) => readLossFile(p)],
  ['analyzeFile', (p) => analyzeFile(p, { window: 2 })],
  ['readNpy', (p) => readNpy(p)],
  ['readNpyHeader', (p) => readNpyHeader(p)],
  ['readMetaJson', (p) => readMetaJson(p)],
  ['readGroupsFile', (p) => readGroupsFile(p)],
  ['readSummaryFile', (p) => readSummaryFile(p)],
  ['readResultForReport', (p) => readResultForReport(p)],
  ['sha256File', (p) => sha256File(p)],
];

describe('non-regular files are refused by every reader (item 12)', () => {
  it('a FIFO is refused at once instead of blocking', async () => {
    const dir = tempDir();
    for (const ext of ['npy', 'npz', 'csv', 'jsonl', 'json', 'txt']) {
      const fifo = join(dir, `losses.${ext}`);
      execFileSync('mkfifo', [fifo]);
    }
    for (const [name, read] of READERS) {
      const ext = name === 'readMetaJson' || name === 'readSummaryFile' || name === 'readResultForReport' ? 'json' : name === 'readGroupsFile' ? 'txt' : name.startsWith('readNpy') ? 'npy' : 'csv';
      const fifo = join(dir, `losses.${ext}`);
      await expectReject(read(fifo), 'ERR_RDM2_FILE', new RegExp(`^${fifo}: cannot read: a FIFO \\(named pipe\\), expected a regular file$`));
    }
    for (const ext of ['npz', 'jsonl']) {
      const fifo = join(dir, `losses.${ext}`);
      await expectReject(readLossFile(fifo), 'ERR_RDM2_FILE', /a FIFO \(named pipe\), expected a regular file/);
    }
  });

  it('a FIFO or a device as the sidecar meta.json is refused, not silently ignored', async () => {
    const dir = tempDir();
    const f = writeNpy(join(dir, 'losses.npy'), lossMatrix(6, 2, 1), 6, 2);
    execFileSync('mkfifo', [join(dir, 'meta.json')]);
    await expectReject(readLossFile(f), 'ERR_RDM2_FILE', new RegExp(`^${join(dir, 'meta.json')}: cannot read: a FIFO \\(named pipe\\), expected a regular file$`));
    const g = writeNpy(join(dir, 'b', 'losses.npy'), lossMatrix(6, 2, 1), 6, 2);
    symlinkSync('/dev/zero', join(dir, 'b', 'losses.meta.json'));
    await expectReject(analyzeFile(g, { window: 2 }), 'ERR_RDM2_FILE', /losses\.meta\.json: cannot read: a character device/);
  });

  it('/dev/zero behind a loss file name is refused instead of read forever', async () => {
    const dir = tempDir();
    for (const ext of ['csv', 'jsonl', 'npy', 'npz']) {
      const link = join(dir, `losses.${ext}`);
      symlinkSync('/dev/zero', link);
      await expectReject(readLossFile(link), 'ERR_RDM2_FILE', /cannot read: a character device, expected a regular file$/);
      await expectReject(analyzeFile(link, { window: 2 }), 'ERR_RDM2_FILE', /a character device/);
    }
  });

  it('a directory is refused by every reader', async () => {
    const dir = tempDir();
    for (const [, read] of READERS) {
      const d = join(dir, `d${Math.random().toString(36).slice(2)}.csv`);
      mkdirSync(d);
      await expectReject(read(d), 'ERR_RDM2_FILE', /cannot read: a directory, expected a regular file$/);
    }
  });
});

/** The paths this process holds open. */
function openPaths(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

describe('the background checksum (item 12)', () => {
  it('is cancelled when the analysis fails: nothing still reads the file when analyzeFile rejects', async () => {
    const dir = tempDir();
    // A 4 GiB file (sparse: no disk used) whose header fails at once.
    const f = join(dir, 'huge.npy');
    const header = encodeNpy({ values: Int32Array.of(0), shape: [1, 1] }).subarray(0, 128);
    writeFileSync(f, header);
    const fd = openSync(f, 'r+');
    ftruncateSync(fd, 4 * 2 ** 30);
    closeSync(fd);
    await expectReject(analyzeFile(f, { window: 2 }), 'ERR_RDM2_FILE', /unexpected bytes after the data/);
    expect(openPaths()).not.toContain(f);
  });

  it('an aborted signal stops sha256File', async () => {
    const dir = tempDir();
    const f = writeText(join(dir, 'x.bin'), new Uint8Array(3 * 2 ** 20));
    const c = new AbortController();
    c.abort();
    await expect(sha256File(f, c.signal)).rejects.toThrow(/aborted/);
    expect(openPaths()).not.toContain(f);
  });
});

describe('headerless CSV with missing values (item 7)', () => {
  it('a first row with an empty field is data, not a header, and no column is dropped', async () => {
    const dir = tempDir();
    const T = 30;
    const n = 4;
    const data = lossMatrix(T, n, 3);
    for (const blank of [0, 2]) {
      const lines = Array.from({ length: T }, (_, t) => Array.from({ length: n }, (_, i) => (t === 0 && i === blank ? '' : String(data[t * n + i]))).join(','));
      const f = writeText(join(dir, `blank${blank}.csv`), lines.join('\n') + '\n');
      const r = await readLossFile(f);
      expect(r.losses.shape).toEqual([T, n]);
      expect(r.probeNames).toBeUndefined();
      const expected = Array.from(data);
      expected[blank] = NaN;
      expect(Array.from(r.losses.data)).toEqual(expected);
    }
  });

  it("pandas' headers still are headers: names after an empty index label, and default labels 0..n-1", async () => {
    const dir = tempDir();
    const data = lossMatrix(5, 3, 4);
    const named = await readLossFile(writeCsv(join(dir, 'named.csv'), data, 5, 3, { header: true, index: true }));
    expect(named.losses.shape).toEqual([5, 3]);
    expect(named.probeNames).toEqual(['p0', 'p1', 'p2']);
    const rows = Array.from({ length: 5 }, (_, t) => [t, data[t * 3], data[t * 3 + 1], data[t * 3 + 2]].join(','));
    const labels = await readLossFile(writeText(join(dir, 'labels.csv'), [',0,1,2', ...rows].join('\n') + '\n'));
    expect(labels.losses.shape).toEqual([5, 3]);
    expect(Array.from(labels.losses.data)).toEqual(Array.from(data));
  });
});

/** Offsets of the central directory entries of a zip. */
function centralEntries(zip: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2) out.push(i);
  return out;
}

describe('.npz integrity and bombs (items 8, 14)', () => {
  const T = 6;
  const n = 4;
  const losses = lossMatrix(T, n, 5);
  const npy = encodeNpy({ values: losses, shape: [T, n] });

  it('a flipped data byte in a stored member is refused by its CRC-32', async () => {
    const dir = tempDir();
    const zip = zipSync({ 'losses.npy': npy }, { level: 0 });
    const dataStart = 30 + 'losses.npy'.length; // fflate writes no extra field for a small stored member
    expect(Array.from(zip.subarray(dataStart, dataStart + 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    const bad = zip.slice();
    bad[dataStart + 128 + 7] ^= 0x40; // the exponent byte of losses[0]
    const f = writeText(join(dir, 'flip.npz'), bad);
    await expectReject(readLossFile(f), 'ERR_RDM2_FILE', /member 'losses\.npy': CRC-32 mismatch \(stored [0-9a-f]{8}, data [0-9a-f]{8}\): the archive is corrupt$/);
    await expectReject(analyzeFile(f, { window: 2 }), 'ERR_RDM2_FILE', /CRC-32 mismatch/);
    // The untouched archive reads back exactly.
    const good = await readLossFile(writeText(join(dir, 'good.npz'), zip));
    expect(Array.from(good.losses.data)).toEqual(Array.from(losses));
  });

  it('a flipped byte in deflated data is refused (corrupt stream or CRC-32)', async () => {
    const dir = tempDir();
    const zip = zipSync({ 'losses.npy': npy }, { level: 6 });
    const dataStart = 30 + 'losses.npy'.length;
    let refused = 0;
    for (let k = 0; k < 40; k++) {
      const bad = zip.slice();
      bad[dataStart + 20 + k * 3] ^= 0x10;
      const f = writeText(join(dir, `d${k}.npz`), bad);
      try {
        const r = await readLossFile(f);
        // Inflate may reach the same bytes through a different code: then they must be the original.
        expect(Array.from(r.losses.data)).toEqual(Array.from(losses));
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ERR_RDM2_FILE');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(30);
  });

  it('a member declaring far more than it compresses is refused before inflating (zip bomb)', async () => {
    const dir = tempDir();
    // 20000 x 1000 float32 zeros: 80 MB declared, about 78 KB deflated.
    const shape = [20000, 1000];
    const head = buildNpyHeader('<f4', false, shape);
    const body = new Uint8Array(head.length + 4 * shape[0] * shape[1]);
    body.set(head);
    const zip = zipSync({ 'losses.npy': [body, { level: 9 }] });
    expect(zip.length).toBeLessThan(body.length / 256);
    const f = writeText(join(dir, 'bomb.npz'), zip);
    await expectReject(
      readLossFile(f),
      'ERR_RDM2_FILE',
      /member 'losses\.npy': declares 80000128 bytes inflated from \d+ \(\d+:1\), more than the 256:1 rdm2 accepts beyond 67108864 bytes \(a zip bomb\?\); store it uncompressed \(np\.savez\) if it is real$/,
    );
  });

  it("a deflated member whose declared size disagrees with its header's shape is refused before inflating", async () => {
    const dir = tempDir();
    const zip = zipSync({ 'losses.npy': [npy, { level: 6 }] });
    const [central] = centralEntries(zip);
    const bad = zip.slice();
    new DataView(bad.buffer).setUint32(central! + 24, 1_000_000, true); // declared uncompressed size
    const f = writeText(join(dir, 'lie.npz'), bad);
    await expectReject(
      readLossFile(f),
      'ERR_RDM2_FILE',
      new RegExp(`^${f} \\(array 'losses'\\): header: shape \\(6, 4\\) float64 makes 320 bytes with its header, but the archive declares 1000000$`),
    );
  });

  it('a member that inflates past its declared size is refused', async () => {
    const dir = tempDir();
    const zip = zipSync({ 'losses.npy': [npy, { level: 6 }] });
    const [central] = centralEntries(zip);
    const bad = zip.slice();
    new DataView(bad.buffer).setUint32(central! + 24, 300, true);
    // The header check catches the lie first; with the shape lying too, the inflate limit does.
    await expectReject(readLossFile(writeText(join(dir, 'short.npz'), bad)), 'ERR_RDM2_FILE', /the archive declares 300$/);
  });

  it('truncated and garbage archives are coded errors', async () => {
    const dir = tempDir();
    const zip = zipSync({ 'losses.npy': npy }, { level: 0 });
    for (const cut of [10, 100, zip.length - 30, zip.length - 1]) {
      await expectReject(readLossFile(writeText(join(dir, `cut${cut}.npz`), zip.subarray(0, cut))), 'ERR_RDM2_FILE', /not a valid \.npz \(zip\) archive/);
    }
  });
});

describe('deep nesting is a coded error, not a stack overflow (item 18)', () => {
  it('50,000 parentheses in an .npy header', async () => {
    const dir = tempDir();
    const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${'('.repeat(50000)}2, 2${')'.repeat(50000)}, }`;
    const total = Math.ceil((12 + dict.length + 1) / 64) * 64;
    const bytes = new Uint8Array(total + 32);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, total - 12, true);
    bytes.set(Buffer.from(dict.padEnd(total - 13, ' ') + '\n', 'latin1'), 12);
    const f = writeText(join(dir, 'deep.npy'), bytes);
    await expectReject(readLossFile(f), 'ERR_RDM2_FILE', /malformed header .*: expected at most 8 levels of nested dicts, tuples and lists$/);
  });

  it('100,000 brackets in a JSONL line, and in JSON documents', async () => {
    const dir = tempDir();
    const deep = `${'['.repeat(100000)}1${']'.repeat(100000)}`;
    const f = writeText(join(dir, 'deep.jsonl'), `[1, 2]\n${deep}\n`);
    await expectReject(readLossFile(f), 'ERR_RDM2_FILE', new RegExp(`^${f}: line 2, character 65: arrays or objects nested deeper than 64 levels, expected at most 64$`));
    const g = writeText(join(dir, 'first.jsonl'), `${deep}\n`);
    await expectReject(readLossFile(g), 'ERR_RDM2_FILE', /line 1, character 65: arrays or objects nested deeper than 64 levels/);
    // A line one level deep per row element is still a readable value error, named briefly.
    const h = writeText(join(dir, 'nested.jsonl'), `[1, 2]\n[1, ${'['.repeat(60)}${']'.repeat(60)}]\n`);
    await expectReject(readLossFile(h), 'ERR_RDM2_FILE', /line 2, \[1\]: an array of 1 item is not a number, expected a loss$/);
    for (const name of ['meta.json', 'summary.json', 'groups.json']) {
      const p = writeText(join(dir, 'docs', name), `{"groups": ${deep}}`);
      const read = name === 'meta.json' ? readMetaJson(p) : name === 'summary.json' ? readSummaryFile(p) : readGroupsFile(p);
      await expectReject(read, 'ERR_RDM2_FILE', /character 75: arrays or objects nested deeper than 64 levels/);
    }
  });

  it('brackets inside strings do not count', async () => {
    const dir = tempDir();
    const p = writeText(join(dir, 'g.json'), JSON.stringify({ groups: ['['.repeat(1000), ']'] }));
    expect(await readGroupsFile(p)).toEqual(['['.repeat(1000), ']']);
    expect(await readJsonFile(writeText(join(dir, 'e.json'), '["\\"[[[["]'), 'x')).toEqual(['"[[[[']);
  });
});

describe('long lines, line endings, byte-order marks (item 15, messages)', () => {
  it('a line longer than many read chunks comes back whole, with CR, LF and CRLF endings split across chunks', async () => {
    const dir = tempDir();
    const long = 'x'.repeat(5 * 2 ** 20 + 17);
    for (const ending of ['\n', '\r\n', '\r']) {
      const text = `a${ending}${long}${ending}${ending}b${ending}${long}`;
      const f = writeText(join(dir, `long${ending.length}${ending.charCodeAt(0)}.txt`), text);
      const r = await LineReader.open(f);
      const lines: string[] = [];
      for (let l = await r.next(); l !== undefined; l = await r.next()) lines.push(l);
      await r.close();
      expect(lines.length).toBe(5);
      expect(lines[0]).toBe('a');
      expect(lines[1] === long).toBe(true);
      expect(lines[2]).toBe('');
      expect(lines[3]).toBe('b');
      expect(lines[4] === long).toBe(true);
    }
  });

  it('a CRLF whose CR ends one read chunk and LF starts the next is one line end', async () => {
    const dir = tempDir();
    const first = 'y'.repeat(2 ** 20 - 1);
    const f = writeText(join(dir, 'edge.txt'), `${first}\r\nz\r\n`);
    const r = await LineReader.open(f);
    expect((await r.next()) === first).toBe(true);
    expect(await r.next()).toBe('z');
    expect(await r.next()).toBeUndefined();
    await r.close();
  });

  it('a line longer than the documented maximum is a coded error', async () => {
    const dir = tempDir();
    const f = join(dir, 'huge.csv');
    writeFileSync(f, '1,2\n');
    const fd = openSync(f, 'r+');
    ftruncateSync(fd, 4 + MAX_LINE_LENGTH + 2 ** 20); // a line of NUL bytes (sparse)
    closeSync(fd);
    await expectReject(readLossFile(f), 'ERR_RDM2_FILE', new RegExp(`^${f}: line 2: longer than ${MAX_LINE_LENGTH} characters, the longest line rdm2 reads$`));
  });

  it('a CR-only CSV is read line by line (not as T = 0)', async () => {
    const dir = tempDir();
    const data = lossMatrix(8, 3, 6);
    const lines = Array.from({ length: 8 }, (_, t) => [0, 1, 2].map((i) => data[t * 3 + i]).join(','));
    const r = await readLossFile(writeText(join(dir, 'cr.csv'), ['a,b,c', ...lines].join('\r') + '\r'));
    expect(r.losses.shape).toEqual([8, 3]);
    expect(Array.from(r.losses.data)).toEqual(Array.from(data));
    const fa = await analyzeFile(writeText(join(dir, 'cr2.csv'), lines.join('\r')), { window: 4 });
    expect(fa.input.shape).toEqual([8, 3]);
  });

  it('a meta.json and a groups file with a byte-order mark are read', async () => {
    const dir = tempDir();
    const meta = writeText(join(dir, 'meta.json'), '\uFEFF{"transition": 12, "groups": ["a", "b"]}');
    expect((await readMetaJson(meta)).meta).toEqual({ transition: 12, groups: ['a', 'b'] });
    expect(await readGroupsFile(writeText(join(dir, 'g.json'), '\uFEFF["a", "b"]'))).toEqual(['a', 'b']);
    expect(await readGroupsFile(writeText(join(dir, 'g.txt'), '\uFEFFa\r\nb\rc\n'))).toEqual(['a', 'b', 'c']);
    const losses = writeNpy(join(dir, 'losses.npy'), lossMatrix(6, 2, 1), 6, 2);
    expect((await readLossFile(losses)).meta.transition).toBe(12);
  });

  it('values in messages: NaN as NaN, long strings cut, nesting summarised', () => {
    expect(showValue(NaN)).toBe('NaN');
    expect(showValue(-Infinity)).toBe('-Infinity');
    expect(showValue('q'.repeat(100))).toBe(`"${'q'.repeat(60)}"... (100 characters)`);
    expect(showValue([[1], [NaN]])).toBe('[[1],[NaN]]');
    expect(showValue(new Array(100).fill(0))).toBe('an array of 100 items');
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(showValue(deep)).toBe('an array of 1 item');
  });
});
