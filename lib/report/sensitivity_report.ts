// The sensitivity section (a table and a heatmap of the SHC's peak, first warning and lead time per
// setting), for the run report and for the standalone page of `rdm2 sensitivity --html`.
import type { TopLevelSpec } from 'vega-lite';
import { rdm2Version } from '../io/producer.js';
import { defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import type { SensitivityTable } from '../stats/sensitivity.js';
import { baselineText } from '../stats/warnings.js';
import { sensitivityChartSpec } from './charts/sensitivity.js';
import { escapeHtml, formatStep, formatValue } from './format.js';
import { figure, htmlDocument, keyValueTable, type HtmlSection } from './html.js';
import { renderSvg } from './render_svg.js';

/** The sensitivity section of a page: its caption, its verdict in words, its heatmap and its table. */
export interface SensitivitySection {
  caption: string;
  /** Whether the conclusion holds across the grid, in words. */
  verdict: string;
  spec: TopLevelSpec;
  /** The table as HTML. */
  table: string;
}

const range = (xs: number[]) => (xs.length === 0 ? '' : Math.min(...xs) === Math.max(...xs) ? formatStep(xs[0]!) : `${formatStep(Math.min(...xs))} to ${formatStep(Math.max(...xs))}`);

/**
 * The verdict of a sensitivity table in words: with a transition, in how many settings the first
 * SHC warning came before it (and the range of leads); without one, in how many settings a
 * warning fired; and where the SHC peak lies across the grid.
 *
 * @example
 * ```ts
 * sensitivityVerdict(tab); // 'The first SHC warning came before the transition in 5 of 6 settings (leads 40 to 120 steps); ...'
 * ```
 */
export function sensitivityVerdict(t: SensitivityTable): string {
  const all = Array.from({ length: t.rows }, (_, r) => r);
  const warned = all.filter((r) => Number.isFinite(t.firstWarningStep[r]));
  const peaks = all.filter((r) => Number.isFinite(t.peakStep[r])).map((r) => t.peakStep[r]!);
  const parts: string[] = [];
  if (t.transition) {
    const early = all.filter((r) => t.leadSteps[r]! > 0);
    const leads = warned.map((r) => t.leadSteps[r]!);
    parts.push(`The first SHC warning came before the transition in ${early.length} of ${t.rows} settings${leads.length ? ` (leads ${range(leads)} steps)` : ''}`);
    if (warned.length < t.rows) parts.push(`nothing warned in ${t.rows - warned.length}`);
  } else {
    parts.push(`An SHC warning fired in ${warned.length} of ${t.rows} settings${warned.length ? `, first at steps ${range(warned.map((r) => t.firstWarningStep[r]!))}` : ''}`);
  }
  if (peaks.length) parts.push(`the SHC peak lies at steps ${range(peaks)}`);
  const robust = t.transition ? all.every((r) => t.leadSteps[r]! > 0) || all.every((r) => !(t.leadSteps[r]! > 0)) : warned.length === 0 || warned.length === t.rows;
  return `${parts.join('; ')}. ${robust ? 'The conclusion is the same in every setting.' : 'The conclusion depends on the setting.'}`;
}

function tableHtml(t: SensitivityTable): string {
  const head = ['W', 'detrend', 'transform', 'SHC peak step', 'SHC peak', 'warnings', 'first warning step', 'lead (steps)', 'lead (checkpoints)', 'Kendall tau'];
  const cell = (v: number, f: (x: number) => string = formatStep) => `<td class="num">${Number.isFinite(v) ? escapeHtml(f(v)) : '&ndash;'}</td>`;
  const rows = Array.from({ length: t.rows }, (_, r) =>
    `<tr><td class="num">${t.window[r]}</td><td>${t.detrend[r]}</td><td>${t.transform[r]}</td>${cell(t.peakStep[r]!)}${cell(t.peakHeight[r]!, (x) => formatValue(x))}<td class="num">${t.warningCount[r]}</td>${cell(t.firstWarningStep[r]!)}${cell(t.leadSteps[r]!)}${cell(t.leadCheckpoints[r]!)}${cell(t.tau[r]!, (x) => formatValue(x, 3))}</tr>`,
  );
  const th = head.map((h, k) => `<th scope="col"${k === 1 || k === 2 ? '' : ' class="num"'}>${escapeHtml(h)}</th>`).join('');
  return `<table class="runs">\n<thead><tr>${th}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/**
 * The sensitivity section of a page from a {@link SensitivityTable}: caption, verdict, heatmap
 * spec and table.
 *
 * @example
 * ```ts
 * const s = sensitivitySection(await sensitivity(losses, { windows: [10, 20, 40], transform: ['none', 'log'] }), 820);
 * ```
 */
export function sensitivitySection(t: SensitivityTable, width: number): SensitivitySection {
  const w = t.warningOptions;
  const verdict = sensitivityVerdict(t);
  const rule = `baseline ${baselineText(w)}, z > ${w.z}, ${w.consecutive} in a row`;
  return {
    caption: `The same run analysed at every setting of the grid: window W, detrending and loss transform. Per setting, the step of the SHC peak, the first SHC warning (${rule}) and its lead before the transition (positive = early), with Kendall's tau of the SHC's rise. A conclusion that survives the grid is not an artefact of one setting.`,
    verdict,
    spec: sensitivityChartSpec({
      table: t,
      subtitle: t.transition ? `transition at step ${formatStep(t.transition.step)}; blue: warned early, red: late, grey: no warning` : 'no transition given: the step of the first warning; grey: no warning',
      width,
    }),
    table: tableHtml(t),
  };
}

/** Options of {@link buildSensitivityReport}; all optional. */
export interface SensitivityReportOptions {
  /** Where the losses came from, shown in the header. */
  source?: string;
  /** Page title. Default `rdm2 sensitivity: <source>`. */
  title?: string;
  /** Plot width in pixels. Default 820. */
  width?: number;
  /** Free text printed as the generation time. */
  generatedAt?: string;
}

/** The options of {@link buildSensitivityReport}. */
export const SENSITIVITY_REPORT_OPTIONS = defineOptions('sensitivity report', {
  source: { type: 'string', doc: 'where the losses came from, shown in the header' },
  title: { type: 'string', defaultDoc: 'rdm2 sensitivity: <source>', doc: 'page title' },
  width: { type: 'integer', min: 320, max: 4000, default: 820, doc: 'plot width in pixels' },
  generatedAt: { type: 'string', doc: 'free text printed as the generation time' },
});

type _SensitivityReportSchemaMatches = Assert<SameKeys<typeof SENSITIVITY_REPORT_OPTIONS.fields, SensitivityReportOptions>>;

/**
 * A self-contained HTML page of a sensitivity table (the page `rdm2 sensitivity --html` writes):
 * an overview and the sensitivity section (verdict, heatmap, table). Writes nothing.
 *
 * @example
 * ```ts
 * const { html } = await buildSensitivityReport(await sensitivity(losses, { windows: [10, 20, 40] }), { source: 'run/losses.npy' });
 * ```
 */
export async function buildSensitivityReport(t: SensitivityTable, options: SensitivityReportOptions = {}): Promise<{ html: string; charts: { id: 'sensitivity'; title: string; svg: string }[] }> {
  const o = resolveOptions(SENSITIVITY_REPORT_OPTIONS, options);
  const source = o.source ?? '(in-memory losses)';
  const s = sensitivitySection(t, o.width);
  const svg = await renderSvg(s.spec, 'sensitivity');
  const windows = [...new Set(t.window)].join(', ');
  const overview = keyValueTable([
    ['Input', `<code>${escapeHtml(source)}</code>`],
    ['Grid', escapeHtml(`W ${windows}; detrend ${[...new Set(t.detrend)].join(', ')}; transform ${[...new Set(t.transform)].join(', ')}: ${t.rows} settings`)],
    ['Transition', t.transition ? `step ${escapeHtml(formatStep(t.transition.step))} (checkpoint ${t.transition.checkpoint})` : 'not given'],
    ['Verdict', escapeHtml(s.verdict)],
    ['Library', `rdm2 ${escapeHtml(rdm2Version())}`],
    ...(o.generatedAt !== undefined ? [['Generated', escapeHtml(o.generatedAt)] as [string, string]] : []),
  ]);
  const sections: HtmlSection[] = [
    { id: 'overview', title: 'Overview', body: overview },
    { id: 'sensitivity', title: 'Sensitivity of the SHC warning to the settings', caption: s.caption, body: `${figure(svg, 'Sensitivity heatmap')}\n${s.table}` },
  ];
  const html = htmlDocument({
    title: o.title ?? `rdm2 sensitivity: ${source}`,
    subtitle: s.verdict,
    sections,
    footer: `Generated by rdm2 ${rdm2Version()}. Self-contained: inline SVG and CSS, no scripts, no network.`,
  });
  return { html, charts: [{ id: 'sensitivity', title: 'Sensitivity heatmap', svg }] };
}
