// A report from a result file (`rdm2 analyze --out result.json`): the analysis back from its JSON
// document, and the losses and steps back from the loss file it names, when that file is still there
// and unchanged.
import { showValue } from '../show_value.js';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { fileError } from '../io/file_error.js';
import { readJsonFile } from '../io/json_file.js';
import { sha256File } from '../io/sha256_file.js';
import { toLossMatrix } from '../io/loss_array.js';
import { MAX_TRANSITIONS, checkGroupCount } from '../io/meta.js';
import type { NamedStep } from '../stats/lead_time.js';
import { readLossFile } from '../io/read_loss_file.js';
import type { ResultDocument } from '../io/result_json.js';
import { OBSERVABLE_NAMES, type ObservableColumns } from '../observables.js';
import type { Analysis, LossMatrix, ResolvedAnalyzeOptions } from '../types.js';

/** What a result file gives a report. */
export interface ResultReportInput {
  analysis: Analysis;
  /** The losses, when the loss file the result names was found and matches its checksum and shape. */
  losses?: LossMatrix;
  /** Step of every checkpoint: from the loss file's metadata, else rebuilt from the result's window steps. */
  steps?: Float64Array;
  /** True when `steps` was rebuilt from the window steps (see {@link checkpointStepsFromWindows}). */
  stepsRebuilt: boolean;
  groups?: string[];
  transition?: number;
  /** Several transitions, when the result (or its loss file's metadata) names them. */
  transitions?: NamedStep[];
  /** The warning options of the summary stored in the result, when there is one. */
  warning?: { baseline: number; minBaseline?: number; z: number; consecutive: number; direction: 'up' | 'down' | 'both' };
  /** Header rows: where things came from, and why the losses are missing when they are. */
  details: [string, string][];
}

const nanOf = (v: unknown): number => (typeof v === 'number' ? v : NaN);

function column(doc: Record<string, unknown>, key: string, length: number, file: string): Float64Array {
  const v = doc[key];
  if (!Array.isArray(v) || v.length !== length) fileError(file, key, `expected an array of ${length} numbers (one per window)`);
  return Float64Array.from(v, nanOf);
}

function observableColumns(d: Record<string, unknown>, windows: number, file: string): ObservableColumns {
  const out = {} as ObservableColumns;
  for (const name of OBSERVABLE_NAMES) out[name] = column(d, name, windows, file);
  return out;
}

/**
 * The {@link Analysis} stored in a result document (`resultDocument` of lib/io): the inverse of
 * what `rdm2 analyze --out result.json` writes, with `null` read back as NaN.
 *
 * @throws Rdm2Error ERR_RDM2_FILE when the document is not an rdm2 analysis result or is inconsistent.
 *
 * @example
 * ```ts
 * const doc = JSON.parse(readFileSync('result.json', 'utf8'));
 * const analysis = analysisFromResult(doc, 'result.json');
 * ```
 */
export function analysisFromResult(doc: unknown, file: string): Analysis {
  const d = doc as ResultDocument & Record<string, unknown>;
  if (typeof d !== 'object' || d === null || d.rdm2?.kind !== 'analysis') {
    fileError(file, '', "not an rdm2 analysis result, expected a JSON object with rdm2.kind 'analysis' (written by rdm2 analyze --out result.json)");
  }
  if (d.input?.variant === 'gaussian') fileError(file, 'input.variant', "is 'gaussian' (perturbation blocks); the report draws sliding-window analyses");
  const { windows, eigenCount, rows, probes } = d;
  for (const [key, v] of Object.entries({ windows, eigenCount, rows, probes })) {
    if (!Number.isInteger(v) || (v as number) < (key === 'windows' ? 1 : 0)) fileError(file, key, `expected a non-negative integer, got ${showValue(v)}`);
  }
  const options = d.options as ResolvedAnalyzeOptions;
  if (typeof options !== 'object' || options === null || !Number.isInteger(options.window) || !Number.isInteger(options.topK)) {
    fileError(file, 'options', 'expected the resolved analysis options { window, stride, topK, ... }');
  }
  if (!Array.isArray(d.t) || d.t.length !== windows) fileError(file, 't', `expected an array of ${windows} checkpoint indices`);
  const eig = d.eigenvalues;
  if (!Array.isArray(eig) || eig.length !== windows || eig.some((row) => !Array.isArray(row) || row.length !== eigenCount)) {
    fileError(file, 'eigenvalues', `expected ${windows} rows of ${eigenCount} eigenvalues`);
  }
  const analysis: Analysis = {
    t: Int32Array.from(d.t),
    ...observableColumns(d, windows, file),
    eigenvalues: Float64Array.from(eig.flat(), nanOf),
    degenerate: Uint8Array.from(column(d, 'degenerate', windows, file)),
    windows,
    eigenCount,
    rows,
    probes,
    options,
  };
  if (options.topK > 0) {
    const ev = d.eigenvectors;
    const k = options.topK;
    if (!Array.isArray(ev) || ev.length !== windows || ev.some((w) => !Array.isArray(w) || w.length !== k || w.some((v) => !Array.isArray(v) || v.length !== probes))) {
      fileError(file, 'eigenvectors', `expected ${windows} x ${k} x ${probes} components (topK = ${k})`);
    }
    analysis.eigenvectors = Float32Array.from(ev.flat(2), nanOf);
  }
  return analysis;
}

/**
 * Step of every checkpoint, rebuilt from the steps of the windows' last checkpoints: exact at
 * those checkpoints, linearly interpolated between them and extrapolated with the nearest
 * spacing before the first (the first W - 1 checkpoints) and after the last. Exact for evenly
 * spaced checkpoints.
 *
 * @example
 * ```ts
 * checkpointStepsFromWindows(Int32Array.of(2, 3, 4), [20, 30, 40], 5); // Float64Array [0, 10, 20, 30, 40]
 * ```
 */
export function checkpointStepsFromWindows(t: Int32Array, windowSteps: ArrayLike<number>, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const k = t.length;
  const first = t[0];
  const last = t[k - 1];
  const headSpacing = k > 1 ? (windowSteps[1] - windowSteps[0]) / (t[1] - t[0]) : 1;
  const tailSpacing = k > 1 ? (windowSteps[k - 1] - windowSteps[k - 2]) / (t[k - 1] - t[k - 2]) : 1;
  for (let r = 0; r < first; r++) out[r] = windowSteps[0] - (first - r) * headSpacing;
  for (let j = 0; j < k; j++) {
    out[t[j]] = windowSteps[j];
    if (j + 1 < k) {
      const gap = t[j + 1] - t[j];
      for (let r = 1; r < gap; r++) out[t[j] + r] = windowSteps[j] + ((windowSteps[j + 1] - windowSteps[j]) * r) / gap;
    }
  }
  for (let r = last + 1; r < rows; r++) out[r] = windowSteps[k - 1] + (r - last) * tailSpacing;
  return out;
}

/**
 * Reads a result file for a report: its analysis, groups, transition and stored warning options,
 * plus the losses and steps of the loss file it names (looked up as written, then relative to the
 * result file's directory) when that file exists, still has the recorded sha256 and the analysed
 * shape. Otherwise the report is drawn without the losses, and the checkpoint steps are rebuilt
 * from the window steps; `details` says why.
 *
 * @example
 * ```ts
 * const r = await readResultForReport('out/result.json');
 * const html = await renderReport(r.analysis, { losses: r.losses, steps: r.steps, groups: r.groups, transition: r.transition });
 * ```
 */
export async function readResultForReport(file: string): Promise<ResultReportInput> {
  const doc = (await readJsonFile(file, 'an rdm2 result written by rdm2 analyze --out result.json')) as ResultDocument & Record<string, unknown>;
  const analysis = analysisFromResult(doc, file);
  const details: [string, string][] = [['Result file', file]];
  const out: ResultReportInput = { analysis, stepsRebuilt: false, details };
  if (Array.isArray(doc.groups)) {
    out.groups = doc.groups.map(String);
    checkGroupCount(out.groups, analysis.probes, file, 'groups');
  }
  if (typeof doc.transition === 'number') out.transition = doc.transition;
  if (doc.transitions !== undefined) {
    const list: unknown = doc.transitions;
    if (!Array.isArray(list) || list.length > MAX_TRANSITIONS) fileError(file, 'transitions', `expected an array of at most ${MAX_TRANSITIONS} { label, step }`);
    out.transitions = list
      .map((t: unknown, i) => {
        const { label, step } = (t ?? {}) as { label?: unknown; step?: unknown };
        if (typeof label !== 'string' || typeof step !== 'number' || !Number.isFinite(step)) fileError(file, `transitions[${i}]`, `${JSON.stringify(t)} is not { label: string, step: finite number }`);
        return { label, step };
      })
      .sort((a, b) => a.step - b.step);
  }
  const s = doc.summary as { warningOptions?: ResultReportInput['warning'] } | undefined;
  if (s && typeof s === 'object' && s.warningOptions && typeof s.warningOptions === 'object') {
    const w = s.warningOptions;
    // A result written before the expanding baseline existed was scored on full baselines only.
    out.warning = Object.hasOwn(w, 'minBaseline') ? w : { ...w, minBaseline: w.baseline };
  }

  const input = doc.input;
  let why = 'the result names no loss file';
  if (input && typeof input.path === 'string') {
    const candidates = isAbsolute(input.path) ? [input.path] : [resolve(input.path), resolve(dirname(file), input.path)];
    const found = candidates.find((p) => existsSync(p));
    if (!found) why = `the loss file ${input.path} was not found`;
    else {
      try {
        const lf = input.sha256 !== undefined && (await sha256File(found)) !== input.sha256 ? undefined : await readLossFile(found);
        const [T, n] = lf?.losses.shape ?? [];
        if (!lf) why = `the loss file ${found} has changed since the analysis (sha256 differs)`;
        else if (lf.losses.shape.length !== 2 || T !== analysis.rows || n !== analysis.probes) {
          why = `the loss file ${found} is [${lf.losses.shape.join(', ')}], not the analysed [${analysis.rows}, ${analysis.probes}]`;
        } else {
          out.losses = toLossMatrix(lf.losses);
          if (lf.meta.steps) out.steps = lf.meta.steps;
          if (out.groups === undefined && lf.meta.groups) out.groups = lf.meta.groups;
          if (out.transition === undefined && lf.meta.transition !== undefined) {
            out.transition = lf.meta.transition;
            if (lf.meta.transitions !== undefined && lf.meta.transitions.length > 1) out.transitions = lf.meta.transitions;
          }
          details.push(['Losses from', found]);
          why = '';
        }
      } catch (err) {
        if (!(err instanceof Rdm2Error)) throw err;
        why = `the loss file could not be read: ${err.message}`;
      }
    }
  }
  if (why) details.push(['Losses', `not drawn: ${why}`]);
  if (out.steps === undefined && Array.isArray(doc.step) && doc.step.length === analysis.windows) {
    out.steps = checkpointStepsFromWindows(analysis.t, doc.step, analysis.rows);
    out.stepsRebuilt = true;
    details.push(['Steps', 'rebuilt from the window steps in the result (between window ends: interpolated)']);
  }
  return out;
}
