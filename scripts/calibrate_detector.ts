// `npm run calibrate:detector`: the warning detector's false-alarm rate per run on the noise
// controls (white and AR(1) noise through analyze -> SHC -> detector) at history lengths 10, 20,
// 40 and 100 windows, and how often it warns before a transition placed at checkpoint 30 of the
// synthetic scenario. docs/statistics.md quotes its output; test/stats_false_alarm.test.ts
// asserts the bound on a subset of the same seeds.
//   npm run calibrate:detector -- [--seeds 1000] [--seed 1000] [--z 6] [--min-baseline 10] [--baseline 40] [--consecutive 3]
import { parseArgs } from 'node:util';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { falseAlarmRates } from '../lib/stats/false_alarms.js';
import { windowSteps } from '../lib/stats/lead_time.js';
import { detectWarnings, resolveWarningOptions, type WarningOptions } from '../lib/stats/warnings.js';
import { compareIndicators } from '../lib/stats/baselines.js';
import { noiseControl } from '../lib/scenarios/noise_control.js';
import { wilsonUpper } from '../lib/stats/false_alarms.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1000' },
    'detection-seeds': { type: 'string', default: '100' },
    'indicator-seeds': { type: 'string', default: '500' },
    'indicator-seed': { type: 'string', default: '2000' },
    z: { type: 'string' },
    baseline: { type: 'string' },
    'min-baseline': { type: 'string' },
    consecutive: { type: 'string' },
  },
});
const warning: WarningOptions = {
  ...(values.z !== undefined ? { z: Number(values.z) } : {}),
  ...(values.baseline !== undefined ? { baseline: Number(values.baseline) } : {}),
  ...(values['min-baseline'] !== undefined ? { minBaseline: Number(values['min-baseline']) } : {}),
  ...(values.consecutive !== undefined ? { consecutive: Number(values.consecutive) } : {}),
};
const o = resolveWarningOptions(warning);
const seeds = Number(values.seeds);
const seed = Number(values.seed);
const histories = [10, 20, 40, 100];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

process.stderr.write(`noise controls: ${seeds} runs each, seeds ${seed}-${seed + seeds - 1}\n`);
const t = falseAlarmRates({
  seeds,
  seed,
  histories,
  phis: [0, 0.5, 0.9],
  windows: [10, 20],
  warning,
  onProgress: (done, total) => process.stderr.write(`  ${done}/${total} controls\n`),
});
const lines = [
  `Detector: baseline ${o.minBaseline} to ${o.baseline} windows, z > ${o.z}, ${o.consecutive} in a row. Noise controls: n = ${t.probes} probes, stride 1, ${seeds} runs each (seeds ${seed}-${seed + seeds - 1}).`,
  'False alarms per run (runs with a warning within the first H windows; in brackets the upper end of the Wilson 95% interval):',
  '',
  `| noise | W | ${histories.map((h) => `H = ${h}`).join(' | ')} |`,
  `|---|---|${histories.map(() => '---').join('|')}|`,
];
for (let r = 0; r < t.rows; r += histories.length) {
  const noise = t.phi[r] === 0 ? 'white' : `AR(1), phi = ${t.phi[r]}`;
  const cells = histories.map((_, h) => `${t.alarms[r + h]}/${t.runs[r + h]} = ${pct(t.rate[r + h])} (${pct(t.upper95[r + h])})`);
  lines.push(`| ${noise} | ${t.window[r]} | ${cells.join(' | ')} |`);
}
let worst = 0;
for (let r = 0; r < t.rows; r++) worst = Math.max(worst, t.rate[r]);
lines.push('', `Largest rate: ${pct(worst)}.`);

// Power on a short history: the Figure 1 scenario with a(t) = 0.5 at checkpoint 30.
const detectionSeeds = Number(values['detection-seeds']);
lines.push(
  '',
  `Warnings before the transition, synthetic scenario of T = 100 checkpoints with center 30 (a(t) = 0.5 at checkpoint 30; --window auto chooses W = 10), seeds 0-${detectionSeeds - 1}:`,
  '',
  '| W | this detector | trailing baseline only (minBaseline = baseline) |',
  '|---|---|---|',
);
for (const W of [10, 12, 20]) {
  const hits = [0, 0];
  const leads: number[][] = [[], []];
  for (let s = 0; s < detectionSeeds; s++) {
    const sc = syntheticScenario({ seed: s, steps: 100, center: 30, shuffleProbes: true });
    const a = analyzeSync(sc.losses, { window: W, threads: 1 });
    const ws = windowSteps(a, sc.steps);
    [warning, { ...warning, minBaseline: o.baseline }].forEach((w, k) => {
      const first = detectWarnings(a.shc, w, ws).warnings[0];
      if (first && first.step < sc.transitionStep) {
        hits[k]++;
        leads[k].push(sc.transitionStep - first.step);
      }
    });
  }
  const cell = (k: number) => `${hits[k]}/${detectionSeeds}${leads[k].length ? `, mean lead ${(leads[k].reduce((a, b) => a + b, 0) / leads[k].length).toFixed(1)} checkpoints` : ''}`;
  lines.push(`| ${W} | ${cell(0)} | ${cell(1)} |`);
}
// The same detector on every indicator of compareIndicators: how often each fires on noise.
const indicatorSeeds = Number(values['indicator-seeds']);
const indicatorSeed = Number(values['indicator-seed']);
const groups = Array.from({ length: 60 }, (_, i) => ['A', 'B', 'C'][i % 3]!);
const shown = ['shc', 'pr', 'trace', 'leadingEigenvalue', 'variance', 'autocorrelation', 'meanLoss', 'meanLoss:A', 'variance:A'];
lines.push(
  '',
  `False alarms per indicator (compareIndicators with 3 groups of 20 probes, W = 20, runs of H = 100 windows, ${indicatorSeeds} runs per control, seeds ${indicatorSeed}-${indicatorSeed + indicatorSeeds - 1}); "any scalar baseline": the best of the ${'9'} scalar baselines fired:`,
  '',
  `| noise | ${shown.join(' | ')} | any scalar baseline |`,
  `|---|${shown.map(() => '---').join('|')}|---|`,
);
for (const phi of [0, 0.5, 0.9]) {
  const fired = new Map<string, number>();
  let any = 0;
  for (let k = 0; k < indicatorSeeds; k++) {
    const c = noiseControl({ probes: 60, steps: 119, phi, seed: indicatorSeed + k });
    const a = analyzeSync(c.losses, { window: 20, threads: 1 });
    const { direction: _d, ...shared } = o;
    const cmp = compareIndicators(c.losses, a, { groups, warning: shared });
    cmp.indicator.forEach((name, r) => fired.set(name, (fired.get(name) ?? 0) + (cmp.warningCount[r]! > 0 ? 1 : 0)));
    if (cmp.versusBaselines.best !== null) any++;
  }
  const cell = (n: number) => `${pct(n / indicatorSeeds)} (${pct(wilsonUpper(n, indicatorSeeds))})`;
  lines.push(`| ${phi === 0 ? 'white' : `AR(1), phi = ${phi}`} | ${shown.map((name) => cell(fired.get(name) ?? 0)).join(' | ')} | ${cell(any)} |`);
}
process.stdout.write(lines.join('\n') + '\n');
