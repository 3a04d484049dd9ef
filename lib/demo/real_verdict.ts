// The verdict table of a real setting, as `rdm2 demo` prints it and docs/real-networks.md quotes it.
import type { RowSettings, ShiftSettings } from './real_choice.js';
import type { RealRowResult, RealSettingResult } from './real_demo.js';
import { HORIZON_FRACTION, REAL_SURROGATES, type RealAnalysisSettings } from './real_protocol.js';
import { fmt, table } from './text_table.js';

/** A row's settings in the table's short form, e.g. `5 steps W40 log b2` or `f 0.05`. */
export function shortSettings(s: RowSettings, stepsPerCheckpoint: number): string {
  if ('fraction' in s) return `f ${(s as ShiftSettings).fraction}`;
  const a = s as RealAnalysisSettings;
  return [`${a.cadence * stepsPerCheckpoint} steps`, `W${a.window}`, a.transform === 'log' ? 'log' : '', a.detrend === 'linear' ? 'lin' : '', a.beta === 1 ? '' : `b${a.beta}`].filter(Boolean).join(' ');
}

/** Seeds as a range (`5-9`) when consecutive, else a list. */
export const seedList = (seeds: readonly number[]) => (seeds.length > 1 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1) ? `${seeds[0]}-${seeds.at(-1)}` : seeds.join(', '));

function range(xs: number[], digits: number): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? fmt(lo, digits) : `${fmt(lo, digits)}-${fmt(hi, digits)}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function rivalText(r: RealSettingResult['rivalMeanLoss'], N: number): string {
  return r ? `; ${r.row.label} as early or earlier in ${r.seeds}/${N} (too early in ${r.row.tooEarly}/${N})` : '';
}


/**
 * The lines of one real setting's verdict table (`index` is its number in the demo).
 *
 * @example
 * ```ts
 * console.log(realVerdictLines(await runRealSetting('grokking'), 3).join('\n'));
 * ```
 */
export function realVerdictLines(r: RealSettingResult, index: number): string[] {
  const N = r.reportSeeds.length;
  const C = r.choiceSeeds.length;
  const spc = r.stepsPerCheckpoint;
  const shc = r.rows.find((x) => x.row === 'shc')!;
  const s = r.seeds;
  const header = ['indicator', 'settings', 'early warning', 'lead', '95% interval', 'too early', `seeds ${seedList(r.choiceSeeds)}`];
  const line = (x: RealRowResult) => [
    x.label,
    shortSettings(x.settings, spc),
    `${x.hits}/${N}`,
    fmt(x.leadMean, 0),
    x.hits > 0 ? `[${fmt(x.leadLow, 0)}, ${fmt(x.leadHigh, 0)}]` : '-',
    `${x.tooEarly}/${N}`,
    `${x.choice.hits}/${C}, ${x.choice.tooEarly}/${C}`,
  ];
  const groups = ['shc', 'spectral', 'scalar'] as const;
  const rows = groups.flatMap((k) => r.rows.filter((x) => x.kind === k)).map(line);
  const peaks = s.filter((x) => x.peakBefore).length;
  const significant = s.filter((x) => x.pValue <= 0.05).length;
  const meanEnergy = s.reduce((a, x) => a + x.energy, 0) / N;
  const earlierM = s.filter((x) => x.earlierThanMeanLoss).length;
  const earlierS = s.filter((x) => x.earlierThanScalar).length;
  const v = r.verdict;
  const pct = Math.round(100 * HORIZON_FRACTION);
  const sh = shc.settings as RealAnalysisSettings;
  const refs = r.references.map((x) => {
    const ws = range(x.windows, 0);
    const ts = [...new Set(x.transforms)].join('/');
    return `     ${x.label} (W ${ws}, ${ts}): early warning ${x.hits}/${N}, too early ${x.tooEarly}/${N}`;
  });
  return [
    `${index}. ${r.info.title}: ${r.info.task}`,
    `   probes: ${r.info.probes}; transition: ${r.info.rule} (steps ${range(
      s.map((x) => x.transition),
      0,
    )} on seeds ${seedList(r.reportSeeds)})`,
    `   settings chosen on seeds ${seedList(r.choiceSeeds)} (lib/demo/real_chosen.ts), reported on seeds ${seedList(r.reportSeeds)} of data/real/${r.info.name}`,
    `   early warning: a warning within the last ${pct}% of the steps before the transition; too early: before that`,
    `   SHC at its chosen settings (${shortSettings(sh, spc)}):`,
    `     SHC peak before the transition   ${peaks}/${N} seeds (the largest SHC within the horizon's length of the transition)`,
    `                                      at an edge of those windows (no maximum inside them) in ${s.filter((x) => x.peakAtEdge).length}/${N}`,
    `     top eigenvector at that peak     energy on ${r.info.expectedGroup} ${fmt(meanEnergy, 2)} (seeds ${range(
      s.map((x) => x.energy),
      2,
    )}; an even spread gives ${fmt(r.groupShare, 2)})`,
    `     PR at the transition             ${fmt(s.reduce((a, x) => a + x.prAtTransition, 0) / N, 2)} (seeds ${range(
      s.map((x) => x.prAtTransition),
      2,
    )})`,
    `     surrogate p of that peak         p <= 0.05 in ${significant}/${N} seeds, median ${fmt(
      median(s.map((x) => x.pValue)),
      2,
    )} (${REAL_SURROGATES} circular shifts per seed)`,
    ...table([header, ...rows], '   ', 2),
    '   untuned references (chosen on no seed):',
    ...refs,
    `   verdict: SHC early warning ${v.earlyWarning ? 'reproduced' : 'NOT reproduced'} (${shc.hits}/${N} seeds); SHC peak before the transition ${
      v.peakBefore ? 'reproduced' : 'NOT reproduced'
    } (${peaks}/${N})`,
    `     ${v.earlierThanMeanLoss ? 'earlier than the mean-loss baselines' : 'no earlier than the mean-loss baseline'}: SHC earlier in ${earlierM}/${N} seeds${rivalText(r.rivalMeanLoss, N)}`,
    `     ${v.earlierThanScalar ? 'earlier than every scalar baseline' : 'no earlier than every scalar baseline'}: SHC earlier in ${earlierS}/${N} seeds${rivalText(r.rivalScalar, N)}`,
  ];
}
