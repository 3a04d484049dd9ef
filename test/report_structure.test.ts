// The run report's HTML and SVG structure, checked in Node (the browser test looks at it in Chromium).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rdm2Error, analyzeSync, buildReport, renderReport, sampleProbes, syntheticScenario, type Analysis } from '../lib/index.js';
import { prefixIds, renderSvg } from '../lib/report/render_svg.js';
import { minMaxIndices, strideIndices } from '../lib/report/sampling.js';
import { allElements, countMarks, parseStrictHtml } from './report_helpers.js';
import { expectReject } from './helpers.js';

// The known small input: 6 probes in groups A, B, C (2 each), 40 checkpoints 10 steps apart, B drops at
// checkpoint 24; W = 8 gives 33 windows. Its SHC peak is window 15 and one warning fires (see below).
const small = syntheticScenario({ probes: 6, groups: 3, steps: 40, seed: 3, center: 24, width: 2, noise: 0.02, stepInterval: 10 });
const smallAnalysis = analyzeSync(small.losses, { window: 8, topK: 1, threads: 1 });
const smallInputs = { losses: small.losses, steps: small.steps, groups: small.groups, transition: small.transitionStep, source: 'synthetic <6 probes>' };
const smallOptions = { warning: { baseline: 5, z: 3, consecutive: 2 } };

describe('renderReport on a known small input', async () => {
  const built = await buildReport(smallAnalysis, smallInputs, smallOptions);
  const chart = (id: string) => built.charts.find((c) => c.id === id)!.svg;

  it('the summary it is drawn from is the one the counts below assume', () => {
    const s = built.summary;
    expect(s.shcPeak?.window).toBe(15);
    expect(s.shcPeak?.step).toBe(220);
    expect(s.warningCount).toBe(1);
    expect(s.transition).toEqual({ step: 240, checkpoint: 24 });
    expect(s.blockEnergy!.B).toBeGreaterThan(0.9);
  });

  it('is well-formed HTML with the six sections and one inline SVG per chart', () => {
    const root = parseStrictHtml(built.html);
    const els = allElements(root);
    const sections = els.filter((e) => e.tag === 'section').map((e) => e.attrs.id);
    expect(sections).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum']);
    expect(els.filter((e) => e.tag === 'svg')).toHaveLength(5);
    expect(built.charts.map((c) => c.id)).toEqual(['losses', 'signals', 'covariance', 'eigenvector', 'spectrum']);
    expect(els.filter((e) => e.tag === 'p' && e.attrs.class === 'missing')).toHaveLength(0);
  });

  it('draws the expected number of marks in each chart', () => {
    const counts = (id: string, names: string[]) => Object.fromEntries(names.map((n) => [n, countMarks(chart(id), n)]));
    expect(counts('losses', ['probes', 'window', 'window_label', 'transition'])).toEqual({ probes: 6, window: 1, window_label: 1, transition: 1 });
    expect(counts('signals', ['shc_line', 'pr_line', 'trace_line', 'shc_peak', 'warning', 'warning_span', 'transition', 'transition_label'])).toEqual({
      shc_line: 1, pr_line: 1, trace_line: 1, shc_peak: 1, warning: 3, warning_span: 3, transition: 3, transition_label: 1,
    });
    const cov: Record<string, number> = {};
    for (let p = 0; p < 3; p++) for (const n of ['cells', 'xbounds', 'ybounds']) cov[`cov${p}_${n}`] = countMarks(chart('covariance'), `cov${p}_${n}`);
    expect(cov).toEqual({ cov0_cells: 36, cov0_xbounds: 2, cov0_ybounds: 2, cov1_cells: 36, cov1_xbounds: 2, cov1_ybounds: 2, cov2_cells: 36, cov2_xbounds: 2, cov2_ybounds: 2 });
    expect(counts('eigenvector', ['eigvec_bars', 'energy_bars', 'energy_labels'])).toEqual({ eigvec_bars: 6, energy_bars: 3, energy_labels: 3 });
    // Top 5 eigenvalues of min(W - 1, n) = 6, plus the rest: 6 stacked areas.
    expect(counts('spectrum', ['shares', 'spectrum_peak'])).toEqual({ shares: 6, spectrum_peak: 1 });
  });

  it('writes the header: input, options, T, n, run summary and the library version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const summary = built.html.slice(built.html.indexOf('<section id="summary"'), built.html.indexOf('<section id="losses"'));
    expect(summary).toContain('synthetic &lt;6 probes&gt;');
    expect(summary).toMatch(/Checkpoints T<\/th><td>40</);
    expect(summary).toMatch(/Probes n<\/th><td>6</);
    expect(summary).toContain('window 8, stride 1, topK 1, detrend none, transform none, beta 1');
    expect(summary).toContain('baseline 5, z 3, consecutive 2');
    expect(summary).toContain('A (2), B (2), C (2)');
    expect(summary).toContain('step 240 (checkpoint 24)');
    expect(summary).toContain('80 steps (8 checkpoints) after the transition (late)');
    expect(summary).toContain(`rdm2 ${version}`);
    expect(summary).toMatch(/B 0\.96/);
  });

  it('is self-contained: no scripts, no external references, unique ids, a CSP that forbids fetching', () => {
    const { html } = built;
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|@font-face/i);
    expect(html).not.toMatch(/\b(src|srcset|action)=/i);
    for (const m of html.matchAll(/\bhref="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
    expect(html).not.toMatch(/url\((?!#)/);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'])); // XML namespaces only
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is deterministic: the same inputs give the same bytes', async () => {
    expect(await renderReport(smallAnalysis, smallInputs, smallOptions)).toBe(built.html);
  });

  it('gives each chart as a standalone SVG document', () => {
    for (const c of built.charts) {
      expect(c.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(c.svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
  });
});

describe('renderReport on large and partial inputs', () => {
  it('draws a deterministic, group-stratified sample of probes when n is large', async () => {
    const s = syntheticScenario({ probes: 300, groups: 3, steps: 50, seed: 5, center: 30, width: 3 });
    const a = analyzeSync(s.losses, { window: 10, topK: 1, threads: 1 });
    const opts = { maxProbes: 12, maxBars: 30, maxHeatmapProbes: 9, maxPoints: 20, warning: { baseline: 5 } };
    const r = await buildReport(a, { losses: s.losses, groups: s.groups }, opts);
    const svg = (id: string) => r.charts.find((c) => c.id === id)!.svg;
    expect(countMarks(svg('losses'), 'probes')).toBe(12);
    expect(countMarks(svg('eigenvector'), 'eigvec_bars')).toBe(30);
    expect(countMarks(svg('covariance'), 'cov1_cells')).toBe(81);
    expect(svg('losses')).toContain('12 of 300 probes');
    // The loss lines have 20 of 50 rows: one path per probe, 20 points (1 move + 19 line commands).
    const firstLine = /<g class="mark-line role-mark probes_marks"[^>]*><path[^>]* d="([^"]+)"/.exec(svg('losses'))![1];
    expect(firstLine.match(/[ML]/g)).toHaveLength(20);
    expect((await buildReport(a, { losses: s.losses, groups: s.groups }, opts)).html).toBe(r.html);
  });

  it('says what is missing instead of drawing when there are no losses or no eigenvectors', async () => {
    const a = analyzeSync(small.losses, { window: 8, threads: 1 });
    const r = await buildReport(a, { groups: small.groups }, {});
    expect(r.charts.map((c) => c.id)).toEqual(['signals', 'spectrum']);
    const root = parseStrictHtml(r.html);
    const sections = allElements(root).filter((e) => e.tag === 'section');
    expect(sections.map((e) => e.attrs.id)).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum']);
    const missing = sections.filter((e) => allElements(e).some((c) => c.attrs.class === 'missing')).map((e) => e.attrs.id);
    expect(missing).toEqual(['losses', 'covariance', 'eigenvector']);
    expect(r.html).toContain('topK = 0');
    expect(r.html).toContain('checkpoint indices: no steps given');
  });

  it('draws without groups: one colour, no legend, no block energies', async () => {
    const r = await buildReport(smallAnalysis, { losses: small.losses }, {});
    const eig = r.charts.find((c) => c.id === 'eigenvector')!.svg;
    expect(countMarks(eig, 'eigvec_bars')).toBe(6);
    expect(countMarks(eig, 'energy_bars')).toBe(0);
    expect(r.charts.find((c) => c.id === 'losses')!.svg).not.toContain('role-legend');
    expect(r.html).toContain('none given (every probe in one group)');
  });

  it("writes a transition outside the windows' span in the subtitle instead of on the axis", async () => {
    // Steps run 0..390 and the first window ends at step 70: a transition at step 30 precedes every window.
    const r = await buildReport(smallAnalysis, { ...smallInputs, transition: 30 }, smallOptions);
    const signals = r.charts.find((c) => c.id === 'signals')!.svg;
    expect(countMarks(signals, 'transition')).toBe(0);
    expect(countMarks(signals, 'transition_label')).toBe(0);
    expect(signals).toContain("(outside the windows' span)");
    expect(countMarks(r.charts.find((c) => c.id === 'losses')!.svg, 'transition')).toBe(1);
  });

  it('rejects inputs that do not match the analysis, and unknown options', async () => {
    const wrong = { data: new Float64Array(39 * 6), shape: [39, 6] as [number, number] };
    await expectReject(renderReport(smallAnalysis, { losses: wrong }), 'ERR_RDM2_SHAPE', /39 x 6 but the analysis ran on 40 x 6/);
    await expectReject(renderReport(smallAnalysis, { groups: ['A', 'B'] }), 'ERR_RDM2_SHAPE', /groups has 2 labels but there are 6 probes/);
    await expectReject(renderReport(smallAnalysis, { steps: [1, 2, 3] }), 'ERR_RDM2_SHAPE', /steps has 3 values/);
    await expectReject(renderReport(smallAnalysis, {}, { colour: 'red' } as never), 'ERR_RDM2_OPTION', /unknown report option 'colour'/);
    await expectReject(renderReport(smallAnalysis, { loss: small.losses } as never), 'ERR_RDM2_OPTION', /unknown report input 'loss'/);
    await expectReject(renderReport(smallAnalysis, {}, { maxProbes: 0 }), 'ERR_RDM2_OPTION', /maxProbes must be an integer in \[1, 10000\]/);
    await expectReject(renderReport({} as Analysis), 'ERR_RDM2_OPTION', /needs an Analysis/);
  });
});

describe('report building blocks', () => {
  it('sampleProbes keeps every group in proportion, evenly spaced, deterministically', () => {
    const groups = [...Array(50).fill('A'), ...Array(30).fill('B'), ...Array(20).fill('C')];
    const pick = sampleProbes(groups, 10);
    expect(Array.from(pick)).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95]);
    expect(Array.from(sampleProbes(['A', 'A', 'A', 'A', 'B', 'B'], 3))).toEqual([1, 3, 5]);
    expect(Array.from(sampleProbes(['A', 'B'], 5))).toEqual([0, 1]);
    // A tiny group still gets one probe.
    const skewed = [...Array(99).fill('big'), 'tiny'];
    const s = Array.from(sampleProbes(skewed, 4));
    expect(s).toHaveLength(4);
    expect(s).toContain(99);
    // More groups than slots: one probe from each of the first groups.
    expect(Array.from(sampleProbes(['a', 'b', 'c', 'd'], 2))).toEqual([0, 1]);
    expect(() => sampleProbes(groups, 0)).toThrow(Rdm2Error);
  });

  it('strideIndices and minMaxIndices thin lines without losing the ends or the spikes', () => {
    expect(Array.from(strideIndices(10, 4))).toEqual([0, 3, 6, 9]);
    expect(Array.from(strideIndices(3, 4))).toEqual([0, 1, 2]);
    const series = new Float64Array(1000).fill(1);
    series[617] = 50;
    series[300] = NaN;
    const keep = Array.from(minMaxIndices(series, 100));
    expect(keep.length).toBeLessThanOrEqual(150);
    expect(keep).toContain(617);
    expect(keep).toContain(300);
    expect(keep).toEqual([...keep].sort((x, y) => x - y));
  });

  it('renderSvg refuses data URLs and renumbers ids per chart', async () => {
    const spec = { data: { url: 'https://example.com/data.json' }, mark: 'point' } as never;
    await expectReject(renderSvg(spec, 'x'), 'ERR_RDM2_OPTION', /must not load external resources/);
    expect(prefixIds('<clipPath id="clip7"/><path clip-path="url(#clip7)"/><g id="gradient_3"/>', 'cov')).toBe('<clipPath id="cov-1"/><path clip-path="url(#cov-1)"/><g id="cov-2"/>');
  });
});
