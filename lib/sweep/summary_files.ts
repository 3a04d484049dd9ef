// A sweep's summary: summary.json (the options, the counts, the failed runs and one record per
// run), summary.csv and summary.parquet (one row per run, nested fields flattened to dotted columns).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { checkRelativePath } from '../io/contained_path.js';
import { readJsonFile } from '../io/json_file.js';
import { showValue } from '../show_value.js';
import { rdm2Version } from '../io/producer.js';
import type { ResultFormat } from '../io/write_result.js';
import { summaryParquet } from './summary_parquet.js';
import type { RunRecord } from './run_record.js';
import type { Shard } from './shard.js';

/** The options every run of a sweep was analysed with (as requested; machine-specific knobs such as threads left out). */
export interface SweepRunOptions {
  analysis: Record<string, unknown>;
  warning: Record<string, unknown>;
  format: ResultFormat;
  /** The --groups file applied to every run, when given. */
  groups?: string;
}

/** summary.json. */
export interface SweepSummary {
  rdm2: { version: string; kind: 'sweep-summary' };
  /** The sweep root as given on the command line; record paths are relative to it. */
  root: string;
  pattern: string;
  options: SweepRunOptions;
  /** The shard this summary covers; null for a whole sweep (or a merge of all shards). */
  shard: Shard | null;
  /** Runs found under the root, before sharding. */
  discovered: number;
  /** sha256 of the sorted relative paths of the runs found (see {@link treeHash}): shards of one tree agree on it. */
  tree: string;
  counts: { runs: number; ok: number; failed: number };
  /** Paths of the failed runs. */
  failed: string[];
  /** One record per run, sorted by path. */
  runs: RunRecord[];
}

/** Builds a summary from records (sorted here by path). */
export function buildSummary(fields: Pick<SweepSummary, 'root' | 'pattern' | 'options' | 'shard' | 'discovered' | 'tree'>, records: RunRecord[]): SweepSummary {
  const runs = records.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const failed = runs.filter((r) => r.status === 'failed').map((r) => r.path);
  return {
    rdm2: { version: rdm2Version(), kind: 'sweep-summary' },
    root: fields.root,
    pattern: fields.pattern,
    options: fields.options,
    shard: fields.shard,
    discovered: fields.discovered,
    tree: fields.tree,
    counts: { runs: runs.length, ok: runs.length - failed.length, failed: failed.length },
    failed,
    runs,
  };
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, null);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The records as a flat table: the records' fields flattened with dots (`shcPeak.step`,
 * `blockEnergy.B`), in order of first appearance, `path`, `status` and `error` first. A nested
 * field that is null in a run (no warning: `firstWarning`) leaves its dotted columns empty.
 */
export function flattenRecords(records: readonly RunRecord[]): { columns: string[]; rows: Map<string, unknown>[] } {
  const rows = records.map((r) => {
    const m = new Map<string, unknown>();
    flatten(r, '', m);
    return m;
  });
  const columns: string[] = ['path', 'status', 'error'];
  const seen = new Set(columns);
  for (const m of rows) {
    for (const k of m.keys()) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  // A field that is an object in some runs and null in others: keep only its dotted columns.
  return { columns: columns.filter((c) => !columns.some((d) => d.startsWith(`${c}.`))), rows };
}

/** summary.csv: one row per run, the columns of {@link flattenRecords}. */
export function summaryCsv(records: readonly RunRecord[]): string {
  const { columns, rows } = flattenRecords(records);
  const lines = [columns.map(csvCell).join(',')];
  for (const m of rows) lines.push(columns.map((c) => csvCell(m.get(c))).join(','));
  return lines.join('\n') + '\n';
}

/** The summary files of a sweep. */
export interface SummaryFiles {
  json: string;
  csv: string;
  parquet: string;
}

/** Writes `<dir>/<base>.json`, `.csv` and `.parquet` atomically (the JSON last: it marks the set complete); returns their paths. */
export async function writeSummaryFiles(dir: string, base: string, summary: SweepSummary): Promise<SummaryFiles> {
  const json = join(dir, `${base}.json`);
  const csv = join(dir, `${base}.csv`);
  const parquet = join(dir, `${base}.parquet`);
  await writeFileAtomic(csv, summaryCsv(summary.runs));
  await writeFileAtomic(parquet, summaryParquet(summary));
  await writeFileAtomic(json, JSON.stringify(summary, null, 2) + '\n');
  return { json, csv, parquet };
}

function field(file: string, where: string, problem: string): never {
  throw new Rdm2Error('ERR_RDM2_FILE', `${file}: ${where}: ${problem}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks a parsed summary document field by field (a summary is untrusted: it may come from
 * another machine, or be edited): every field the merge and the report read has its type and
 * range, every run path stays inside the root, and the counts agree with the runs.
 *
 * @throws Rdm2Error ERR_RDM2_FILE naming the file and the field.
 */
export function checkSweepSummary(doc: unknown, file: string): SweepSummary {
  if (!isObject(doc) || !isObject(doc.rdm2) || doc.rdm2.kind !== 'sweep-summary' || !Array.isArray(doc.runs)) {
    throw new Rdm2Error('ERR_RDM2_FILE', `${file}: not an rdm2 sweep summary, expected an object with rdm2.kind 'sweep-summary' and runs`);
  }
  if (typeof doc.root !== 'string') field(file, 'root', `${showValue(doc.root)}, expected the sweep root (a string)`);
  if (typeof doc.pattern !== 'string') field(file, 'pattern', `${showValue(doc.pattern)}, expected the glob the runs were found with`);
  if (doc.tree !== undefined && (typeof doc.tree !== 'string' || !/^[0-9a-f]{64}$/.test(doc.tree))) field(file, 'tree', `${showValue(doc.tree)}, expected the sha256 of the runs found`);
  const o = doc.options;
  if (!isObject(o) || !isObject(o.analysis) || !isObject(o.warning) || !['json', 'csv', 'npz'].includes(o.format as string)) {
    field(file, 'options', "expected { analysis: {...}, warning: {...}, format: 'json' | 'csv' | 'npz' }");
  }
  if (o.groups !== undefined && typeof o.groups !== 'string') field(file, 'options.groups', `${showValue(o.groups)}, expected the groups file (a string)`);
  if (!isCount(doc.discovered)) field(file, 'discovered', `${showValue(doc.discovered)}, expected the number of runs found (an integer >= 0)`);
  const shard = doc.shard;
  if (shard !== null) {
    if (!isObject(shard) || !isCount(shard.index) || !isCount(shard.count) || shard.count < 1 || shard.index >= shard.count) {
      field(file, 'shard', `${showValue(shard)}, expected null or { index, count } with 0 <= index < count`);
    }
  }
  const runs = doc.runs as unknown[];
  if (runs.length > doc.discovered) field(file, 'runs', `${runs.length} runs, more than the ${doc.discovered} the sweep found`);
  let failedCount = 0;
  const failed: string[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (!isObject(r)) field(file, `runs[${i}]`, `${showValue(r)}, expected a run record { path, status, error, ... }`);
    const path = checkRelativePath(r.path, file, `runs[${i}].path`);
    if (i > 0 && !((runs[i - 1] as { path: string }).path < path)) field(file, `runs[${i}].path`, `${showValue(path)} is out of order or repeated, expected runs sorted by path`);
    if (r.status === 'failed') {
      if (typeof r.error !== 'string') field(file, `runs[${i}].error`, `${showValue(r.error)}, expected the error of the failed run (a string)`);
      failedCount++;
      failed.push(path);
    } else if (r.status !== 'ok') field(file, `runs[${i}].status`, `${showValue(r.status)}, expected 'ok' or 'failed'`);
  }
  const counts = doc.counts;
  if (!isObject(counts) || counts.runs !== runs.length || counts.failed !== failedCount || counts.ok !== runs.length - failedCount) {
    field(file, 'counts', `${showValue(counts)}, expected { runs: ${runs.length}, ok: ${runs.length - failedCount}, failed: ${failedCount} } as the runs say`);
  }
  if (!Array.isArray(doc.failed) || doc.failed.length !== failed.length || doc.failed.some((p, k) => p !== failed[k])) {
    field(file, 'failed', 'expected the paths of the failed runs, in order');
  }
  return doc as unknown as SweepSummary;
}

/** Reads and checks a summary JSON file written by a sweep (or a merge); see {@link checkSweepSummary}. */
export async function readSummaryFile(path: string): Promise<SweepSummary> {
  return checkSweepSummary(await readJsonFile(path, 'an rdm2 sweep summary (summary.json)'), path);
}

/** The sha256 of the sorted relative paths a sweep found: equal for shards of one tree. */
export function treeHash(paths: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(paths)).digest('hex');
}
