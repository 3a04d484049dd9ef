// Section 6 of the run report (shown first): what went in, the options used, and the run summary.
import type { RunSummary, TransitionLead } from '../stats/index.js';
import { baselineText } from '../stats/warnings.js';
import { escapeHtml, formatStep, formatValue } from './format.js';
import { keyValueTable } from './html.js';

/** What {@link headerSection} tabulates besides the run summary. */
export interface HeaderInput {
  /** Where the data came from (a path or a description). */
  source: string;
  summary: RunSummary;
  /** Group label and probe count of every group, in display order; empty when no groups were given. */
  groupCounts: readonly { group: string; count: number }[];
  /** First and last checkpoint step, and whether steps were given. */
  stepRange: { first: number; last: number; given: boolean };
  /** Probes drawn in the loss chart, when fewer than n. */
  sampledProbes?: number;
  libraryVersion: string;
  /** Versions of the chart libraries. */
  chartVersions: string;
  /** When the report was made (free text), when given. */
  generatedAt?: string;
  /** Extra rows supplied by the caller (e.g. the CLI's input files), escaped here. */
  extra?: readonly (readonly [string, string])[];
  /** The SHC against the scalar baselines, in words (absent without the losses). */
  baselines?: string;
}

const code = (s: string) => `<code>${escapeHtml(s)}</code>`;

function point(p: { step: number; window: number; value: number } | null, what: string): string {
  if (!p) return `none (every window is degenerate)`;
  return `${escapeHtml(what)} ${escapeHtml(formatValue(p.value))} at step ${escapeHtml(formatStep(p.step))} (window ${p.window})`;
}

/**
 * Plain-text lead time of a run summary, and the other cases (no transition, no warning, late).
 *
 * @example
 * ```ts
 * leadTimeText(summary); // e.g. '22 steps (22 checkpoints) before the transition'
 * ```
 */
export function leadTimeText(s: RunSummary): string {
  if (s.transitions && s.transitions.length > 1) {
    const early = s.transitions.filter((t) => t.leadSteps !== null && t.leadSteps > 0).length;
    return `${s.transitions.length} transitions, warned before ${early} of them`;
  }
  if (!s.transition) return 'no transition given';
  if (s.leadSteps === null) return 'no SHC warning fired';
  const cp = s.leadCheckpoints === null ? '' : ` (${formatStep(Math.abs(s.leadCheckpoints))} checkpoint${Math.abs(s.leadCheckpoints) === 1 ? '' : 's'})`;
  const mag = `${formatStep(Math.abs(s.leadSteps))} step${Math.abs(s.leadSteps) === 1 ? '' : 's'}${cp}`;
  return s.leadSteps >= 0 ? `${mag} before the transition` : `${mag} after the transition (late)`;
}

/** One transition's lead in words: `40 steps (40 checkpoints) before`, `late by ...`, or why there is none. */
function transitionLeadText(t: TransitionLead): string {
  if (t.leadSteps === null) return 'no warning after the previous transition';
  const cp = t.leadCheckpoints === null ? '' : ` (${formatStep(Math.abs(t.leadCheckpoints))} checkpoint${Math.abs(t.leadCheckpoints) === 1 ? '' : 's'})`;
  const mag = `${formatStep(Math.abs(t.leadSteps))} step${Math.abs(t.leadSteps) === 1 ? '' : 's'}${cp}`;
  return t.leadSteps >= 0 ? `${mag} before` : `${mag} after (late)`;
}

/**
 * The header section body: two key/value tables, "Input and options" (input, T, n, windows,
 * steps, groups, analysis and warning options, library version) and "Run summary" (SHC peak,
 * PR minimum, warnings, transition, lead time, block energies and localisation at the peak).
 *
 * @example
 * ```ts
 * const body = headerSection({ source: 'run/losses.npy', summary: summarizeRun(a), groupCounts: [],
 *   stepRange: { first: 0, last: a.rows - 1, given: false }, libraryVersion: '0.1.0', chartVersions: 'vega-lite 6.4.3' });
 * ```
 */
export function headerSection(h: HeaderInput): string {
  const s = h.summary;
  const o = s.analysisOptions;
  const w = s.warningOptions;
  const groups = h.groupCounts.length === 0
    ? 'none given (every probe in one group)'
    : h.groupCounts.map((g) => `${escapeHtml(g.group)} (${g.count})`).join(', ');
  const input: [string, string][] = [
    ['Input', code(h.source)],
    ...(h.extra ?? []).map(([k, v]) => [k, escapeHtml(v)] as [string, string]),
    ['Checkpoints T', String(s.rows)],
    ['Probes n', `${s.probes}${h.sampledProbes !== undefined && h.sampledProbes < s.probes ? ` (${h.sampledProbes} drawn in the loss chart)` : ''}`],
    ['Windows', `${s.windows}${s.degenerateWindows > 0 ? ` (${s.degenerateWindows} degenerate)` : ''}`],
    ['Steps', `${escapeHtml(formatStep(h.stepRange.first))} to ${escapeHtml(formatStep(h.stepRange.last))}${h.stepRange.given ? '' : ' (checkpoint indices: no steps given)'}`],
    ['Groups', groups],
    ['Analysis options', code(`window ${o.window}, stride ${o.stride}, topK ${o.topK}, detrend ${o.detrend}, transform ${o.transform}, beta ${o.beta}`)],
    ['Warning detector', code(`SHC, baseline ${baselineText(w)}, z ${w.z}, consecutive ${w.consecutive}, direction ${w.direction}`)],
    ['Library', `rdm2 ${escapeHtml(h.libraryVersion)} (charts: ${escapeHtml(h.chartVersions)})`],
  ];
  if (h.generatedAt !== undefined) input.push(['Generated', escapeHtml(h.generatedAt)]);
  const fw = s.firstWarning;
  const energy = s.blockEnergy
    ? Object.entries(s.blockEnergy).map(([g, e]) => `${escapeHtml(g)} ${formatValue(e, 3)}`).join(' · ')
    : 'n/a (needs groups and topK >= 1)';
  const summary: [string, string][] = [
    ['SHC peak', point(s.shcPeak, 'height')],
    ['PR minimum', point(s.prMin, 'PR')],
    ['SHC warnings', s.warningCount === 0 ? 'none' : `${s.warningCount}; first at step ${escapeHtml(formatStep(fw!.step))} (window ${fw!.window}, z = ${escapeHtml(formatValue(fw!.z, 3))})`],
    ...((s.transitions && s.transitions.length > 1
      ? [
          ['Transitions', s.transitions.map((t) => `${escapeHtml(t.label)} at step ${escapeHtml(formatStep(t.step))} (checkpoint ${t.checkpoint})`).join('<br>')],
          ['Lead time per transition', s.transitions.map((t) => `${escapeHtml(t.label)}: ${escapeHtml(transitionLeadText(t))}`).join('<br>')],
        ]
      : [
          ['Transition', s.transition ? `step ${escapeHtml(formatStep(s.transition.step))} (checkpoint ${s.transition.checkpoint})` : 'not given'],
          ['Lead time', escapeHtml(leadTimeText(s))],
        ]) as [string, string][]),
    ['SHC against scalar baselines', h.baselines === undefined ? 'n/a (needs the losses)' : escapeHtml(h.baselines)],
    ['Block energy of v\u2081 at the SHC peak', energy],
    ['Localisation (IPR) of v\u2081 at the peak', s.localization === null ? 'n/a (needs topK >= 1)' : escapeHtml(formatValue(s.localization, 3))],
  ];
  if (s.surrogate) summary.push(['Surrogate p-value', `${escapeHtml(formatValue(s.surrogate.pValue, 3))} (${s.surrogate.count} ${escapeHtml(s.surrogate.kind)} surrogates, seed ${s.surrogate.seed})`]);
  return `<div class="grid2">
<div><h3>Input and options</h3>
${keyValueTable(input)}</div>
<div><h3>Run summary</h3>
${keyValueTable(summary)}</div>
</div>`;
}
