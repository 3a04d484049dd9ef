// Parquet in and out against a real engine: DuckDB writes the loss files (wide and long, every
// codec, several row groups) and rdm2's analysis of each equals the .npy analysis exactly; DuckDB
// reads rdm2's Parquet results and sweep summaries back, value for value; malformed files give
// ERR_RDM2_FILE naming the file and the position.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { toLossMatrix } from '../lib/io/loss_array.js';
import { writeResult } from '../lib/io/write_result.js';
import { summarizeFile } from '../lib/io/file_summary.js';
import type { AnalyzeOptions } from '../lib/types.js';
import { duckdb, loadMatrix, probeNames, rows, sqlText } from './duckdb_fixtures.js';
import { expectErrorAsync } from './helpers.js';
import { lossMatrix, runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const T = 60;
const n = 12;
const data = lossMatrix(T, n, 21);
const steps = Float64Array.from({ length: T }, (_, t) => 500 + 25 * t);
const OPTS: AnalyzeOptions = { window: 12, stride: 2, topK: 2, detrend: 'linear', threads: 2 };
const names = probeNames(n);
const dir = tempDir('rdm2-parquet-');
let c: DuckDBConnection;

beforeAll(async () => {
  c = await duckdb();
  await loadMatrix(c, 'w', data, T, n, steps);
});

/** COPY a query to a Parquet file in `dir`. */
async function copy(sql: string, file: string, options = ''): Promise<string> {
  const path = join(dir, file);
  await c.run(`COPY (${sql}) TO ${sqlText(path)} (FORMAT parquet${options ? `, ${options}` : ''})`);
  return path;
}

describe('DuckDB writes, rdm2 reads: equal to the .npy analysis, bit for bit', () => {
  const ref = analyzeSync({ data, shape: [T, n] }, OPTS);
  const ref32 = analyzeSync({ data: Float32Array.from(data), shape: [T, n] }, OPTS);

  it('the .npy reference itself', async () => {
    expect((await analyzeFile(writeNpy(join(dir, 'ref.npy'), data, T, n), OPTS)).analysis).toEqual(ref);
  });

  const wide = 'SELECT * FROM w ORDER BY step';
  const cases: [string, string, string, 'float32' | 'float64'][] = [
    ['wide, snappy', wide, '', 'float64'],
    ['wide, zstd', wide, 'COMPRESSION zstd', 'float64'],
    ['wide, gzip', wide, 'COMPRESSION gzip', 'float64'],
    ['wide, uncompressed, one row group', wide, 'COMPRESSION uncompressed', 'float64'],
    ['wide float32 (FLOAT columns)', `SELECT step, ${names.map((p) => `${p}::FLOAT AS ${p}`).join(', ')} FROM w ORDER BY step`, '', 'float32'],
    ['wide, no step column', `SELECT ${names.join(', ')} FROM w ORDER BY step`, '', 'float64'],
    ['long, sorted by step and probe', `SELECT step, probe, loss FROM (UNPIVOT w ON COLUMNS(* EXCLUDE (step)) INTO NAME probe VALUE loss) ORDER BY step, probe`, '', 'float64'],
    [
      'long, integer probe ids, rows shuffled within each step',
      `SELECT step, CAST(substr(probe, 2) AS INTEGER) AS probe, loss FROM (UNPIVOT w ON COLUMNS(* EXCLUDE (step)) INTO NAME probe VALUE loss) ORDER BY step, hash(probe)`,
      '',
      'float64',
    ],
  ];
  for (const [label, sql, options, dtype] of cases) {
    it(label, async () => {
      const path = await copy(sql, `${label.replace(/\W+/g, '_')}.parquet`, options);
      const fa = await analyzeFile(path, OPTS);
      expect(fa.analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      expect(fa.input).toMatchObject({ path, format: 'parquet', shape: [T, n], dtype, variant: 'sliding', bytes: readFileSync(path).length });
      const long = label.startsWith('long');
      expect(fa.probeNames).toEqual(long && label.includes('integer') ? names.map((p) => String(Number(p.slice(1)))) : names);
      if (label.includes('no step')) expect(fa.windowSteps).toBeUndefined();
      else expect(Array.from(fa.windowSteps!)).toEqual(Array.from(ref.t, (t) => steps[t]));
      // Chunked reads across row-group boundaries change nothing.
      expect((await analyzeFile(path, { ...OPTS, chunkBytes: 1 })).analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      const whole = await readLossFile(path);
      expect(analyzeSync(toLossMatrix(whole.losses), OPTS)).toEqual(dtype === 'float32' ? ref32 : ref);
    });
  }

  it('several row groups, a step of the long layout split across two of them', async () => {
    const [TT, nn] = [9000, 3];
    const big = lossMatrix(TT, nn, 5);
    await loadMatrix(c, 'big', big, TT, nn, Float64Array.from({ length: TT }, (_, t) => t));
    const wideFile = await copy('SELECT * FROM big ORDER BY step', 'big_wide.parquet', 'ROW_GROUP_SIZE 2048');
    const longFile = await copy('SELECT step, probe, loss FROM (UNPIVOT big ON COLUMNS(* EXCLUDE (step)) INTO NAME probe VALUE loss) ORDER BY step, probe', 'big_long.parquet', 'ROW_GROUP_SIZE 2048');
    const groups = async (f: string): Promise<number> => Number((await rows(c, `SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${sqlText(f)})`))[0]![0]);
    expect(await groups(wideFile)).toBeGreaterThan(1);
    expect(await groups(longFile)).toBeGreaterThan(4); // 9000 rows: 2048 is not a multiple of 3, so steps straddle groups
    const opts: AnalyzeOptions = { window: 40, stride: 3, topK: 1 };
    const bigRef = analyzeSync({ data: big, shape: [TT, nn] }, opts);
    for (const f of [wideFile, longFile]) {
      for (const chunkBytes of [100, 1e6]) expect((await analyzeFile(f, { ...opts, chunkBytes })).analysis).toEqual(bigRef);
    }
  });

  it('a null loss is NaN: an error at its row and column, or a degenerate window with skip-window', async () => {
    const path = await copy(`SELECT step, ${names.map((p) => (p === 'p03' ? `CASE WHEN step = ${steps[17]} THEN NULL ELSE ${p} END AS ${p}` : p)).join(', ')} FROM w ORDER BY step`, 'null.parquet');
    await expectErrorAsync(() => analyzeFile(path, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${path}: row 17, column 'p03': NaN is not finite`));
    const skipped = await analyzeFile(path, { ...OPTS, nonFinite: 'skip-window' });
    expect(skipped.analysis.degenerate.some((d) => d === 1)).toBe(true);
  });
});

describe('rdm2 writes, DuckDB reads', () => {
  it('a Parquet result: one row per window, list columns, options in the file metadata', async () => {
    const src = await copy('SELECT * FROM w ORDER BY step', 'in.parquet');
    const fa = await analyzeFile(src, OPTS);
    const summary = summarizeFile(fa);
    const out = join(dir, 'result.parquet');
    await writeResult(out, { ...fa, summary });
    const a = fa.analysis;
    const got = await rows(c, `SELECT "window", t, step, trace, pr, entropy, shc, topShare, degenerate, eigenvalues, eigenvectors FROM ${sqlText(out)} ORDER BY "window"`);
    expect(got.length).toBe(a.windows);
    const k = a.options.topK;
    got.forEach((r, j) => {
      expect(r.slice(0, 9)).toEqual([j, a.t[j], fa.windowSteps![j], a.trace[j], a.pr[j], a.entropy[j], a.shc[j], a.topShare[j], a.degenerate[j] === 1]);
      expect((r[9] as { items: number[] }).items).toEqual(Array.from(a.eigenvalues.subarray(j * a.eigenCount, (j + 1) * a.eigenCount)));
      const vectors = (r[10] as { items: { items: number[] }[] }).items.map((v) => v.items);
      expect(vectors).toEqual(Array.from({ length: k }, (_, q) => Array.from(a.eigenvectors!.subarray((j * k + q) * n, (j * k + q + 1) * n))));
    });
    const [[meta]] = await rows(c, `SELECT decode(value) FROM parquet_kv_metadata(${sqlText(out)}) WHERE decode(key) = 'rdm2'`);
    const doc = JSON.parse(meta as string);
    expect(doc).toMatchObject({ kind: 'analysis', options: a.options, windows: a.windows, probes: n, input: fa.input, probeNames: names });
    expect(doc.summary).toEqual(JSON.parse(JSON.stringify(summary)));
  });

  it('a sweep summary.parquet: one row per run, equal to summary.json', async () => {
    const root = join(dir, 'sweep');
    for (let s = 0; s < 3; s++) {
      const seed = lossMatrix(T, n, 100 + s);
      await c.run(`CREATE TABLE s${s} (step BIGINT, ${names.map((p) => `${p} DOUBLE`).join(', ')})`);
      const app = await c.createAppender(`s${s}`);
      for (let t = 0; t < T; t++) {
        app.appendBigInt(BigInt(steps[t]!));
        for (let i = 0; i < n; i++) app.appendDouble(seed[t * n + i]!);
        app.endRow();
      }
      app.closeSync();
      writeText(join(root, `seed${s}`, 'losses.meta.json'), JSON.stringify({ transition: steps[40] }));
      await c.run(`COPY s${s} TO ${sqlText(join(root, `seed${s}`, 'losses.parquet'))} (FORMAT parquet)`);
    }
    writeFileSync(join(root, 'seed2', 'losses.parquet'), 'not parquet at all'); // one failed run
    const out = join(dir, 'sweep-out');
    const r = await runCliHere(['sweep', root, '--window', '12', '--top-k', '1', '--jobs', '1', '--out', out, '--format', 'parquet', '--quiet']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.counts).toEqual({ runs: 3, ok: 2, failed: 1 });
    // Every column of summary.csv, typed: numbers as DOUBLE, text as VARCHAR, nested values as JSON text.
    const file = sqlText(join(out, 'summary.parquet'));
    const columns = (await rows(c, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${file})`)) as [string, string][];
    expect(columns.map(([name]) => name)).toEqual(readFileSync(join(out, 'summary.csv'), 'utf8').split('\n')[0]!.split(','));
    expect(Object.fromEntries(columns)).toMatchObject({ path: 'VARCHAR', status: 'VARCHAR', error: 'VARCHAR', windows: 'DOUBLE', 'shcPeak.step': 'DOUBLE', 'transition.step': 'DOUBLE' });
    const table = await rows(c, `SELECT * FROM ${file}`);
    const dotted = (o: unknown, key: string): unknown => key.split('.').reduce<unknown>((v, k) => (v === null || v === undefined ? null : (v as Record<string, unknown>)[k]), o) ?? null;
    expect(table).toEqual(summary.runs.map((run: unknown) => columns.map(([name]) => dotted(run, name))));
    expect(table[2]![2]).toMatch(/seed2\/losses\.parquet: byte 0: not a Parquet file/);
    // Each run's result is Parquet too, readable by DuckDB.
    const [[count]] = await rows(c, `SELECT count(*) FROM ${sqlText(join(out, 'seed0', 'losses.parquet.parquet'))}`);
    expect(Number(count)).toBe(Math.floor((T - 12) / 1) + 1);
  });
});

describe('malformed Parquet files: ERR_RDM2_FILE with the file and the position', () => {
  let good: Buffer;
  let path: string;
  beforeAll(async () => {
    path = await copy('SELECT * FROM w ORDER BY step', 'good.parquet', 'COMPRESSION uncompressed');
    good = readFileSync(path);
  });

  const bad = (name: string, bytes: Uint8Array | string): string => writeText(join(dir, name), bytes);

  it('not Parquet, truncated, empty', async () => {
    const junk = bad('junk.parquet', 'step,p00\n1,2\n');
    await expectErrorAsync(() => analyzeFile(junk, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${junk}: byte 0: not a Parquet file: it does not start with 'PAR1'$`));
    const cut = bad('cut.parquet', good.subarray(0, good.length - 100));
    await expectErrorAsync(() => analyzeFile(cut, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${cut}: byte ${good.length - 104}: truncated or not a Parquet file`));
    const empty = bad('empty.parquet', '');
    await expectErrorAsync(() => analyzeFile(empty, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${empty}: byte 0: truncated`));
  });

  it('a footer that does not parse, or points past the end of the file', async () => {
    const footerLength = good.readUInt32LE(good.length - 8);
    const scrambled = Buffer.from(good);
    scrambled.fill(0xff, good.length - 8 - footerLength, good.length - 8);
    const f1 = bad('footer.parquet', scrambled);
    await expectErrorAsync(() => analyzeFile(f1, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f1}: footer: not a readable Parquet file`));
    const huge = Buffer.from(good);
    huge.writeUInt32LE(good.length * 2, good.length - 8);
    const f2 = bad('hugefooter.parquet', huge);
    await expectErrorAsync(() => analyzeFile(f2, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f2}: footer: not a readable Parquet file`));
  });

  it('corrupt page data names the row group', async () => {
    const broken = Buffer.from(good);
    broken.fill(0xee, 4, 200); // the first page header of the first column chunk
    const f = bad('page.parquet', broken);
    await expectErrorAsync(() => analyzeFile(f, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f}: row group 0 \\(rows 0-${T - 1}\\): not a readable Parquet file`));
  });

  it('schema errors: a text probe column, a long table with a missing or a doubled probe, unsorted steps', async () => {
    const text = await copy(`SELECT step, p00, 'x' AS label FROM w`, 'text.parquet');
    await expectErrorAsync(() => analyzeFile(text, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${text}: schema, column 'label': type BYTE_ARRAY (STRING|UTF8), expected float32 or float64 losses`));
    const longSql = `SELECT step, probe, loss FROM (UNPIVOT w ON COLUMNS(* EXCLUDE (step)) INTO NAME probe VALUE loss)`;
    const missing = await copy(`${longSql} WHERE NOT (step = ${steps[3]} AND probe = 'p05') ORDER BY step, probe`, 'missing.parquet');
    await expectErrorAsync(() => analyzeFile(missing, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${missing}: rows ${3 * n}-${4 * n - 2}: step ${steps[3]} has ${n - 1} of the ${n} probes \\(probe "p05" is missing\\)`));
    const twice = await copy(`SELECT * FROM (${longSql} UNION ALL SELECT step, 'p01', loss FROM (${longSql}) WHERE step = ${steps[2]} AND probe = 'p00') ORDER BY step, probe`, 'twice.parquet');
    await expectErrorAsync(() => analyzeFile(twice, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${twice}: row ${2 * n + 2}: probe "p01" appears twice at step ${steps[2]}`));
    const backwards = await copy('SELECT * FROM w ORDER BY step DESC', 'backwards.parquet');
    await expectErrorAsync(() => analyzeFile(backwards, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${backwards}: step\\[1\\]: .* does not come after`));
  });
});
