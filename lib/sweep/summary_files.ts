// A sweep's summary: summary.json (the options, the counts, the failed runs and one record per
// run) and summary.csv (one row per run, nested fields flattened to dotted columns).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { rdm2Version } from '../io/producer.js';
import type { ResultFormat } from '../io/write_result.js';
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
  counts: { runs: number; ok: number; failed: number };
  /** Paths of the failed runs. */
  failed: string[];
  /** One record per run, sorted by path. */
  runs: RunRecord[];
}

/** Builds a summary from records (sorted here by path). */
export function buildSummary(fields: Pick<SweepSummary, 'root' | 'pattern' | 'options' | 'shard' | 'discovered'>, records: RunRecord[]): SweepSummary {
  const runs = records.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const failed = runs.filter((r) => r.status === 'failed').map((r) => r.path);
  return {
    rdm2: { version: rdm2Version(), kind: 'sweep-summary' },
    root: fields.root,
    pattern: fields.pattern,
    options: fields.options,
    shard: fields.shard,
    discovered: fields.discovered,
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
 * summary.csv: one row per run. Columns are the records' fields flattened with dots
 * (`shcPeak.step`, `blockEnergy.B`), in order of first appearance; `path`, `status` and `error`
 * first. A nested field that is null in a run (no warning: `firstWarning`) leaves its columns empty.
 */
export function summaryCsv(records: readonly RunRecord[]): string {
  const flat = records.map((r) => {
    const m = new Map<string, unknown>();
    flatten(r, '', m);
    return m;
  });
  const columns: string[] = ['path', 'status', 'error'];
  const seen = new Set(columns);
  for (const m of flat) {
    for (const k of m.keys()) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  // A field that is an object in some runs and null in others: keep only its dotted columns.
  const kept = columns.filter((c) => !columns.some((d) => d.startsWith(`${c}.`)));
  const lines = [kept.map(csvCell).join(',')];
  for (const m of flat) lines.push(kept.map((c) => csvCell(m.get(c))).join(','));
  return lines.join('\n') + '\n';
}

/** Writes `<dir>/<base>.json` and `<dir>/<base>.csv` atomically; returns their paths. */
export async function writeSummaryFiles(dir: string, base: string, summary: SweepSummary): Promise<{ json: string; csv: string }> {
  const json = join(dir, `${base}.json`);
  const csv = join(dir, `${base}.csv`);
  await writeFileAtomic(csv, summaryCsv(summary.runs));
  await writeFileAtomic(json, JSON.stringify(summary, null, 2) + '\n');
  return { json, csv };
}

/** Reads a summary JSON file written by a sweep (or a merge). */
export async function readSummaryFile(path: string): Promise<SweepSummary> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Rdm2Error('ERR_RDM2_FILE', `${path}: cannot read the sweep summary: ${(err as Error).message}`, { cause: err });
  }
  const s = doc as SweepSummary;
  if (typeof s !== 'object' || s === null || s.rdm2?.kind !== 'sweep-summary' || !Array.isArray(s.runs)) {
    throw new Rdm2Error('ERR_RDM2_FILE', `${path}: not an rdm2 sweep summary, expected an object with rdm2.kind 'sweep-summary' and runs`);
  }
  return s;
}
