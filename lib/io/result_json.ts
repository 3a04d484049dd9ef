// Results as JSON: every field of Analysis (each observable of lib/observables.ts) under its own name as plain arrays (eigenvalues nested
// [window][eigenCount], eigenvectors [window][k][probe]), plus the options used, the input's path
// and sha256, the run's metadata and, when computed, the early-warning summary.
import { OBSERVABLE_NAMES, type ObservableName } from '../observables.js';
import type { Analysis, ResolvedAnalyzeOptions } from '../types.js';
import type { InputInfo } from './analyze_file.js';
import { writeFileAtomic } from './atomic_write.js';
import { jsonChunks } from './json_chunks.js';
import type { LossMeta } from './meta.js';
import { rdm2Version } from './producer.js';

/** What a result file is written from: an analysis and, optionally, where it came from. */
export interface ResultSource {
  analysis: Analysis;
  input?: InputInfo;
  meta?: LossMeta;
  /** Step of each window's last checkpoint. */
  windowSteps?: Float64Array;
  probeNames?: string[];
  /** The run summary of the early-warning statistics, when computed. */
  summary?: unknown;
}

/** Each observable's column in a result document (NaN written as null). */
export type ObservableJsonColumns = { [K in ObservableName]: (number | null)[] };

/** The JSON result document. Non-finite numbers (NaN observables of degenerate windows) are written as null. */
export interface ResultDocument extends ObservableJsonColumns {
  rdm2: { version: string; kind: 'analysis' };
  input?: InputInfo;
  options: ResolvedAnalyzeOptions;
  windows: number;
  eigenCount: number;
  rows: number;
  probes: number;
  t: number[];
  /** Training step of each window's last checkpoint, when the steps are known. */
  step?: number[];
  eigenvalues: (number | null)[][];
  eigenvectors?: number[][][];
  degenerate: number[];
  groups?: string[];
  transition?: number;
  /** Every transition, when the metadata named several. */
  transitions?: { label: string; step: number }[];
  probeNames?: string[];
  summary?: unknown;
}

function rowsOf<A extends Float64Array | Float32Array>(a: A, rows: number, cols: number): number[][] {
  const out: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(a.subarray(r * cols, (r + 1) * cols));
  return out;
}

function observableJson(a: Analysis): ObservableJsonColumns {
  const out = {} as ObservableJsonColumns;
  for (const name of OBSERVABLE_NAMES) out[name] = Array.from(a[name]);
  return out;
}

/** Builds the JSON document of a result (plain arrays; typed arrays converted). */
export function resultDocument(r: ResultSource): ResultDocument {
  const a = r.analysis;
  const doc: ResultDocument = {
    rdm2: { version: rdm2Version(), kind: 'analysis' },
    ...(r.input ? { input: r.input } : {}),
    options: a.options,
    windows: a.windows,
    eigenCount: a.eigenCount,
    rows: a.rows,
    probes: a.probes,
    t: Array.from(a.t),
    ...(r.windowSteps ? { step: Array.from(r.windowSteps) } : {}),
    ...observableJson(a),
    eigenvalues: rowsOf(a.eigenvalues, a.windows, a.eigenCount),
    degenerate: Array.from(a.degenerate),
  };
  if (a.eigenvectors) {
    const k = a.options.topK;
    const n = a.probes;
    doc.eigenvectors = Array.from({ length: a.windows }, (_, j) => rowsOf(a.eigenvectors!.subarray(j * k * n, (j + 1) * k * n), k, n));
  }
  if (r.meta?.groups) doc.groups = r.meta.groups;
  if (r.meta?.transition !== undefined) doc.transition = r.meta.transition;
  if (r.meta?.transitions !== undefined && r.meta.transitions.length > 1) doc.transitions = r.meta.transitions;
  if (r.probeNames) doc.probeNames = r.probeNames;
  if (r.summary !== undefined) doc.summary = r.summary;
  return doc;
}

/**
 * The result as JSON text in pieces (compact; NaN written as null), for results larger than one
 * string can hold: write the pieces one after the other.
 */
export function* resultJsonChunks(r: ResultSource): Generator<string, void, undefined> {
  yield* jsonChunks(resultDocument(r));
  yield '\n';
}

/** The result as JSON text (compact; NaN written as null). For large results use {@link resultJsonChunks}. */
export function resultJson(r: ResultSource): string {
  return [...resultJsonChunks(r)].join('');
}

/** Writes the JSON result atomically, streamed: no size limit but the disk's. */
export async function writeResultJson(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, resultJsonChunks(r));
}
