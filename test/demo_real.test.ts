// `rdm2 demo` on the three real settings (seeds 5-9 of data/real at the settings chosen on seeds
// 0-4): the tables README.md and docs/real-networks.md quote are what it prints, the verdicts the
// docs state in words, the files it writes, and one seed's numbers recomputed independently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { isShiftRow, type RowChoice } from '../lib/demo/real_choice.js';
import { REAL_CHOSEN } from '../lib/demo/real_chosen.js';
import type { RealRowResult, RealSeedResult } from '../lib/demo/real_demo.js';
import type { RealAnalysisSettings, WarningOutcome } from '../lib/demo/real_protocol.js';
import { readRealRun, type RealSettingName } from '../lib/demo/real_runs.js';
import { DEMO_REAL_BEGIN, DEMO_REAL_END } from '../lib/demo/verdict.js';
import { blockEnergy } from '../lib/stats/block_energy.js';
import { surrogateTestSync } from '../lib/stats/surrogate.js';
import { detectWarnings } from '../lib/stats/warnings.js';
import { runCliHere, tempDir } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const root = join(import.meta.dirname, '..');
const SETTINGS: RealSettingName[] = ['grokking', 'induction_heads', 'misalignment_analogue'];

/** The fenced block between the markers of a document. */
function quoted(file: string): string {
  const text = readFileSync(join(root, file), 'utf8');
  const from = text.indexOf(DEMO_REAL_BEGIN);
  const to = text.indexOf(DEMO_REAL_END);
  expect(from, `${file} has the block`).toBeGreaterThan(0);
  const block = text.slice(from + DEMO_REAL_BEGIN.length, to);
  const m = /^\n```text\n([\s\S]*)```\n$/.exec(block);
  expect(m, `${file}: one fenced text block between the markers`).not.toBeNull();
  return m![1]!;
}

interface Summary {
  rows: RealRowResult[];
  seeds: RealSeedResult[];
  reportSeeds: number[];
  choiceSeeds: number[];
  verdict: { earlyWarning: boolean; peakBefore: boolean; earlierThanMeanLoss: boolean; earlierThanScalar: boolean };
  references: { label: string; hits: number; tooEarly: number; windows: number[] }[];
  shown: { seed: number; settings: RealAnalysisSettings };
}

describe('rdm2 demo --only grokking,induction-heads,misalignment-analogue', async () => {
  const out = join(tempDir('rdm2-demo-real-'), 'demo');
  const r = await runCliHere(['demo', '--out', out, '--only', 'grokking,induction-heads,misalignment-analogue']);
  const table = r.stdout.slice(0, r.stdout.indexOf('\nWrote '));
  const result = (name: RealSettingName) => JSON.parse(readFileSync(join(out, 'real', name, 'result.json'), 'utf8'));
  const summary = (name: RealSettingName): Summary => result(name).summary;
  const row = (name: RealSettingName, id: string) => summary(name).rows.find((x) => x.row === id)!;

  it('prints the tables, progress on stderr, and exits 0 (the real verdicts do not set the exit status)', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^rdm2 demo: grokking: seeds 5, 6, 7, 8, 9 of the shipped runs analysed in \d+\.\d s\n/);
    expect(r.stdout).toMatch(new RegExp(`\\nWrote 22 files to ${out} in \\d+\\.\\d s; open ${join(out, 'real', 'grokking', 'report.html')}, ${join(out, 'real', 'induction_heads', 'report.html')} and ${join(out, 'real', 'misalignment_analogue', 'report.html')}\\n$`));
    expect(readFileSync(join(out, 'verdict.txt'), 'utf8')).toBe(table);
  });

  it('README.md and docs/real-networks.md quote exactly what it prints', () => {
    expect(quoted('docs/real-networks.md')).toBe(table);
    expect(quoted('README.md')).toBe(table);
  });

  it('says which seeds chose the settings and which report them', () => {
    expect(table.match(/^ {3}settings chosen on seeds 0-4 \(lib\/demo\/real_chosen\.ts\), reported on seeds 5-9 of data\/real\/\w+$/gm)).toHaveLength(3);
    for (const name of SETTINGS) {
      const s = summary(name);
      expect([s.choiceSeeds, s.reportSeeds]).toEqual([
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ]);
      // Every row at its frozen settings, with its score on seeds 0-4.
      expect(s.rows.map((x) => ({ row: x.row, settings: x.settings, score: x.choice }))).toEqual(REAL_CHOSEN[name].rows.map((c: RowChoice) => ({ row: c.row, settings: c.settings, score: c.score })));
      expect(s.shown).toEqual({ seed: 5, settings: REAL_CHOSEN[name].rows[0]!.settings });
    }
  });

  it('the verdicts docs/real-networks.md states in words', () => {
    const v = (name: RealSettingName) => summary(name).verdict;
    const shc = (name: RealSettingName) => [row(name, 'shc').hits, row(name, 'shc').tooEarly];
    const peaks = (name: RealSettingName) => summary(name).seeds.filter((x) => x.peakBefore).length;
    for (const name of SETTINGS) expect(v(name)).toEqual({ earlyWarning: false, peakBefore: false, earlierThanMeanLoss: false, earlierThanScalar: false });
    // Grokking: 4 of 5 early warnings, no false alarm, mean lead 263; every peak after the transition; no significant peak.
    expect([...shc('grokking'), Math.round(row('grokking', 'shc').leadMean), peaks('grokking')]).toEqual([4, 0, 263, 0]);
    expect(summary('grokking').seeds.map((x) => x.pValue <= 0.05)).toEqual([false, false, false, false, false]);
    expect(summary('grokking').references.map((x) => [x.hits, x.tooEarly, ...new Set(x.windows)])).toEqual([
      [0, 0, 20],
      [1, 0, 34, 33],
    ]);
    expect(['meanLoss', 'meanLoss:test', 'meanLoss:train'].map((id) => row('grokking', id).hits + row('grokking', id).tooEarly)).toEqual([0, 0, 0]);
    expect([row('grokking', 'shift:test').hits, row('grokking', 'shift:test').tooEarly]).toEqual([5, 5]);
    // Induction heads: the peak before the transition in 4 of 5 and significant in 3, but 0 early warnings at the chosen settings.
    expect([...shc('induction_heads'), peaks('induction_heads')]).toEqual([0, 1, 4]);
    expect(summary('induction_heads').seeds.filter((x) => x.pValue <= 0.05)).toHaveLength(3);
    // ... but those "peaks" are the first windows of the analysis (steps 390-400), where the SHC still falls from the run's start.
    expect(summary('induction_heads').seeds.map((x) => [x.peakStep, x.peakAtEdge])).toEqual([
      [390, true],
      [400, false],
      [390, true],
      [2410, false],
      [390, true],
    ]);
    expect((REAL_CHOSEN.induction_heads.rows[0]!.settings as RealAnalysisSettings).window * 10 - 10).toBe(390); // the first window ends at step 390
    expect(summary('induction_heads').references.map((x) => [x.hits, x.tooEarly])).toEqual([
      [3, 2],
      [3, 2],
    ]);
    expect([row('induction_heads', 'variance').hits, row('induction_heads', 'variance').tooEarly]).toEqual([5, 1]);
    // The analogue: SHC 3 of 5 (one too early); the untouched tasks' mean loss 4 of 5 with none too early.
    expect(shc('misalignment_analogue')).toEqual([3, 1]);
    expect([row('misalignment_analogue', 'meanLoss:untouched').hits, row('misalignment_analogue', 'meanLoss:untouched').tooEarly]).toEqual([4, 0]);
  });

  it('writes result.json (with the analysis of seed 5 at the SHC settings), report.html and the charts per setting', () => {
    for (const name of SETTINGS) {
      const res = result(name);
      const s = REAL_CHOSEN[name].rows[0]!.settings as RealAnalysisSettings;
      expect(res.options).toMatchObject({ window: s.window, transform: s.transform, detrend: s.detrend, beta: s.beta, topK: 1 });
      expect(res.summary.protocol.choiceSeeds).toEqual([0, 1, 2, 3, 4]);
      const html = readFileSync(join(out, 'real', name, 'report.html'), 'utf8');
      expect(html).toContain(`data/real/${name}/seed5.npz`);
      expect(html).not.toMatch(/<script/i);
      expect(readFileSync(join(out, 'real', name, 'charts', 'signals.svg'), 'utf8')).toMatch(/^<svg/);
    }
  });

  it("one seed recomputed independently: the SHC row, the SHC's figures and a threshold row (grokking, seed 5)", async () => {
    const run = await readRealRun('grokking', 5);
    const s = REAL_CHOSEN.grokking.rows[0]!.settings as RealAnalysisSettings;
    const [T, n] = run.losses.shape;
    const rows = Math.ceil(T / s.cadence);
    const data = new Float64Array(rows * n);
    const steps = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      steps[r] = run.steps[r * s.cadence]!;
      for (let c = 0; c < n; c++) data[r * n + c] = run.losses.data[r * s.cadence * n + c]!;
    }
    const opts = { window: s.window, transform: s.transform, detrend: s.detrend, beta: s.beta, threads: 1 };
    const a = analyzeSync({ data, shape: [rows, n] }, { ...opts, topK: 1 });
    const ws = Array.from(a.t, (t) => steps[t]!);
    const tr = run.transition;
    const warnings = detectWarnings(a.shc, {}, ws).warnings;
    const hit = warnings.find((w) => w.step >= tr / 2 && w.step < tr);
    const expected: WarningOutcome = { hitStep: hit?.step ?? null, leadSteps: hit ? tr - hit.step : null, tooEarly: warnings.some((w) => w.step < tr / 2), warnings: warnings.length };
    expect(row('grokking', 'shc').outcomes[0]).toEqual(expected);
    // The peak within the horizon's length of the transition, its block energy on `test`, PR at the transition, the surrogate p.
    const inRange = ws.map((x, j) => (x >= tr / 2 && x <= tr + tr / 2 ? j : -1)).filter((j) => j >= 0);
    const peak = inRange.reduce((b, j) => (a.shc[j]! > a.shc[b]! ? j : b), inRange[0]!);
    const be = blockEnergy(a.eigenvectors!.subarray(peak * n, peak * n + n), run.groups);
    const atTransition = ws.filter((x) => x <= tr).length - 1;
    const p = surrogateTestSync({ data, shape: [rows, n] }, opts, { count: 99, seed: 5, peakRange: [inRange[0]!, inRange.at(-1)! + 1] }).pValue;
    expect(summary('grokking').seeds[0]).toEqual({
      seed: 5,
      transition: tr,
      peakStep: ws[peak],
      peakBefore: ws[peak]! < tr,
      peakAtEdge: peak === inRange[0] || peak === inRange.at(-1),
      energy: be.energy[be.labels.indexOf('test')],
      prAtTransition: a.pr[atTransition],
      pValue: p,
      earlierThanMeanLoss: false,
      earlierThanScalar: false,
    });
    // The threshold row on the test probes' mean loss, by a plain loop over the recording.
    const f = (REAL_CHOSEN.grokking.rows.find((x) => x.row === 'shift:test')!.settings as { fraction: number }).fraction;
    const test = run.groups.map((g, c) => (g === 'test' ? c : -1)).filter((c) => c >= 0);
    const m = Array.from({ length: T }, (_, t) => test.reduce((acc, c) => acc + run.losses.data[t * n + c]!, 0) / test.length);
    const fired: number[] = [];
    let hi = m[0]!;
    let lo = m[0]!;
    for (let t = 1; t < T; t++) {
      if (m[t]! <= (1 - f) * hi || m[t]! >= (1 + f) * lo) {
        fired.push(run.steps[t]!);
        hi = m[t]!;
        lo = m[t]!;
      }
      hi = Math.max(hi, m[t]!);
      lo = Math.min(lo, m[t]!);
    }
    const first = fired.find((x) => x >= tr / 2 && x < tr);
    expect(isShiftRow('shift:test')).toBe(true);
    expect(row('grokking', 'shift:test').outcomes[0]).toEqual({ hitStep: first ?? null, leadSteps: first === undefined ? null : tr - first, tooEarly: fired.some((x) => x < tr / 2), warnings: fired.length });
  });
});
