// Where a sweep writes: results mirror the input tree, bookkeeping records sit in a hidden
// directory, summaries at the top.
import { join } from 'node:path';
import type { ResultFormat } from '../io/write_result.js';
import type { Shard } from './shard.js';

/** The directory of per-run records, relative to the output directory. */
export const RECORDS_DIR = '.rdm2-records';

/** The result file of a run: `<out>/<relative input path>.<format>`, e.g. `out/seed1/losses.npy.json`. */
export function resultPath(out: string, rel: string, format: ResultFormat): string {
  return join(out, `${rel}.${format}`);
}

/** The record of a completed run (written after its result): `<out>/.rdm2-records/<relative input path>.json`. */
export function recordPath(out: string, rel: string): string {
  return join(out, RECORDS_DIR, `${rel}.json`);
}

/** The base name of a sweep's summary files: `summary`, or `summary.shard-I-of-N` for one shard of several. */
export function summaryBaseName(shard: Shard | undefined): string {
  return shard && shard.count > 1 ? `summary.shard-${shard.index}-of-${shard.count}` : 'summary';
}

/** Matches the summary JSON files `rdm2 merge` reads. */
export const SUMMARY_FILE_PATTERN = /^summary(\.shard-\d+-of-\d+)?\.json$/;
