// --resume: a run is complete when its record (written after its result) exists, was made with
// the same options, and every file the result depends on is the one it was made from: the loss
// file and the sidecar meta.json found next to it (the same path, size, modification time and
// inode; a sidecar deleted, added or replaced since makes the run stale). The --groups labels
// are part of the options.
import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic_write.js';
import { readJsonFile } from '../io/json_file.js';
import { findSidecar } from '../io/meta.js';
import { rdm2Version } from '../io/producer.js';
import type { ResultFormat } from '../io/write_result.js';
import { recordPath, resultPath } from './layout.js';
import type { OkRecord } from './run_record.js';
import type { SweepRunOptions } from './summary_files.js';

/** The identity of a file as a result was made from it. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The files a run's result depends on besides the options: its loss file, and the sidecar read with it (or none). */
export interface RunInputs {
  files: FileStamp[];
  sidecar: string | null;
}

interface StoredRecord {
  rdm2: { version: string; kind: 'run-record' };
  /** The options the run was analysed with, canonical JSON. */
  fingerprint: string;
  /** The files the result was made from. */
  inputs: RunInputs;
  record: OkRecord;
}

async function stampOf(path: string): Promise<FileStamp | undefined> {
  try {
    const st = await stat(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return undefined;
  }
}

/**
 * The files a run's result depends on, as they are now. Taken before a run is analysed, so a
 * file changed during the analysis makes the stored result stale.
 */
export async function runInputs(input: string): Promise<RunInputs> {
  const sidecar = (await findSidecar(input)) ?? null;
  const files: FileStamp[] = [];
  for (const path of sidecar === null ? [input] : [input, sidecar]) {
    const st = await stampOf(path);
    if (st) files.push(st);
  }
  return { files, sidecar };
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

/** The stored record of a complete run, or undefined when the run must be (re)done. */
export async function loadCompleteRecord(
  out: string,
  rel: string,
  input: string,
  fingerprint: string,
  format: ResultFormat,
): Promise<OkRecord | undefined> {
  if ((await stampOf(resultPath(out, rel, format))) === undefined) return undefined;
  let stored: StoredRecord;
  try {
    stored = (await readJsonFile(recordPath(out, rel), 'a run record')) as StoredRecord;
  } catch {
    return undefined;
  }
  if (stored?.rdm2?.kind !== 'run-record' || stored.fingerprint !== fingerprint || stored.record?.path !== rel) return undefined;
  const now = await runInputs(input);
  if (JSON.stringify(canonical(stored.inputs)) !== JSON.stringify(canonical(now))) return undefined;
  return stored.record;
}

/** Stores the record of a completed run (after its result was written), with the inputs it was made from. */
export async function storeRecord(out: string, rel: string, fingerprint: string, inputs: RunInputs, record: OkRecord): Promise<void> {
  const stored: StoredRecord = { rdm2: { version: rdm2Version(), kind: 'run-record' }, fingerprint, inputs, record };
  await writeFileAtomic(recordPath(out, rel), JSON.stringify(stored) + '\n');
}
