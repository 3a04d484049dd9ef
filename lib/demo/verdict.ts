// The demo's verdicts and the short table `rdm2 demo` prints.
import type { DeepLinearDemoResult } from './deep_linear_demo.js';
import type { RealSettingResult } from './real_demo.js';
import { REAL_SETTINGS } from './real_runs.js';
import { realVerdictLines, seedList } from './real_verdict.js';
import { fmt, table } from './text_table.js';
import type { SyntheticDemoResult } from './synthetic_demo.js';

/** Share of seeds in which a claim must hold for the scenario to count as reproduced. */
export const REPRODUCED_SHARE = 0.9;

/**
 * The synthetic scenario is reproduced when, in at least 90% of the seeds, the SHC peak comes
 * before a(t) reaches 90% of its final value and the top eigenvector at the peak has more than 0.9
 * of its energy on group B.
 */
export function syntheticReproduced(r: SyntheticDemoResult): boolean {
  const need = Math.ceil(REPRODUCED_SHARE * r.counts.seeds);
  return r.counts.peakBefore90 >= need && r.counts.energyOnB >= need;
}

/**
 * The deep linear network is reproduced when, in at least 90% of the seeds, every mode is learned
 * in order (strongest first), and every mode has an SHC peak matched to its alignment in at least
 * 90% of the seeds.
 */
export function deepLinearReproduced(r: DeepLinearDemoResult): boolean {
  const need = Math.ceil(REPRODUCED_SHARE * r.options.seeds);
  return r.ordered >= need && r.modes.every((m) => m.found >= need);
}

function step(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'none' : String(Math.round(v * 1e6) / 1e6);
}

/** The synthetic scenario's lines of the verdict table. */
export function syntheticVerdictLines(r: SyntheticDemoResult): string[] {
  const v = r.verdict;
  const groups = Object.keys(v.blockEnergy).sort();
  const energy = groups.map((g) => `${g} ${v.blockEnergy[g].toFixed(3)}`).join('  ');
  const c = r.counts;
  const lead = v.leadSteps === null ? '' : `  (lead ${fmt(v.leadSteps, 0)} steps before a(t) = 0.5 at step ${step(v.transitionStep)})`;
  const rows: [string, string][] = [
    ['SHC peak', `step ${step(v.shcPeakStep)}  (SHC ${fmt(v.shcPeakValue, 2)})`],
    ['a(t) reaches 90%', `step ${step(v.step90)}  (SHC peak before it: ${v.peakBefore90 ? 'yes' : 'no'})`],
    ['first warning', `step ${step(v.firstWarningStep)}${lead}`],
    ['top eigenvector at peak', `block energy ${energy}`],
    [`over ${c.seeds} seed${c.seeds === 1 ? '' : 's'}`, `peak before 90%: ${c.peakBefore90}/${c.seeds}   warning before 90%: ${c.warningBefore90}/${c.seeds}   energy on B > 0.9: ${c.energyOnB}/${c.seeds}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `1. Synthetic (the paper's Figure 1): ${r.scenario.options.probes} probes in groups A, B, C; a(t) moves group B only`,
    `   T = ${r.analysis.rows}, W = ${r.analysis.options.window}; the first seed (${r.options.seed}) in detail`,
    ...rows.map(([k, val]) => `   ${k.padEnd(w)}  ${val}`),
    `   verdict: ${syntheticReproduced(r) ? 'reproduced' : 'NOT reproduced'}`,
  ];
}

/** The deep linear network's lines of the verdict table. */
export function deepLinearVerdictLines(r: DeepLinearDemoResult): string[] {
  const o = r.options;
  const N = o.seeds;
  const header = ['mode', 's', 'learned', 'aligned at', 'peak found', 'lag', '95% interval', 'sd', 'v1 energy'];
  const rows = r.modes.map((m) => [
    String(m.mode),
    String(m.singularValue),
    `${m.learned}/${N}`,
    fmt(m.alignmentMean),
    `${m.found}/${N}`,
    fmt(m.lagMean),
    m.found > 0 ? `[${fmt(m.lagLow)}, ${fmt(m.lagHigh)}]` : '-',
    fmt(m.lagSd),
    m.found > 0 ? `${fmt(m.energyMean, 2)} (${fmt(m.groupShare, 2)})` : '-',
  ]);
  return [
    `2. Deep linear network (the paper's Figures 2 and 3): teacher s = ${o.trainer.singularValues.join(', ')}, depth ${o.trainer.depth}`,
    `   T = ${o.trainer.steps + 1} steps, ${o.trainer.probes} probes, loss noise ${o.trainer.noise}, W = ${o.window}; ${N} seed${N === 1 ? '' : 's'}`,
    ...table([header, ...rows], '   '),
    '   aligned at: mean step where u_k^T W v_k reaches s_k / 2',
    '   lag: SHC peak step - alignment step, in steps, mean over seeds with a bootstrap 95% interval;',
    '        negative = the SHC peaked before the mode aligned (an early warning)',
    "   v1 energy: the top eigenvector's energy at the SHC peak on the probes most aligned with v_k",
    '        (in brackets: their share of the probes, the energy of a vector spread evenly)',
    `   modes learned in order (strongest first): ${r.ordered}/${N} seeds`,
    `   verdict: ${deepLinearReproduced(r) ? 'reproduced' : 'NOT reproduced'}`,
  ];
}

/** The whole table `rdm2 demo` prints, without the trailing file list: each part that ran, numbered as in the full demo. */
export function verdictTable(parts: { synthetic?: SyntheticDemoResult; deepLinear?: DeepLinearDemoResult; real?: RealSettingResult[] }): string {
  const blocks: string[][] = [];
  if (parts.synthetic) blocks.push(syntheticVerdictLines(parts.synthetic));
  if (parts.deepLinear) blocks.push(deepLinearVerdictLines(parts.deepLinear));
  const real = parts.real ?? [];
  for (const r of real) blocks.push(realVerdictLines(r, 3 + REAL_SETTINGS.findIndex((s) => s.name === r.info.name)));
  if (real.length > 0) blocks.push(realLegend(real[0]!.choiceSeeds));
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}

/** The legend printed once after the real settings' tables. */
export function realLegend(choiceSeeds: readonly number[]): string[] {
  return [
    `Real settings: settings = steps between the checkpoints used, window W, log = log losses, lin = linear`,
    `detrending, b = beta of the SHC, f = the fraction a group's mean loss must move by ("moved" rows: a`,
    'warning whenever it moved that much from its extreme since the last warning); lead = steps before the',
    'transition of the first warning within the horizon, mean over the seeds that had one, with a bootstrap',
    `95% interval; "seeds ${seedList(choiceSeeds)}" = early warning and too early on the seeds that chose the settings.`,
    `A verdict needs ${Math.round(100 * REPRODUCED_SHARE)}% of the reported seeds. Protocol and discussion: docs/real-networks.md.`,
  ];
}

/** Markers around the real settings' tables quoted in README.md and docs/real-networks.md (scripts/update_demo_docs.ts writes between them). */
export const DEMO_REAL_BEGIN = '<!-- rdm2 demo, real settings: generated by scripts/update_demo_docs.ts -->';
export const DEMO_REAL_END = '<!-- end of rdm2 demo, real settings -->';
