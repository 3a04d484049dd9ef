// The HTML report of one analysed run: six sections, charts rendered to inline SVG in Node.
import type { TopLevelSpec } from 'vega-lite';
import { loadVega } from './vega_modules.js';
import { Rdm2Error } from '../errors.js';
import { toLossView, type LossView } from '../loss_matrix.js';
import {
  compareIndicators,
  windowCovariance,
  detectWarnings,
  type BaselineVerdict,
  type NamedStep,
  resolveGroups,
  summarizeRun,
  windowSteps,
  type ProbeGroups,
  type RunSummary,
  type Transition,
  type WarningOptions,
} from '../stats/index.js';
import { baselineText, resolveWarningOptions } from '../stats/warnings.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import type { Analysis, LossInput } from '../types.js';
import { covarianceChartSpec, type CovariancePanel } from './charts/covariance.js';
import { eigenvectorChartSpec } from './charts/eigenvector.js';
import { lossesChartSpec, type LossSeries } from './charts/losses.js';
import { signalsChartSpec, type SignalPanel } from './charts/signals.js';
import { spectrumChartSpec } from './charts/spectrum.js';
import { escapeHtml, formatStep, formatValue } from './format.js';
import { sensitivitySection } from './sensitivity_report.js';
import type { SensitivityTable } from '../stats/sensitivity.js';
import { headerSection, leadTimeText } from './header.js';
import { figure, htmlDocument, missing, type HtmlSection } from './html.js';
import { renderSvg } from './render_svg.js';
import { minMaxIndices, sampleProbes, strideIndices } from './sampling.js';
import { rdm2Version } from '../io/producer.js';

/** The data a report is drawn from, besides the analysis. Every field is optional. */
export interface ReportInputs {
  /**
   * The T x n losses the analysis ran on. Needed for the per-probe loss chart and the
   * covariance snapshots; without them those two sections say so instead of drawing.
   */
  losses?: LossInput;
  /** Training step of every checkpoint (length T, strictly increasing). Default: checkpoint indices. */
  steps?: ArrayLike<number>;
  /** A group label per probe (length n). Default: one group. */
  groups?: ProbeGroups;
  /** The transition, as a step (or a {@link Transition}), for the lead time. Default: the first of `transitions`. */
  transition?: number | Transition;
  /** Several transitions (e.g. each stage of a deep linear network): each is drawn, with a lead time per transition. */
  transitions?: NamedStep[];
  /** A sensitivity table of the same run (see `sensitivity`): adds a section with its verdict, heatmap and table. */
  sensitivity?: SensitivityTable;
  /** Where the data came from, shown in the header (e.g. the loss file's path). */
  source?: string;
  /** Extra header rows (label, plain text), e.g. where the groups came from. */
  details?: readonly (readonly [string, string])[];
}

/** Presentation options of {@link renderReport}; all optional. */
export interface ReportOptions {
  /** Page title. Default `rdm2 report: <source>`. */
  title?: string;
  /** Warning detector options on the SHC (as for `detectWarnings`). Default: the detector's defaults. */
  warning?: WarningOptions;
  /** Most probes drawn as lines in the loss chart. Default 60. */
  maxProbes?: number;
  /** Most probes drawn as bars in the eigenvector chart. Default 240. */
  maxBars?: number;
  /** Most probes per covariance heatmap (k x k cells each). Default 60. */
  maxHeatmapProbes?: number;
  /** Most points per line (rows of the loss chart, windows of the signal and spectrum charts). Default 1000. */
  maxPoints?: number;
  /** Top eigenvalues shown separately in the spectrum chart (the rest is one area). Default 5. */
  topEigenvalues?: number;
  /** Colour scale of the covariance snapshots: 'panel' (one per panel, the default) or 'shared' (one for all three). Default 'panel'. */
  covarianceScale?: 'panel' | 'shared';
  /** Plot width in pixels. Default 820. */
  width?: number;
  /** Free text printed as the generation time (the report holds no clock reading unless given). */
  generatedAt?: string;
}

/** Chart ids, in page order: also the file names written by `--svg-dir` (`<id>.svg`). */
export type ReportChartId = 'losses' | 'signals' | 'covariance' | 'eigenvector' | 'spectrum' | 'sensitivity';

/** One rendered chart. */
export interface ReportChart {
  id: ReportChartId;
  title: string;
  /** A standalone SVG document (ids prefixed with the chart id). */
  svg: string;
}

/** What {@link buildReport} returns. */
export interface BuiltReport {
  /** The self-contained HTML page. */
  html: string;
  /** The charts that could be drawn, in page order (charts that lacked data are absent). */
  charts: ReportChart[];
  /** The run summary shown in the header. */
  summary: RunSummary;
  /** The SHC and PR of every window at its step, and the transition: what a sweep report overlays. */
  series: { steps: Float64Array; shc: Float64Array; pr: Float64Array; transition: number | null };
}

const KNOWN_INPUTS = ['losses', 'steps', 'groups', 'transition', 'transitions', 'sensitivity', 'source', 'details'];

const count = (min: number, max: number, dflt: number, doc: string) => ({ type: 'integer', min, max, default: dflt, doc }) as const;

/** The presentation options of {@link renderReport} / {@link buildReport}. */
export const REPORT_OPTIONS = defineOptions('report', {
  title: { type: 'string', defaultDoc: 'rdm2 report: <source>', doc: 'page title', cli: { value: 'text' } },
  warning: {
    type: 'custom',
    typeDoc: 'warning options',
    defaultDoc: "the detector's defaults",
    doc: 'warning detector options on the SHC',
    check: (v: unknown): WarningOptions => {
      resolveWarningOptions(v as WarningOptions);
      return v as WarningOptions;
    },
  },
  maxProbes: { ...count(1, 10000, 60, 'most probes drawn as lines in the loss chart'), cli: { value: 'N' } },
  maxBars: count(1, 100000, 240, 'most probes drawn as bars in the eigenvector chart'),
  maxHeatmapProbes: count(2, 400, 60, 'most probes per covariance heatmap'),
  maxPoints: count(10, 1_000_000, 1000, 'most points per line'),
  topEigenvalues: count(1, 9, 5, 'top eigenvalues shown separately in the spectrum chart'),
  covarianceScale: {
    type: 'enum',
    values: ['panel', 'shared'],
    default: 'panel',
    doc: "colour scale of the covariance snapshots: 'panel' (each its own) or 'shared' (one for all)",
    cli: { value: 'scale' },
  },
  width: count(320, 4000, 820, 'plot width in pixels'),
  generatedAt: { type: 'string', doc: 'free text printed as the generation time' },
});

type _ReportSchemaMatches = Assert<SameKeys<typeof REPORT_OPTIONS.fields, ReportOptions>>;


function isAnalysis(a: unknown): a is Analysis {
  const x = a as Analysis;
  return typeof x === 'object' && x !== null && x.t instanceof Int32Array && x.shc instanceof Float64Array && x.eigenvalues instanceof Float64Array && typeof x.options === 'object';
}

/** Context shared by the section builders. */
interface Context {
  a: Analysis;
  view: LossView | undefined;
  steps: ArrayLike<number>;
  stepsGiven: boolean;
  /** Display label of each probe's group. */
  probeGroup: string[];
  /** Distinct labels in display order (sorted like the statistics sort them). */
  groupDomain: string[];
  hasGroups: boolean;
  ws: Float64Array;
  summary: RunSummary;
  warnings: ReturnType<typeof detectWarnings>['warnings'];
  maxProbes: number;
  maxBars: number;
  maxHeatmapProbes: number;
  maxPoints: number;
  topEigenvalues: number;
  covarianceScale: 'panel' | 'shared';
  width: number;
  title: string | undefined;
  /** The SHC against the scalar baselines (needs the losses). */
  baselines: BaselineVerdict | undefined;
  generatedAt: string | undefined;
}

/** Pending section: its chart spec (if any) or the reason it is missing. */
interface SectionPlan {
  id: ReportChartId;
  title: string;
  caption: string;
  spec?: TopLevelSpec;
  missing?: string;
  /** HTML shown after the chart (already escaped). */
  extra?: string;
}

function windowSpan(c: Context, j: number): { from: number; to: number } {
  const last = c.a.t[j];
  return { from: c.steps[last - c.a.options.window + 1], to: c.steps[last] };
}

function plural(k: number, word: string): string {
  return `${k} ${word}${k === 1 ? '' : 's'}`;
}

function lossesSection(c: Context): SectionPlan {
  const { a, view } = c;
  const title = 'Per-probe losses';
  const base: SectionPlan = {
    id: 'losses',
    title,
    caption: 'Each line is one probe\u2019s loss at every checkpoint, coloured by group. The shaded band is the analysis window ending at the SHC peak; dashed red lines are the transitions when known. When the analysis used log losses the loss axis is logarithmic.',
  };
  if (!view) return { ...base, missing: 'The losses are not available (the report was made from a result file whose loss file could not be read), so this chart is not drawn. Make the report from the loss file to see it.' };
  const probes = sampleProbes(c.probeGroup, c.maxProbes);
  const rows = strideIndices(a.rows, c.maxPoints);
  const series: LossSeries[] = Array.from(probes, (p) => {
    const values = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = view.data[rows[r] * view.rowStride + p * view.colStride];
    return { probe: p, group: c.probeGroup[p], values };
  });
  const stepsDrawn = Array.from(rows, (r) => c.steps[r]);
  const peak = c.summary.shcPeak;
  const W = a.options.window;
  const windowLabel = peak ? `window at the SHC peak (W = ${W})` : `first window (W = ${W})`;
  const span = windowSpan(c, peak ? peak.window : 0);
  const sampled = probes.length < a.probes
    ? `${probes.length} of ${a.probes} probes (a deterministic sample, stratified by group)`
    : `all ${plural(a.probes, 'probe')}`;
  const thinned = rows.length < a.rows ? `, ${rows.length} of ${a.rows} checkpoints (evenly spaced)` : '';
  return {
    ...base,
    spec: lossesChartSpec({
      steps: stepsDrawn,
      series,
      groupDomain: c.groupDomain,
      window: { ...span, label: windowLabel },
      transitions: transitionMarks(c.summary, false),
      subtitle: `${sampled}${thinned}`,
      yTitle: a.options.transform === 'log' ? 'loss (log scale: the analysis used log losses)' : 'loss',
      logScale: a.options.transform === 'log',
      width: c.width,
    }),
  };
}

/**
 * The transitions to draw: one with its step and (on the signals chart) its lead time, or
 * several with their names.
 */
function transitionMarks(s: RunSummary, withLead: boolean): { step: number; label: string }[] {
  if (s.transitions && s.transitions.length > 1) return s.transitions.map((t) => ({ step: t.step, label: t.label }));
  if (!s.transition) return [];
  const label = withLead ? `transition: step ${formatStep(s.transition.step)}\nlead time: ${leadTimeText(s)}` : 'transition';
  return [{ step: s.transition.step, label }];
}

function signalsSection(c: Context): SectionPlan {
  const { a, ws, summary } = c;
  const panel = (key: string, title: string, values: Float64Array): SignalPanel => {
    const keep = minMaxIndices(values, c.maxPoints);
    return { key, title, steps: Array.from(keep, (j) => ws[j]), values: Array.from(keep, (j) => values[j]) };
  };
  const wo = summary.warningOptions;
  const thinned = a.windows > c.maxPoints ? `; lines thinned to ${c.maxPoints} points per signal, keeping each bucket's minimum and maximum` : '';
  return {
    id: 'signals',
    title: 'SHC, participation ratio and trace',
    caption: `Spectral heat capacity (SHC, beta = ${a.options.beta}), participation ratio (PR) and trace of the 2RDM of each window, at the step of the window's last checkpoint. Orange: SHC warnings (robust z > ${wo.z} against the previous ${baselineText(wo)} windows, for ${wo.consecutive} consecutive windows; the band spans the run of exceedances, the line is where the warning fired). Black dot: the SHC peak. Dashed red: the transition.`,
    spec: signalsChartSpec({
      panels: [panel('shc', 'SHC', a.shc), panel('pr', 'PR', a.pr), panel('trace', 'trace', a.trace)],
      xDomain: [ws[0], ws[ws.length - 1]],
      warnings: c.warnings.map((w) => ({ step: w.step, startStep: w.startStep, endStep: w.endStep })),
      peak: summary.shcPeak ? { step: summary.shcPeak.step, value: summary.shcPeak.value } : undefined,
      transitions: transitionMarks(summary, true),
      subtitle: `${plural(a.windows, 'window')} of W = ${a.options.window} checkpoints, stride ${a.options.stride}, detrend ${a.options.detrend}, transform ${a.options.transform}; ${plural(c.warnings.length, 'warning')}${thinned}`,
      width: c.width,
    }),
  };
}

/** Copies rows first..first+W-1 of the chosen columns into a W x k matrix. */
function windowColumns(view: LossView, first: number, W: number, columns: Int32Array): { data: Float64Array; shape: [number, number] } {
  const k = columns.length;
  const data = new Float64Array(W * k);
  for (let r = 0; r < W; r++) {
    for (let q = 0; q < k; q++) data[r * k + q] = view.data[(first + r) * view.rowStride + columns[q] * view.colStride];
  }
  return { data, shape: [W, k] };
}

function covarianceSection(c: Context): SectionPlan {
  const { a, view, summary } = c;
  const base: SectionPlan = {
    id: 'covariance',
    title: 'Covariance snapshots',
    caption: `The covariance of the probes\u2019 losses in three windows: one window length before the SHC peak, at the peak, and one window length after. Probes are ordered by group and group boundaries are drawn; red positive, blue negative, ${c.covarianceScale === 'shared' ? 'one colour scale for all three panels, so their magnitudes compare directly' : 'each panel with its own colour scale (read its legend), so a small covariance before the peak is visible beside a large one after it'}. A participating group shows up as a block during the transition.`,
  };
  if (!view) return { ...base, missing: 'The losses are not available (the report was made from a result file whose loss file could not be read), so the covariance snapshots are not drawn.' };
  const peak = summary.shcPeak;
  if (!peak) return { ...base, missing: 'Every window is degenerate: there is no SHC peak to take snapshots around.' };
  const W = a.options.window;
  const offset = Math.max(1, Math.ceil(W / a.options.stride));
  const picks: { label: string; window: number }[] = [];
  if (peak.window - offset >= 0) picks.push({ label: 'before the SHC peak', window: peak.window - offset });
  picks.push({ label: 'at the SHC peak', window: peak.window });
  if (peak.window + offset < a.windows) picks.push({ label: 'after the SHC peak', window: peak.window + offset });
  const columns = sampleProbes(c.probeGroup, c.maxHeatmapProbes);
  const subGroups = Array.from(columns, (p) => c.probeGroup[p]);
  const panels: CovariancePanel[] = [];
  let orderedGroups: string[] = [];
  const skipped: string[] = [];
  for (const pick of picks) {
    const first = a.t[pick.window] - W + 1;
    try {
      const snap = windowCovariance(windowColumns(view, first, W, columns), 0, {
        window: W, detrend: a.options.detrend, transform: a.options.transform, order: subGroups,
      });
      orderedGroups = (snap.groups ?? []).map(String);
      panels.push({ label: pick.label, step: c.ws[pick.window], matrix: snap.data });
    } catch (err) {
      if (err instanceof Rdm2Error && err.code === 'ERR_RDM2_NON_FINITE') skipped.push(`${pick.label} (window ${pick.window} holds a non-finite loss)`);
      else throw err;
    }
  }
  if (panels.length === 0) return { ...base, missing: `No snapshot could be computed: ${skipped.join('; ')}.` };
  const sampled = columns.length < a.probes ? `${columns.length} of ${a.probes} probes (a deterministic sample, stratified by group)` : `all ${plural(a.probes, 'probe')}`;
  return {
    ...base,
    spec: covarianceChartSpec({
      panels,
      orderedGroups,
      subtitle: `${sampled}; windows of W = ${W} checkpoints; ${c.covarianceScale === 'shared' ? 'one colour scale for all panels' : 'each panel its own colour scale (symmetric about 0 at its largest |covariance|)'}${skipped.length ? `; not drawn: ${skipped.join('; ')}` : ''}`,
      size: Math.max(150, Math.min(240, Math.floor((c.width - 160) / 3))),
      scale: c.covarianceScale,
    }),
  };
}

function eigenvectorSection(c: Context): SectionPlan {
  const { a, summary } = c;
  const base: SectionPlan = {
    id: 'eigenvector',
    title: 'Top eigenvector at the SHC peak',
    caption: 'The components of the leading eigenvector v\u2081 of the 2RDM in the window of the SHC peak, one bar per probe, ordered and coloured by group (sign fixed so the largest-magnitude entry is positive). Right: its block energy per group, the share of \u03a3 v\u1d62\u00b2 on the group (over all probes): the probes that carry the transition.',
  };
  if (!a.eigenvectors || a.options.topK < 1) return { ...base, missing: 'The analysis has no eigenvectors (topK = 0). Analyse with topK >= 1 to see this chart (rdm2 report does so by default; rdm2 analyze needs --top-k 1).' };
  const peak = summary.shcPeak;
  if (!peak) return { ...base, missing: 'Every window is degenerate: there is no SHC peak.' };
  const n = a.probes;
  const start = peak.window * a.options.topK * n;
  const v = a.eigenvectors.subarray(start, start + n);
  const drawn = sampleProbes(c.probeGroup, c.maxBars);
  const rank = new Map(c.groupDomain.map((g, k) => [g, k]));
  const ordered = Array.from(drawn).sort((p, q) => rank.get(c.probeGroup[p])! - rank.get(c.probeGroup[q])! || p - q);
  const energies = c.hasGroups && summary.blockEnergy
    ? c.groupDomain.map((g) => ({ group: g, energy: summary.blockEnergy![g] ?? 0 }))
    : [];
  const sampled = drawn.length < n ? `${drawn.length} of ${n} probes drawn (a deterministic sample, stratified by group; energies use all ${n})` : `all ${plural(n, 'probe')}`;
  return {
    ...base,
    spec: eigenvectorChartSpec({
      values: ordered.map((p) => v[p]),
      orderedGroups: ordered.map((p) => c.probeGroup[p]),
      groupDomain: c.groupDomain,
      energies,
      subtitle: `window ${peak.window}, ending at step ${formatStep(peak.step)}; localisation (IPR) ${summary.localization === null ? 'n/a' : formatValue(summary.localization, 3)}; ${sampled}`,
      width: energies.length > 0 ? c.width - 300 : c.width,
    }),
  };
}

function spectrumSection(c: Context): SectionPlan {
  const { a, ws } = c;
  const m = a.eigenCount;
  const top = Math.min(c.topEigenvalues, m);
  const keep = strideIndices(a.windows, c.maxPoints);
  const steps: number[] = [];
  const shares: number[][] = [];
  const eigenvalues: number[][] = [];
  let skipped = 0;
  for (const j of keep) {
    const tr = a.trace[j];
    if (a.degenerate[j] || !(tr > 0)) { skipped++; continue; }
    const row: number[] = [];
    let sum = 0;
    for (let k = 0; k < top; k++) {
      const p = Math.max(0, a.eigenvalues[j * m + k] / tr);
      row.push(p);
      sum += p;
    }
    row.push(Math.max(0, 1 - sum));
    steps.push(ws[j]);
    shares.push(row);
    eigenvalues.push(Array.from(a.eigenvalues.subarray(j * m, j * m + top)));
  }
  const base: SectionPlan = {
    id: 'spectrum',
    title: 'Eigenvalue spectrum over time',
    caption: `Top: the share \u03bb\u2096 / trace of each of the top ${top} eigenvalues of every window, stacked, and the rest of the spectrum in grey; a mode growing out of the bulk widens the bottom band. Bottom: the same ${top} eigenvalues on a log axis, readable when \u03bb\u2081 holds nearly the whole trace and the shares are one solid block. The dotted line is the SHC peak.`,
  };
  if (shares.length === 0) return { ...base, missing: 'Every window is degenerate: there is no spectrum to draw.' };
  const notes = [`top ${top} of ${m} eigenvalues per window`];
  if (keep.length < a.windows) notes.push(`${keep.length} of ${a.windows} windows (evenly spaced)`);
  if (skipped > 0) notes.push(`${skipped} degenerate window${skipped === 1 ? '' : 's'} left out`);
  return {
    ...base,
    spec: spectrumChartSpec({
      steps,
      shares,
      eigenvalues,
      top,
      xDomain: [ws[0], ws[ws.length - 1]],
      peakStep: c.summary.shcPeak?.step,
      subtitle: notes.join('; '),
      width: c.width,
    }),
  };
}

function makeContext(analysis: Analysis, inputs: ReportInputs, opts: ReportOptions): Context {
  if (!isAnalysis(analysis)) optionError('renderReport needs an Analysis (the result of analyze)');
  if (typeof inputs !== 'object' || inputs === null) optionError('report inputs must be an object');
  for (const key of Object.keys(inputs)) if (!KNOWN_INPUTS.includes(key)) optionError(`unknown report input '${key}' (known: ${KNOWN_INPUTS.join(', ')})`);
  const o = resolveOptions(REPORT_OPTIONS, opts);
  const a = analysis;
  let view: LossView | undefined;
  if (inputs.losses !== undefined) {
    view = toLossView(inputs.losses);
    if (view.rows !== a.rows || view.cols !== a.probes) {
      throw new Rdm2Error('ERR_RDM2_SHAPE', `losses are ${view.rows} x ${view.cols} but the analysis ran on ${a.rows} x ${a.probes}`);
    }
  }
  const sens = inputs.sensitivity as SensitivityTable | undefined;
  if (sens !== undefined && (typeof sens !== 'object' || sens === null || !(sens.window instanceof Int32Array) || typeof sens.rows !== 'number')) {
    optionError('report input sensitivity must be a table returned by sensitivity()');
  }
  const hasGroups = inputs.groups !== undefined;
  const resolved = resolveGroups(inputs.groups ?? new Array<string>(a.probes).fill('all'), a.probes);
  const groupDomain = resolved.labels.map(String);
  const probeGroup = Array.from(resolved.index, (k) => groupDomain[k]);
  const hasVectors = a.eigenvectors !== undefined && a.options.topK >= 1;
  const summary = summarizeRun(a, {
    ...(hasGroups && hasVectors ? { groups: inputs.groups } : {}),
    ...(inputs.transition !== undefined ? { transition: inputs.transition } : {}),
    ...(inputs.transitions !== undefined ? { transitions: inputs.transitions } : {}),
    ...(inputs.steps !== undefined ? { steps: inputs.steps } : {}),
    ...(o.warning !== undefined ? { warning: o.warning } : {}),
  });
  const steps = inputs.steps ?? Float64Array.from({ length: a.rows }, (_, i) => i);
  const ws = windowSteps(a, inputs.steps);
  const { warnings } = detectWarnings(a.shc, summary.warningOptions, ws);
  let baselines: BaselineVerdict | undefined;
  if (view) {
    const { direction: _direction, ...shared } = summary.warningOptions;
    baselines = compareIndicators(inputs.losses!, a, {
      warning: shared,
      ...(hasGroups ? { groups: inputs.groups } : {}),
      ...(inputs.steps !== undefined ? { steps: inputs.steps } : {}),
    }).versusBaselines;
  }
  return {
    a,
    view,
    steps,
    stepsGiven: inputs.steps !== undefined,
    probeGroup,
    groupDomain,
    hasGroups,
    ws,
    summary,
    warnings,
    maxProbes: o.maxProbes,
    maxBars: o.maxBars,
    maxHeatmapProbes: o.maxHeatmapProbes,
    maxPoints: o.maxPoints,
    topEigenvalues: o.topEigenvalues,
    covarianceScale: o.covarianceScale,
    width: o.width,
    title: o.title,
    generatedAt: o.generatedAt,
    baselines,
  };
}

/**
 * Renders the report of one analysed run and returns the HTML page together with each chart
 * as a standalone SVG and the run summary. Writes nothing. See {@link renderReport}.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * const { html, charts } = await buildReport(a, { losses, groups }, {});
 * for (const c of charts) await writeFile(`${c.id}.svg`, c.svg);
 * ```
 */
export async function buildReport(analysis: Analysis, inputs: ReportInputs = {}, opts: ReportOptions = {}): Promise<BuiltReport> {
  const c = makeContext(analysis, inputs, opts);
  const plans = [lossesSection(c), signalsSection(c), covarianceSection(c), eigenvectorSection(c), spectrumSection(c)];
  if (inputs.sensitivity !== undefined) {
    const sens = sensitivitySection(inputs.sensitivity, c.width);
    plans.push({
      id: 'sensitivity',
      title: 'Sensitivity of the SHC warning to the settings',
      caption: sens.caption,
      spec: sens.spec,
      extra: `<p class="verdict">${escapeHtml(sens.verdict)}</p>\n${sens.table}`,
    });
  }
  const charts: ReportChart[] = [];
  const sections: HtmlSection[] = [];
  for (const plan of plans) {
    let body: string;
    if (plan.spec) {
      const svg = await renderSvg(plan.spec, plan.id);
      charts.push({ id: plan.id, title: plan.title, svg });
      body = figure(svg, plan.title) + (plan.extra ? `\n${plan.extra}` : '');
    } else {
      body = missing(plan.missing ?? 'not available');
    }
    sections.push({ id: plan.id, title: plan.title, caption: plan.caption, body });
  }
  const source = inputs.source ?? '(in-memory losses)';
  const counts = c.groupDomain.map((g) => ({ group: g, count: c.probeGroup.filter((x) => x === g).length }));
  const header = headerSection({
    source,
    summary: c.summary,
    groupCounts: c.hasGroups ? counts : [],
    stepRange: { first: c.steps[0], last: c.steps[c.a.rows - 1], given: c.stepsGiven },
    sampledProbes: c.view ? Math.min(c.maxProbes, c.a.probes) : undefined,
    libraryVersion: rdm2Version(),
    chartVersions: await chartVersions(),
    generatedAt: c.generatedAt,
    extra: inputs.details,
    ...(c.baselines ? { baselines: c.baselines.text } : {}),
  });
  sections.unshift({
    id: 'summary',
    title: 'Overview',
    caption: 'What went in, the options used, and what the early-warning statistics found.',
    body: header,
  });
  const html = htmlDocument({
    title: c.title ?? `rdm2 report: ${source}`,
    subtitle: `T = ${c.a.rows} checkpoints, n = ${c.a.probes} probes, W = ${c.a.options.window}; ${leadTimeText(c.summary)}`,
    sections,
    footer: `Generated by rdm2 ${rdm2Version()}. Self-contained: inline SVG and CSS, no scripts, no network.`,
  });
  return { html, charts, summary: c.summary, series: { steps: c.ws, shc: c.a.shc, pr: c.a.pr, transition: c.summary.transition?.step ?? null } };
}

/**
 * Renders the HTML report of one analysed run: a single self-contained page (inline SVG
 * charts drawn in Node by Vega-Lite and Vega, inline CSS, no scripts, no network requests at
 * view time) with six sections: the run summary table (input, options, T, n, SHC peak,
 * warnings, lead time, block energies, library version), per-probe losses coloured by group
 * with the analysis window, SHC / PR / trace on aligned axes with warnings and the transition,
 * covariance snapshots before, at and after the SHC peak, the top eigenvector at the peak with
 * its block energies, and the eigenvalue shares over time. Large inputs are thinned
 * deterministically (see {@link ReportOptions}). Returns the HTML; writes nothing.
 *
 * @param analysis the result of `analyze` (with topK >= 1 for the eigenvector chart).
 * @param inputs the losses it ran on, steps, groups, transition and a source label.
 * @throws Rdm2Error ERR_RDM2_OPTION on unknown or out-of-range options; ERR_RDM2_SHAPE when the losses, steps
 *   or groups do not match the analysis.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { analyze, renderReport, syntheticScenario } from 'rdm2';
 * const s = syntheticScenario({ seed: 1 });
 * const a = await analyze(s.losses, { window: 20, topK: 1 });
 * const html = await renderReport(a, { losses: s.losses, steps: s.steps, groups: s.groups, transition: s.transitionStep });
 * await writeFile('report.html', html);
 * ```
 */
export async function renderReport(analysis: Analysis, inputs: ReportInputs = {}, opts: ReportOptions = {}): Promise<string> {
  return (await buildReport(analysis, inputs, opts)).html;
}

async function chartVersions(): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  return `vega-lite ${vegaLite.version}, vega ${(vega as { version?: string }).version ?? 'unknown'}`;
}
