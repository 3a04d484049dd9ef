// The HTML report of a sweep: lead times across runs per group, every run with a link, failures.
import { showValue } from '../show_value.js';
import { posix } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { rdm2Version } from '../io/producer.js';
import { aggregate, type AggregateTable, type RunSummary } from '../stats/index.js';
import { leadTimesChartSpec } from './charts/lead_times.js';
import { sweepCurvesChartSpec } from './charts/sweep_curves.js';
import { minMaxIndices } from './sampling.js';
import { escapeHtml, formatStep, formatValue } from './format.js';
import { figure, htmlDocument, keyValueTable, missing, type HtmlSection } from './html.js';
import { renderSvg } from './render_svg.js';

/**
 * One run of a sweep as `summary.json` lists it: the run summary of `summarizeRun` (absent or
 * null fields for a failed run) plus the run's `path` relative to the sweep root, its `status`
 * and its `error`. Any other fields (seed, learning rate, ...) can be grouped on.
 */
export interface SweepRunRecord extends Partial<RunSummary> {
  path: string;
  status: 'ok' | 'failed';
  error?: string | null;
}

/** A record with its other fields readable by name. */
type Fields = SweepRunRecord & Record<string, unknown>;

/** Options of {@link renderSweepReport}; all optional. */
export interface SweepReportOptions {
  /**
   * How runs are grouped: a record field name, or a function of the record. Default: the run's
   * directory's parent (`lr=0.1/seed=3/losses.npy` is in group `lr=0.1`), or `all` when runs sit
   * one level deep.
   */
  by?: string | ((record: SweepRunRecord) => string | number);
  /** Link target of each run's own report (relative to the sweep page), or undefined for none. */
  reportHref?: (record: SweepRunRecord, index: number) => string | undefined;
  /** Where the records came from (e.g. the summary.json path), shown in the header. */
  source?: string;
  /** Page title. Default `rdm2 sweep report: <source>`. */
  title?: string;
  /** Seed of the bootstrap intervals. Default 0. */
  seed?: number;
  /** Bootstrap resamples. Default 2000. */
  bootstrap?: number;
  /** Plot width in pixels. Default 720. */
  width?: number;
  /** Free text printed as the generation time. */
  generatedAt?: string;
  /** Each run's SHC and PR over its windows, drawn overlaid (aligned on the transitions when every run has one). */
  curves?: SweepCurve[];
}

/** One run's SHC and PR series for the overlaid curves of {@link buildSweepReport}. */
export interface SweepCurve {
  /** The run's path, as in its record (for its group). */
  path: string;
  /** Step of each window's last checkpoint. */
  steps: ArrayLike<number>;
  shc: ArrayLike<number>;
  pr: ArrayLike<number>;
  /** The run's transition step, or null. */
  transition: number | null;
}

/** What {@link buildSweepReport} returns. */
export interface BuiltSweepReport {
  html: string;
  /** The lead-time chart (absent when no run has a lead time) and the overlaid curves (when given). */
  charts: { id: 'lead_times' | 'curves'; title: string; svg: string }[];
  /** The aggregate per group (null when no run succeeded). */
  table: AggregateTable | null;
}

/** The options of {@link renderSweepReport} / {@link buildSweepReport}. */
export const SWEEP_REPORT_OPTIONS = defineOptions('sweep report', {
  by: {
    type: 'custom',
    typeDoc: 'a field name or a function',
    defaultDoc: "each run directory's parent",
    doc: 'how runs are grouped: a record field, or a function of the record',
    check: (v: unknown, name: string): SweepReportOptions['by'] => {
      if (typeof v !== 'string' && typeof v !== 'function') optionError(`${name} must be a field name or a function`);
      return v as SweepReportOptions['by'];
    },
  },
  reportHref: { type: 'function', doc: "link target of each run's own report, relative to the sweep page" },
  source: { type: 'string', doc: 'where the records came from, shown in the header' },
  title: { type: 'string', defaultDoc: 'rdm2 sweep report: <source>', doc: 'page title' },
  seed: { type: 'seed', doc: 'seed of the bootstrap intervals', defaultDoc: '0' },
  bootstrap: { type: 'integer', min: 1, doc: 'bootstrap resamples', defaultDoc: '2000' },
  width: { type: 'integer', min: 320, max: 4000, default: 720, doc: 'plot width in pixels' },
  generatedAt: { type: 'string', doc: 'free text printed as the generation time' },
  curves: {
    type: 'custom',
    typeDoc: 'an array of { path, steps, shc, pr, transition }',
    doc: "each run's SHC and PR, drawn overlaid",
    check: (v: unknown, name: string): SweepCurve[] => {
      if (!Array.isArray(v)) optionError(`${name} must be an array of { path, steps, shc, pr, transition }`);
      v.forEach((c, i) => {
        const ok = typeof c === 'object' && c !== null && typeof c.path === 'string' && ['steps', 'shc', 'pr'].every((k) => typeof c[k]?.length === 'number' && c[k].length === c.steps.length);
        if (!ok) optionError(`${name}[${i}] must be { path, steps, shc, pr, transition } with steps, shc and pr of one length`);
      });
      return v as SweepCurve[];
    },
  },
});

/** Most points drawn per run and curve in the overlaid curves. */
const CURVE_POINTS = 400;

type _SweepReportSchemaMatches = Assert<SameKeys<typeof SWEEP_REPORT_OPTIONS.fields, SweepReportOptions>>;


/**
 * The default group of a run: the parent of the run's directory, from its path relative to the
 * sweep root (`a/b/losses.npy` -> `a`, `a/b/c/losses.npy` -> `a/b`), or `all` for runs one or
 * zero directories deep.
 *
 * @example
 * ```ts
 * defaultRunGroup('lr=0.1/seed=3/losses.npy'); // 'lr=0.1'
 * defaultRunGroup('seed=3/losses.npy');        // 'all'
 * ```
 */
export function defaultRunGroup(path: string): string {
  const parent = posix.dirname(posix.dirname(path.replace(/\\/g, '/')));
  return parent === '.' || parent === '/' || parent === '' ? 'all' : parent;
}

function checkRecords(records: unknown): Fields[] {
  if (!Array.isArray(records)) optionError('sweep records must be an array (the runs of summary.json)');
  if (records.length === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', 'the sweep has no runs');
  records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) optionError(`runs[${i}] is not an object`);
    const rec = r as SweepRunRecord;
    if (typeof rec.path !== 'string') optionError(`runs[${i}].path must be a string (the run's path relative to the sweep root)`);
    if (rec.status !== 'ok' && rec.status !== 'failed') optionError(`runs[${i}].status must be 'ok' or 'failed', got ${showValue(rec.status)}`);
  });
  return records as Fields[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const field = (r: Fields, a: string, b?: string): unknown => {
  const x = r[a];
  if (b === undefined) return x;
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[b] : undefined;
};

function cell(v: number | null, digits?: number): string {
  return `<td class="num">${v === null ? '&ndash;' : escapeHtml(digits === undefined ? formatStep(v) : formatValue(v, digits))}</td>`;
}

function topEnergy(r: Fields): string {
  const be = r.blockEnergy;
  if (typeof be !== 'object' || be === null) return '&ndash;';
  let best: [string, number] | null = null;
  for (const [g, e] of Object.entries(be as Record<string, unknown>)) if (typeof e === 'number' && (!best || e > best[1])) best = [g, e];
  return best ? `${escapeHtml(best[0])} ${escapeHtml(formatValue(best[1], 3))}` : '&ndash;';
}

function runsTable(records: Fields[], groupOf: (r: Fields) => string, href: SweepReportOptions['reportHref']): string {
  const head = ['run', 'group', 'status', 'SHC peak step', 'SHC peak', 'first warning step', 'lead (steps)', 'lead (checkpoints)', 'top block energy'];
  const numeric = new Set([3, 4, 5, 6, 7]);
  const rows = records.map((r, i) => {
    const link = r.status === 'ok' ? href?.(r, i) : undefined;
    const name = link ? `<a href="${escapeHtml(link)}">${escapeHtml(r.path)}</a>` : escapeHtml(r.path);
    const status = r.status === 'ok' ? 'ok' : `failed: ${escapeHtml(String(r.error ?? 'unknown error'))}`;
    // A failed run may lack the grouping field: its group is shown as unknown rather than refused.
    let group: string;
    try {
      group = escapeHtml(groupOf(r));
    } catch (err) {
      if (r.status === 'ok') throw err;
      group = '&ndash;';
    }
    return `<tr class="${r.status}"><td>${name}</td><td>${group}</td><td>${status}</td>${cell(num(field(r, 'shcPeak', 'step')))}${cell(num(field(r, 'shcPeak', 'value')), 4)}${cell(num(field(r, 'firstWarning', 'step')))}${cell(num(r.leadSteps))}${cell(num(r.leadCheckpoints))}<td>${topEnergy(r)}</td></tr>`;
  });
  return tableHtml(head, numeric, rows);
}

function tableHtml(head: string[], numeric: Set<number>, rows: string[]): string {
  const th = head.map((h, k) => `<th scope="col"${numeric.has(k) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  return `<table class="runs">\n<thead><tr>${th}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function aggregateTable(t: AggregateTable): string {
  const head = ['group', 'runs', 'with a lead time', 'mean', 'sd', 'median', `${Math.round(t.level * 100)}% interval of the mean`];
  const rows = t.key.map((k, g) => {
    const ci = Number.isFinite(t.ciLow[g]) ? `${formatValue(t.ciLow[g])} to ${formatValue(t.ciHigh[g])}` : '&ndash;';
    const f = (v: number) => (Number.isFinite(v) ? escapeHtml(formatValue(v)) : '&ndash;');
    return `<tr><td>${escapeHtml(String(k))}</td><td class="num">${t.runs[g]}</td><td class="num">${t.used[g]}</td><td class="num">${f(t.mean[g])}</td><td class="num">${f(t.sd[g])}</td><td class="num">${f(t.median[g])}</td><td class="num">${ci}</td></tr>`;
  });
  return tableHtml(head, new Set([1, 2, 3, 4, 5, 6]), rows);
}

/**
 * Renders the sweep report and returns the page, its chart and the aggregate table. Writes
 * nothing. See {@link renderSweepReport}.
 *
 * @example
 * ```ts
 * const { html, charts, table } = await buildSweepReport(summary.runs, { by: 'width' });
 * ```
 */
export async function buildSweepReport(records: readonly SweepRunRecord[], options: SweepReportOptions = {}): Promise<BuiltSweepReport> {
  const runs = checkRecords(records);
  const opts = resolveOptions(SWEEP_REPORT_OPTIONS, options);
  const { width, by } = opts;
  const groupOf = (r: Fields): string => {
    if (by === undefined) return defaultRunGroup(r.path);
    const k = typeof by === 'function' ? by(r) : r[by];
    if (!(typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)))) {
      optionError(`run ${JSON.stringify(r.path)} has group key ${showValue(k)}${typeof by === 'string' ? ` in field '${by}'` : ''}: keys must be strings or finite numbers`);
    }
    return String(k);
  };
  const ok = runs.filter((r) => r.status === 'ok');
  const failed = runs.filter((r) => r.status === 'failed');
  const groupLabel = by === undefined ? 'the parent of each run\u2019s directory' : typeof by === 'string' ? `the field '${by}'` : 'a custom function';

  let table: AggregateTable | null = null;
  const charts: BuiltSweepReport['charts'] = [];
  let leadBody: string;
  if (ok.length === 0) {
    leadBody = missing('No run succeeded: there is nothing to aggregate.');
  } else {
    table = aggregate(ok, groupOf, {
      value: (r) => num(r.leadSteps),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}),
    });
    const t = table;
    if (t.used.reduce((a, b) => a + b, 0) === 0) {
      leadBody = `${missing('No run has a lead time (no transition given, or no SHC warning fired in any run).')}\n${aggregateTable(t)}`;
    } else {
      const groups = t.key.map((k, g) => ({
        label: `${k} (${t.used[g]} of ${t.runs[g]})`,
        values: ok.filter((r) => groupOf(r) === String(k)).map((r) => num(r.leadSteps)).filter((v): v is number => v !== null),
        mean: t.mean[g],
        ciLow: t.ciLow[g],
        ciHigh: t.ciHigh[g],
      }));
      const spec = leadTimesChartSpec({
        groups,
        xTitle: 'lead time (steps; positive = warned before the transition)',
        subtitle: `Ticks: runs; red: mean and ${Math.round(t.level * 100)}% bootstrap interval (${t.bootstrap} resamples, seed ${t.seed}); (k of m): runs with a lead time of the group's runs`,
        width,
      });
      const svg = await renderSvg(spec, 'lead_times');
      charts.push({ id: 'lead_times', title: 'Lead time per group of runs', svg });
      leadBody = `${figure(svg, 'Lead time per group of runs')}\n${aggregateTable(t)}`;
    }
  }

  const curves = (opts.curves ?? []) as SweepCurve[];
  let curvesBody: string;
  if (curves.length === 0) {
    curvesBody = missing('The runs\u2019 SHC and PR series are not available here: rdm2 report --sweep draws them from the run reports it writes (or from JSON results next to summary.json).');
  } else {
    const aligned = curves.every((c) => c.transition !== null && Number.isFinite(c.transition));
    const byPath = new Map(runs.map((r) => [r.path, r]));
    const groupOfCurve = (c: SweepCurve) => {
      const r = byPath.get(c.path);
      if (!r) return 'all';
      try {
        return groupOf(r);
      } catch {
        return 'all';
      }
    };
    const drawn = curves.map((c) => {
      const keep = minMaxIndices(c.shc, CURVE_POINTS);
      const shift = aligned ? c.transition! : 0;
      return {
        label: c.path,
        group: groupOfCurve(c),
        x: Array.from(keep, (j) => c.steps[j]! - shift),
        shc: Array.from(keep, (j) => c.shc[j]!),
        pr: Array.from(keep, (j) => c.pr[j]!),
      };
    });
    const groupDomain = [...new Set(drawn.map((d) => d.group))];
    const spec = sweepCurvesChartSpec({
      runs: drawn,
      groupDomain,
      aligned,
      subtitle: `${curves.length} run${curves.length === 1 ? '' : 's'}; ${aligned ? 'aligned on each run\u2019s transition (dashed line at 0)' : 'not aligned: some run has no known transition'}; at most ${CURVE_POINTS} points per run, keeping each bucket\u2019s SHC minimum and maximum`,
      width,
    });
    const svg = await renderSvg(spec, 'curves');
    charts.push({ id: 'curves', title: 'SHC and PR of every run', svg });
    curvesBody = figure(svg, 'SHC and PR of every run');
  }

  const source = opts.source ?? '(in-memory records)';
  const warned = ok.filter((r) => num(r.leadSteps) !== null).length;
  const overview = keyValueTable([
    ['Sweep summary', `<code>${escapeHtml(source)}</code>`],
    ['Runs', `${runs.length}: ${ok.length} ok, ${failed.length} failed`],
    ['Runs with a lead time', `${warned} of ${ok.length} successful runs`],
    ['Groups of runs', `${table ? table.key.length : 0}, by ${escapeHtml(groupLabel)}`],
    ['Library', `rdm2 ${escapeHtml(rdm2Version())}`],
    ...(opts.generatedAt !== undefined ? [['Generated', escapeHtml(opts.generatedAt)] as [string, string]] : []),
  ]);
  const failedBody = failed.length === 0
    ? '<p>None.</p>'
    : `<ul class="failed">\n${failed.map((r) => `<li><code>${escapeHtml(r.path)}</code>: ${escapeHtml(String(r.error ?? 'unknown error'))}</li>`).join('\n')}\n</ul>`;
  const sections: HtmlSection[] = [
    { id: 'overview', title: 'Sweep overview', body: overview },
    {
      id: 'lead-times',
      title: 'Lead time per group of runs',
      caption: 'Lead time = transition step minus the step of the first SHC warning, per run (positive: the warning came first). Runs without a warning or without a known transition have no lead time and are counted apart.',
      body: leadBody,
    },
    {
      id: 'curves',
      title: 'SHC and PR of every run',
      caption: 'Every run\u2019s SHC and participation ratio over its windows, overlaid and coloured by group; when every run has a known transition the curves are shifted so that each run\u2019s transition is at 0, so a common precursor lines up.',
      body: curvesBody,
    },
    { id: 'runs', title: 'All runs', caption: 'Each successful run links to its own report.', body: runsTable(runs, groupOf, opts.reportHref as SweepReportOptions['reportHref']) },
    { id: 'failed', title: `Failed runs (${failed.length})`, body: failedBody },
  ];
  const html = htmlDocument({
    title: opts.title ?? `rdm2 sweep report: ${source}`,
    subtitle: `${runs.length} runs, ${failed.length} failed; ${warned} with a lead time`,
    sections,
    footer: `Generated by rdm2 ${rdm2Version()}. Self-contained: inline SVG and CSS, no scripts, no network.`,
  });
  return { html, charts, table };
}

/**
 * Renders the report of a sweep as one self-contained HTML page: an overview, the lead time
 * of the first SHC warning per group of runs (every run as a tick, the mean and its bootstrap
 * 95% interval, as in the paper's lag-over-seeds figure, with the aggregate table), a table of
 * all runs linking to their own reports, and the failed runs with their errors. Returns the
 * HTML; writes nothing.
 *
 * @param records the runs of a sweep's `summary.json`.
 * @throws Rdm2Error ERR_RDM2_SHAPE on no runs; ERR_RDM2_OPTION on malformed records or options.
 *
 * @example
 * ```ts
 * import { readFile, writeFile } from 'node:fs/promises';
 * import { renderSweepReport } from 'rdm2';
 * const summary = JSON.parse(await readFile('out/summary.json', 'utf8'));
 * const html = await renderSweepReport(summary.runs, { reportHref: (r) => `reports/${r.path}.html` });
 * await writeFile('out/sweep.html', html);
 * ```
 */
export async function renderSweepReport(records: readonly SweepRunRecord[], opts: SweepReportOptions = {}): Promise<string> {
  return (await buildSweepReport(records, opts)).html;
}
