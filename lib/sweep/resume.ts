// --resume: a run is complete when its record (written after its result) exists, was made with
// the same options, and is newer than the run's input and its sidecar meta.json.
import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic_write.js';
import { readJsonFile } from '../io/json_file.js';
import { findSidecar } from '../io/meta.js';
import { rdm2Version } from '../io/producer.js';
import type { ResultFormat } from '../io/write_result.js';
import { recordPath, resultPath } from './layout.js';
import type { OkRecord } from './run_record.js';
import type { SweepRunOptions } from './summary_files.js';

interface StoredRecord {
  rdm2: { version: string; kind: 'run-record' };
  /** The options the run was analysed with, canonical JSON. */
  fingerprint: string;
  record: OkRecord;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The options that make two analyses of the same input the same, as canonical JSON. */
export function runFingerprint(options: SweepRunOptions & { groupLabels?: string[] }): string {
  return JSON.stringify(canonical(options));
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The stored record of a complete run, or undefined when the run must be (re)done. */
export async function loadCompleteRecord(
  out: string,
  rel: string,
  input: string,
  fingerprint: string,
  format: ResultFormat,
): Promise<OkRecord | undefined> {
  const recordFile = recordPath(out, rel);
  const recordTime = await mtimeMs(recordFile);
  if (recordTime === undefined) return undefined;
  const inputTime = await mtimeMs(input);
  if (inputTime === undefined || inputTime > recordTime) return undefined;
  const sidecar = await findSidecar(input);
  if (sidecar !== undefined && ((await mtimeMs(sidecar)) ?? Infinity) > recordTime) return undefined;
  if ((await mtimeMs(resultPath(out, rel, format))) === undefined) return undefined;
  try {
    const stored = (await readJsonFile(recordFile, 'a run record')) as StoredRecord;
    if (stored?.rdm2?.kind !== 'run-record' || stored.fingerprint !== fingerprint || stored.record?.path !== rel) return undefined;
    return stored.record;
  } catch {
    return undefined;
  }
}

/** Stores the record of a completed run (after its result was written). */
export async function storeRecord(out: string, rel: string, fingerprint: string, record: OkRecord): Promise<void> {
  const stored: StoredRecord = { rdm2: { version: rdm2Version(), kind: 'run-record' }, fingerprint, record };
  await writeFileAtomic(recordPath(out, rel), JSON.stringify(stored) + '\n');
}
