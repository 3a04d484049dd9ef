// Reports built from files: one run from its loss file (analysed here) or from a result file of
// `rdm2 analyze`, and a whole sweep from its summary.json (with a report per run). `rdm2 report`
// only parses its command line and prints what these return.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { analyze } from '../analyze.js';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { resolveInside } from '../io/contained_path.js';
import { fileError } from '../io/file_error.js';
import { toLossMatrix } from '../io/loss_array.js';
import { checkGroupCount, findSidecar, readGroupsFile } from '../io/meta.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { readLossFile } from '../io/read_loss_file.js';
import { ownOptions } from '../option_schema.js';
import { ANALYZE_OPTIONS } from '../options.js';
import { sensitivity, sensitivityGridAround, type SensitivityGrid, type SensitivityTable } from '../stats/sensitivity.js';
import type { WarningOptions } from '../stats/warnings.js';
import { readSummaryFile } from '../sweep/summary_files.js';
import { autoSettings, chooseSettings, inspectLosses } from '../auto_settings.js';
import type { AnalyzeOptions, LossTransform } from '../types.js';
import { readResultForReport } from './result_input.js';
import { buildReport, type BuiltReport, type ReportOptions } from './run_report.js';
import { buildSweepReport, type BuiltSweepReport, type SweepCurve } from './sweep_report.js';

/** The eigenvectors a run report keeps unless asked otherwise: its eigenvector chart draws the top one. */
export const REPORT_TOP_K = 1;

/** What a report of one run file may override or add. */
export interface RunFileReportOptions {
  /**
   * Analysis options for a loss file (`window` required: a number, or 'auto' to choose it from the
   * losses; `transform` may be 'auto' too; `topK` default {@link REPORT_TOP_K}). Not allowed for a result file.
   */
  analysis?: AutoAnalyzeOptions;
  /** Group labels from this file (see readGroupsFile), overriding the run's metadata. */
  groupsFile?: string;
  /** The transition step, overriding the run's metadata; `transitionSource` says where it came from. */
  transition?: number;
  transitionSource?: string;
  /** Warning detector options (for a result file: merged over the ones stored with it). */
  warning?: WarningOptions;
  /**
   * Add the sensitivity section: `true` for the grid around the analysis' window
   * (`sensitivityGridAround`: W / 2, W, 2 W; detrend none and linear; transform none and log when
   * every loss is > 0), or a grid of your own. Loss files only.
   */
  sensitivity?: boolean | SensitivityGrid;
  /** Presentation (title, maxProbes, generatedAt, ...). */
  report?: Omit<ReportOptions, 'warning'>;
}

/** Analysis options where `window` and `transform` may also be 'auto' (chosen from the losses). */
export type AutoAnalyzeOptions = Partial<Omit<AnalyzeOptions, 'window' | 'transform'>> & { window?: number | 'auto'; transform?: LossTransform | 'auto' };

/** Only the options `analyze` takes (a sweep records others, e.g. chunk sizes). */
export function pickAnalyzeOptions(recorded: Record<string, unknown>): AutoAnalyzeOptions {
  const given = ownOptions(recorded);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ANALYZE_OPTIONS.fields)) if (given[key] !== undefined) out[key] = given[key];
  return out as AutoAnalyzeOptions;
}

/**
 * Reads a loss file (and its sidecar metadata), analyses it and builds its report. The analysis
 * keeps the top eigenvector (topK {@link REPORT_TOP_K}) unless asked otherwise, so the
 * eigenvector chart can be drawn.
 *
 * @example
 * ```ts
 * const built = await reportLossFile('runs/seed1/losses.npy', { analysis: { window: 32 } });
 * await writeFile('report.html', built.html);
 * ```
 */
export async function reportLossFile(file: string, opts: RunFileReportOptions = {}): Promise<BuiltReport> {
  const lf = await readLossFile(file);
  if (lf.losses.shape.length === 3) {
    fileError(file, '', `holds [T, K, n] perturbation blocks (the Gaussian 2RDM); the report draws sliding-window analyses of [T, n] losses`);
  }
  const meta = { ...lf.meta };
  const sources: Record<string, string> = { ...lf.metaSources };
  if (opts.groupsFile !== undefined) {
    const groups = await readGroupsFile(opts.groupsFile);
    checkGroupCount(groups, lf.losses.shape[1], opts.groupsFile, '', file);
    meta.groups = groups;
    sources.groups = opts.groupsFile;
  }
  if (opts.transition !== undefined) {
    meta.transition = opts.transition;
    delete meta.transitions;
    sources.transition = opts.transitionSource ?? 'the options';
  }
  const losses = toLossMatrix(lf.losses);
  const analysisOptions: Record<string, unknown> = { ...(opts.analysis ?? {}) };
  const details: [string, string][] = [['Format', `${lf.format}, ${lf.losses.data instanceof Float32Array ? 'float32' : 'float64'}`]];
  const autoWindow = analysisOptions.window === 'auto';
  const autoTransform = analysisOptions.transform === 'auto';
  if (autoWindow || autoTransform) {
    const chosen = autoSettings(losses, { transform: autoTransform ? 'auto' : ((analysisOptions.transform as LossTransform | undefined) ?? 'none') });
    if (autoWindow) {
      analysisOptions.window = chosen.window;
      details.push(['Window (auto)', chosen.windowReason]);
    }
    if (autoTransform) {
      analysisOptions.transform = chosen.transform;
      details.push(['Transform (auto)', chosen.transformReason]);
    }
  }
  if ((analysisOptions.transform ?? 'none') === 'none') {
    const proposal = chooseSettings(inspectLosses(losses, { autocorrelation: false }), { transform: 'none' });
    if (proposal.logProposed) details.push(['Log transform proposed', `${proposal.span}; the analysis used none (--transform log or auto to use it)`]);
  }
  const analysis = await analyze(losses, { ...analysisOptions, topK: analysisOptions.topK ?? REPORT_TOP_K } as AnalyzeOptions);
  let sens: SensitivityTable | undefined;
  if (opts.sensitivity) {
    const grid = opts.sensitivity === true
      ? sensitivityGridAround(analysis.options.window, analysis.rows, inspectLosses(losses, { autocorrelation: false }).allPositive)
      : opts.sensitivity;
    const { window: _w, detrend: _d, transform: _t, topK: _k, ...shared } = analysis.options;
    sens = await sensitivity(losses, {
      ...grid,
      ...shared,
      ...(opts.warning !== undefined ? { warning: opts.warning } : {}),
      ...(meta.transition !== undefined ? { transition: meta.transition } : {}),
      ...(meta.steps ? { steps: meta.steps } : {}),
    });
  }
  for (const key of ['steps', 'groups', 'transition'] as const) {
    if (sources[key] !== undefined) details.push([`${key[0]!.toUpperCase()}${key.slice(1)} from`, sources[key]!]);
  }
  return buildReport(
    analysis,
    {
      losses,
      ...(meta.steps ? { steps: meta.steps } : {}),
      ...(meta.groups ? { groups: meta.groups } : {}),
      ...(meta.transition !== undefined ? { transition: meta.transition } : {}),
      ...(meta.transitions !== undefined && meta.transitions.length > 1 ? { transitions: meta.transitions } : {}),
      ...(sens ? { sensitivity: sens } : {}),
      source: file,
      details,
    },
    { ...opts.report, ...(opts.warning !== undefined ? { warning: opts.warning } : {}) },
  );
}

/**
 * Builds the report of a result file (`rdm2 analyze --out result.json`): the stored analysis, with
 * the losses when the loss file it names is still there (see readResultForReport). Warning options
 * given here override the ones stored with the result.
 */
export async function reportResultFile(file: string, opts: RunFileReportOptions = {}): Promise<BuiltReport> {
  if (opts.analysis !== undefined && Object.keys(opts.analysis).length > 0) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `analysis options cannot be used with a result file (${file}): its analysis is read from it`);
  }
  if (opts.sensitivity) throw new Rdm2Error('ERR_RDM2_OPTION', `the sensitivity section needs the losses: report the loss file rather than the result file ${file}`);
  const r = await readResultForReport(file);
  let groups = r.groups;
  if (opts.groupsFile !== undefined) {
    groups = await readGroupsFile(opts.groupsFile);
    checkGroupCount(groups, r.analysis.probes, opts.groupsFile, '', file);
    r.details.push(['Groups from', opts.groupsFile]);
  }
  const transition = opts.transition ?? r.transition;
  const transitions = opts.transition === undefined && r.transitions !== undefined && r.transitions.length > 1 ? r.transitions : undefined;
  if (opts.transition !== undefined) r.details.push(['Transition from', opts.transitionSource ?? 'the options']);
  return buildReport(
    r.analysis,
    {
      ...(r.losses ? { losses: r.losses } : {}),
      ...(r.steps ? { steps: r.steps } : {}),
      ...(groups ? { groups } : {}),
      ...(transition !== undefined ? { transition } : {}),
      ...(transitions ? { transitions } : {}),
      source: file,
      details: r.details,
    },
    { ...opts.report, warning: { ...(r.warning ?? {}), ...(opts.warning ?? {}) } },
  );
}

/** A result file (`.json`) is read; any other file is a loss file to analyse. */
export function isResultFile(file: string): boolean {
  return extname(file).toLowerCase() === '.json';
}

/** Writes each chart as a standalone .svg file (atomically) in `dir`; returns the paths. */
export async function writeChartSvgs(dir: string, charts: readonly { id: string; svg: string }[], inputs: readonly (string | undefined)[] = []): Promise<string[]> {
  const written: string[] = [];
  for (const c of charts) {
    const path = join(dir, `${c.id}.svg`);
    await refuseOutputOverInput(path, inputs, `--svg-dir ${dir} (${c.id}.svg)`);
    await writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${c.svg}\n`);
    written.push(path);
  }
  return written;
}

/** A URL path relative to the sweep page, every segment percent-encoded. */
function hrefOf(segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

/** Options of {@link writeSweepReport}. */
export interface SweepFileReportOptions {
  /** The HTML page to write; run reports go under `reports/` next to it. */
  out: string;
  /** The sweep root holding the runs. Default: the root recorded in summary.json. */
  root?: string;
  /** Group runs by this record field. Default: each run directory's parent. */
  by?: string;
  /** Write each run's own report (the table links to them). Default true. */
  runReports?: boolean;
  title?: string;
  generatedAt?: string;
}

/** What {@link writeSweepReport} wrote. */
export interface SweepFileReport {
  built: BuiltSweepReport;
  runs: number;
  failed: number;
  /** Run reports written, and the directory holding them. */
  runReports: number;
  reportsDir: string;
  /** One line per run without a report, saying why. */
  notes: string[];
}

/**
 * Reports a sweep from its summary.json: writes the sweep page to `out` and, unless
 * `runReports: false`, each successful run's own report under `reports/` next to it, analysed
 * with the sweep's own options (keeping at least the top eigenvector). A run whose loss file is
 * gone is reported from its JSON result next to summary.json when there is one; a run that cannot
 * be reported is listed in `notes`. Every file is written atomically.
 *
 * @example
 * ```ts
 * const r = await writeSweepReport('results/summary.json', { out: 'results/sweep.html' });
 * console.log(r.runReports, r.notes);
 * ```
 */
export async function writeSweepReport(summaryFile: string, opts: SweepFileReportOptions): Promise<SweepFileReport> {
  await refuseOutputOverInput(opts.out, [summaryFile], `--out ${opts.out}`);
  const summary = await readSummaryFile(summaryFile);
  const root = opts.root ?? summary.root;
  const pageDir = dirname(opts.out);
  const recorded = summary.options;
  const hrefs = new Map<string, string>();
  const curves: SweepCurve[] = [];
  const notes: string[] = [];
  const present = opts.generatedAt !== undefined ? { generatedAt: opts.generatedAt } : {};
  if (opts.runReports ?? true) {
    // The sweep's options, keeping at least the top eigenvector for the eigenvector chart
    // (topK adds vectors; every other observable is unchanged).
    const analysis = pickAnalyzeOptions(recorded.analysis ?? {});
    analysis.topK = Math.max(REPORT_TOP_K, analysis.topK ?? 0);
    const warning = (recorded.warning ?? {}) as WarningOptions;
    const groupsFile = recorded.groups !== undefined ? { groupsFile: recorded.groups } : {};
    for (const [i, run] of summary.runs.entries()) {
      if (run.status !== 'ok') continue;
      // Paths from the summary stay inside their directories (readSummaryFile checked them too).
      const lossPath = resolveInside(root, run.path, summaryFile, `runs[${i}].path`);
      // Without the loss file, a JSON result of the run (next to summary.json) still gives its charts but the losses.
      const resultFile = resolveInside(dirname(summaryFile), `${run.path}.json`, summaryFile, `runs[${i}].path`);
      const reportFile = resolveInside(pageDir, `reports/${run.path}.html`, summaryFile, `runs[${i}].path`);
      const fromResult = !existsSync(lossPath) && recorded.format === 'json' && existsSync(resultFile);
      if (!existsSync(lossPath) && !fromResult) {
        notes.push(`no report for ${run.path}: ${lossPath} not found (use --root to say where the runs are)`);
        continue;
      }
      try {
        const report = { ...present, title: `rdm2 report: ${run.path}` };
        const built = fromResult
          ? await reportResultFile(resultFile, { ...groupsFile, warning, report })
          : await reportLossFile(lossPath, { ...groupsFile, analysis, warning, report });
        const segments = ['reports', ...run.path.split('/').slice(0, -1), `${basename(run.path)}.html`];
        await refuseOutputOverInput(reportFile, [summaryFile, lossPath, resultFile, await findSidecar(lossPath)], `the report of ${run.path}`);
        await writeFileAtomic(reportFile, built.html);
        hrefs.set(run.path, hrefOf(segments));
        curves.push({ path: run.path, ...built.series });
      } catch (err) {
        if (!(err instanceof Rdm2Error)) throw err;
        notes.push(`no report for ${run.path}: ${err.message}`);
      }
    }
  }
  if (!(opts.runReports ?? true) && recorded.format === 'json') {
    // No run reports: the curves come from the JSON results next to summary.json, where there are any.
    for (const run of summary.runs) {
      if (run.status !== 'ok') continue;
      const resultFile = join(dirname(summaryFile), `${run.path}.json`);
      if (!existsSync(resultFile)) continue;
      try {
        const r = await readResultForReport(resultFile);
        const ws = r.steps ? Float64Array.from(r.analysis.t, (t) => r.steps![t]!) : Float64Array.from(r.analysis.t);
        curves.push({ path: run.path, steps: ws, shc: r.analysis.shc, pr: r.analysis.pr, transition: run.transition?.step ?? null });
      } catch (err) {
        if (!(err instanceof Rdm2Error)) throw err;
        notes.push(`no curves for ${run.path}: ${err.message}`);
      }
    }
  }
  const built = await buildSweepReport(summary.runs, {
    ...(opts.by !== undefined ? { by: opts.by } : {}),
    ...(curves.length > 0 ? { curves } : {}),
    reportHref: (r) => hrefs.get(r.path),
    source: summaryFile,
    ...present,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
  });
  await writeFileAtomic(opts.out, built.html);
  return { built, runs: summary.runs.length, failed: summary.counts.failed, runReports: hrefs.size, reportsDir: join(pageDir, 'reports'), notes };
}
