// The report's views for issue-12 cases, checked in the SVG: several transitions (the deep linear
// network's four alignments), a colour scale per covariance panel (or shared), a log loss axis under
// the log transform, log-scale eigenvalues, the sensitivity section and the sweep's overlaid curves.
import { describe, expect, it } from 'vitest';
import {
  analyzeSync,
  buildReport,
  buildSweepReport,
  detectWarnings,
  leadTimes,
  sensitivitySync,
  simulateDeepLinear,
  summarizeRun,
  syntheticScenario,
  windowSteps,
  type SweepCurve,
  type SweepRunRecord,
} from '../lib/index.js';
import { allElements, countMarks, parseStrictHtml } from './report_helpers.js';

/** The texts of every axis' labels, one array per axis, in SVG order. */
function axisLabels(svg: string): string[][] {
  return [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/gs)].map((m) => [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1].replace('\u2212', '-')));
}

/** The numbers of an axis, and whether they span `decades` consecutive powers of ten (a log axis). */
function spansDecades(labels: string[], decades: number): boolean {
  const powers = new Set(labels.map(Number).filter((v) => v > 0 && Number.isInteger(Math.round(Math.log10(v) * 1e9) / 1e9)).map((v) => Math.round(Math.log10(v))));
  const sorted = [...powers].sort((a, b) => a - b);
  let run = 1;
  for (let i = 1; i < sorted.length; i++) {
    run = sorted[i] === sorted[i - 1] + 1 ? run + 1 : 1;
    if (run >= decades) return true;
  }
  return decades <= 1 && sorted.length > 0;
}

/** The fills of every cell of a mark group. */
function fills(svg: string, name: string): string[] {
  const m = new RegExp(`<g class="mark-rect role-mark ${name}_marks"[^>]*>(.*?)</g>`, 's').exec(svg);
  return m ? [...m[1].matchAll(/fill="([^"]+)"/g)].map((f) => f[1]) : [];
}

/** Every text of the marks named `name` and `name_2`, `name_3`, ... */
function countLabelMarks(svg: string, name: string): number {
  let total = countMarks(svg, name);
  for (let k = 2; k < 10; k++) total += countMarks(svg, `${name}_${k}`);
  return total;
}

describe('the deep linear network report: four transitions', async () => {
  const run = simulateDeepLinear({ seed: 0 });
  const a = analyzeSync(run.losses, { window: 20, topK: 1, threads: 1 });
  const transitions = Array.from(run.alignmentSteps, (step, k) => ({ label: `mode ${k + 1}`, step }));
  const built = await buildReport(a, { losses: run.losses, steps: run.steps, groups: run.probeGroups, transitions }, {});
  const svg = (id: string) => built.charts.find((c) => c.id === id)!.svg;

  it('draws and labels each of the four alignments on the loss and signal charts', () => {
    expect(transitions.every((t) => Number.isFinite(t.step))).toBe(true);
    expect(countMarks(svg('losses'), 'transition')).toBe(4);
    expect(countLabelMarks(svg('losses'), 'transition_label')).toBe(4);
    expect(countMarks(svg('signals'), 'transition')).toBe(3 * 4);
    expect(countLabelMarks(svg('signals'), 'transition_label')).toBe(4);
    for (const t of transitions) expect(svg('signals')).toContain(`>${t.label}</text>`);
  });
  it('gives a lead time per transition, as leadTimes computes it, in the summary and the header', () => {
    const res = detectWarnings(a.shc, {}, windowSteps(a, run.steps));
    expect(built.summary.transitions).toEqual(leadTimes(res, transitions, run.steps));
    expect(built.summary.transition?.step).toBe(Math.min(...transitions.map((t) => t.step)));
    const header = built.html.slice(built.html.indexOf('<section id="summary"'), built.html.indexOf('<section id="losses"'));
    expect(header).toContain('Lead time per transition');
    for (const t of built.summary.transitions!) expect(header).toContain(`${t.label}: `);
    expect(header).not.toContain('Transition</th><td>not given');
  });
  it('gives each covariance panel its own colour scale: three legends, and each panel reaches the scale\u2019s end', async () => {
    const cov = svg('covariance');
    expect((cov.match(/class="mark-group role-legend"/g) ?? []).length).toBe(3);
    const panels = [0, 1, 2].map((p) => fills(cov, `cov${p}_cells`));
    for (const f of panels) expect(f).toHaveLength(60 * 60);
    // The most saturated colour of the chart appears in every panel (each panel's own largest |covariance|).
    const darkest = panels.flat().sort((x, y) => luminance(x) - luminance(y))[0];
    expect(panels.map((f) => f.includes(darkest))).toEqual([true, true, true]);
    // Shared: one legend, and the panels whose covariance is smaller never reach it.
    const shared = await buildReport(a, { losses: run.losses, steps: run.steps, groups: run.probeGroups }, { covarianceScale: 'shared' });
    const covShared = shared.charts.find((c) => c.id === 'covariance')!.svg;
    expect((covShared.match(/class="mark-group role-legend"/g) ?? []).length).toBe(1);
    const sharedPanels = [0, 1, 2].map((p) => fills(covShared, `cov${p}_cells`));
    const sharedDarkest = sharedPanels.flat().sort((x, y) => luminance(x) - luminance(y))[0];
    expect(sharedPanels.filter((f) => f.includes(sharedDarkest)).length).toBe(1);
  });
  it('draws the top eigenvalues on a log axis under the stacked shares (lambda_1 holds most of the trace at the peaks)', () => {
    const labels = axisLabels(svg('spectrum'));
    expect(labels.some((l) => spansDecades(l, 4))).toBe(true);
    expect(countMarks(svg('spectrum'), 'eigenvalues')).toBe(5);
    expect(countMarks(svg('spectrum'), 'shares')).toBe(6);
  });
});

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 255;
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => parseInt(x, 16));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('a log loss axis when the analysis used log losses', () => {
  const T = 200;
  const n = 12;
  const data = new Float64Array(T * n);
  for (let t = 0; t < T; t++) for (let c = 0; c < n; c++) data[t * n + c] = Math.exp(-t * (c < 6 ? 0.04 : 0.005)) * (1 + 0.05 * Math.sin(t * (c + 1)));
  const losses = { data, shape: [T, n] as [number, number] };

  it('log transform: the loss axis spans decades; no transform: a linear axis', async () => {
    const logReport = await buildReport(analyzeSync(losses, { window: 20, transform: 'log', threads: 1 }), { losses }, {});
    const logAxis = axisLabels(logReport.charts.find((c) => c.id === 'losses')!.svg)[1];
    expect(spansDecades(logAxis, 3)).toBe(true);
    expect(logReport.charts.find((c) => c.id === 'losses')!.svg).toContain('log scale: the analysis used log losses');
    const linReport = await buildReport(analyzeSync(losses, { window: 20, threads: 1 }), { losses }, {});
    const linAxis = axisLabels(linReport.charts.find((c) => c.id === 'losses')!.svg)[1].map(Number);
    const steps = linAxis.slice(1).map((v, i) => v - linAxis[i]);
    expect(steps.every((d) => Math.abs(d - steps[0]) < 1e-9)).toBe(true);
  });
});

describe('the sensitivity section of the run report', () => {
  it('adds a section with the verdict, one heatmap cell per setting and the table', async () => {
    const sc = syntheticScenario({ seed: 1, steps: 160, center: 100, stepInterval: 10, probes: 24 });
    const a = analyzeSync(sc.losses, { window: 20, topK: 1, threads: 1 });
    const table = sensitivitySync(sc.losses, { windows: [10, 20, 40], transform: ['none', 'log'], transition: sc.transitionStep, steps: sc.steps, threads: 1 });
    const built = await buildReport(a, { losses: sc.losses, steps: sc.steps, transition: sc.transitionStep, sensitivity: table }, {});
    const sections = allElements(parseStrictHtml(built.html)).filter((e) => e.tag === 'section').map((e) => e.attrs.id);
    expect(sections).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum', 'sensitivity']);
    const svg = built.charts.find((c) => c.id === 'sensitivity')!.svg;
    expect(countMarks(svg, 'sens_cells')).toBe(12);
    expect(countMarks(svg, 'sens_values')).toBe(Array.from(table.firstWarningStep).filter(Number.isFinite).length);
    const section = built.html.slice(built.html.indexOf('<section id="sensitivity"'));
    expect(section).toMatch(/The first SHC warning came before the transition in \d+ of 12 settings/);
    expect((section.match(/<tr>/g) ?? []).length).toBe(1 + 12);
  });
});

describe('the sweep report overlays every run\u2019s SHC and PR', () => {
  const records: SweepRunRecord[] = [];
  const curves: SweepCurve[] = [];
  for (const [group, seeds] of [['lr=0.1', [1, 2, 3]], ['lr=0.3', [4, 5]]] as const) {
    for (const seed of seeds) {
      const s = syntheticScenario({ probes: 12, steps: 120, seed, center: 60 + 5 * seed, stepInterval: 10 });
      const a = analyzeSync(s.losses, { window: 16, threads: 1 });
      const path = `${group}/seed=${seed}/losses.npy`;
      records.push({ ...summarizeRun(a, { transition: s.transitionStep, steps: s.steps }), path, status: 'ok', error: null });
      curves.push({ path, steps: windowSteps(a, s.steps), shc: a.shc, pr: a.pr, transition: s.transitionStep });
    }
  }

  it('one line per run in each panel, aligned on the transitions (a rule at 0)', async () => {
    const built = await buildSweepReport(records, { curves });
    const svg = built.charts.find((c) => c.id === 'curves')!.svg;
    expect(countMarks(svg, 'sweep_shc')).toBe(5);
    expect(countMarks(svg, 'sweep_pr')).toBe(5);
    expect(countMarks(svg, 'sweep_zero')).toBe(1);
    expect(svg).toContain('steps from the transition');
    // The x axis runs from before to after 0: every run is shifted by its own transition.
    const x = axisLabels(svg).at(-2)!.map(Number);
    expect(Math.min(...x)).toBeLessThan(0);
    expect(Math.max(...x)).toBeGreaterThan(0);
  });
  it('unaligned when a run has no transition; the section says so when there are no curves', async () => {
    const built = await buildSweepReport(records, { curves: curves.map((c, i) => (i === 0 ? { ...c, transition: null } : c)) });
    const svg = built.charts.find((c) => c.id === 'curves')!.svg;
    expect(countMarks(svg, 'sweep_zero')).toBe(0);
    expect(svg).toContain('training step');
    const none = await buildSweepReport(records, {});
    expect(none.charts.map((c) => c.id)).toEqual(['lead_times']);
    expect(none.html).toContain('SHC and PR series are not available here');
  });
});
