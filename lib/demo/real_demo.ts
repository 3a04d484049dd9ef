// The demo's real settings: the settings chosen on seeds 0-4 (lib/demo/real_chosen.ts) reported
// on seeds 5-9 of the shipped runs, for the SHC and every scalar baseline side by side.
import { autoSettings } from '../auto_settings.js';
import { aggregate } from '../stats/aggregate.js';
import { isScalarBaseline, type IndicatorName } from '../stats/baselines.js';
import { blockEnergy } from '../stats/block_energy.js';
import { surrogateTest } from '../stats/surrogate.js';
import { isShiftRow, type CellScore, type RowName, type RowSettings, type ShiftSettings } from './real_choice.js';
import { REAL_CHOSEN } from './real_chosen.js';
import {
  REAL_SURROGATES,
  REPORT_SEEDS,
  evaluateRun,
  evaluateShifts,
  horizonStart,
  type EvaluatedRun,
  type RealAnalysisSettings,
  type WarningOutcome,
} from './real_protocol.js';
import { REAL_SETTINGS, readRealRun, type RealRun, type RealSettingInfo, type RealSettingName } from './real_runs.js';
import { REPRODUCED_SHARE } from './verdict.js';


/** One row of a real setting's table: an indicator with its chosen settings, over the held-out seeds. */
export interface RealRowResult {
  row: RowName;
  /** The row in a few words, e.g. `mean loss, test` or `test moved 5%`. */
  label: string;
  /** The SHC, another observable of the 2RDM, or a scalar baseline (computed from mean losses only). */
  kind: 'shc' | 'spectral' | 'scalar';
  /** A mean-loss baseline: the mean loss of all probes or of a group, through the detector or the threshold rule. */
  meanLoss: boolean;
  settings: RowSettings;
  /** Its score on the choice seeds (what chose it). */
  choice: CellScore;
  /** Per held-out seed. */
  outcomes: WarningOutcome[];
  /** Seeds with a warning within the horizon, and with one before it. */
  hits: number;
  tooEarly: number;
  /** Lead of the first warning within the horizon (steps): mean and percentile-bootstrap 95% interval over the seeds that had one (NaN: none). */
  leadMean: number;
  leadLow: number;
  leadHigh: number;
}

/** The SHC's view of one held-out run (at the SHC's chosen settings). */
export interface RealSeedResult {
  seed: number;
  transition: number;
  /**
   * The SHC peak around the transition: the largest SHC over the windows ending within the horizon's
   * length of the transition on either side (from the horizon's start to as far after the transition).
   */
  peakStep: number;
  peakBefore: boolean;
  /**
   * The peak is the first or the last of the windows searched: the SHC only falls (or rises)
   * across them, so the "peak" is where the search starts or stops, not a maximum of the SHC.
   */
  peakAtEdge: boolean;
  /** Block energy of the top eigenvector at that peak on the expected group. */
  energy: number;
  /** PR of the last window ending at or before the transition. */
  prAtTransition: number;
  /** Surrogate p-value of that peak: circular shifts, the same windows. */
  pValue: number;
  /** The SHC warned within the horizon strictly before every mean-loss baseline (which had no warning there or a later one). */
  earlierThanMeanLoss: boolean;
  /** The same against every scalar baseline. */
  earlierThanScalar: boolean;
}

/** The untuned SHC references: the paper's window with nothing else, and the auto rule. */
export interface RealReference {
  label: string;
  hits: number;
  tooEarly: number;
  /** The window of each held-out seed (the auto rule chooses per run). */
  windows: number[];
  transforms: string[];
}

/** Everything the demo reports for one real setting. */
export interface RealSettingResult {
  info: RealSettingInfo;
  choiceSeeds: number[];
  reportSeeds: number[];
  /** Recorded steps between checkpoints. */
  stepsPerCheckpoint: number;
  rows: RealRowResult[];
  seeds: RealSeedResult[];
  /** Share of the probes in the expected group (the energy of an evenly spread vector). */
  groupShare: number;
  references: RealReference[];
  /** The mean-loss baseline that warned at or before the SHC in the most seeds (null: none did). */
  rivalMeanLoss: { row: RealRowResult; seeds: number } | null;
  rivalScalar: { row: RealRowResult; seeds: number } | null;
  verdict: { earlyWarning: boolean; peakBefore: boolean; earlierThanMeanLoss: boolean; earlierThanScalar: boolean };
  /** The first held-out seed analysed at the SHC's settings (with the top eigenvector): the run the demo's report shows. */
  representative: EvaluatedRun;
}

function rowKind(row: RowName): RealRowResult['kind'] {
  if (row === 'shc') return 'shc';
  return isShiftRow(row) || isScalarBaseline(row as IndicatorName) ? 'scalar' : 'spectral';
}

function isMeanLossRow(row: RowName): boolean {
  return isShiftRow(row) || row === 'meanLoss' || row.startsWith('meanLoss:');
}

/** A row in a few words. */
export function rowLabel(row: RowName, settings: RowSettings): string {
  if (isShiftRow(row)) return `${row.slice('shift:'.length)} moved ${Math.round(100 * (settings as ShiftSettings).fraction)}%`;
  const g = /^(meanLoss|variance):(.+)$/s.exec(row);
  if (g) return `${g[1] === 'meanLoss' ? 'mean loss' : 'variance'}, ${g[2]}`;
  const words: Record<string, string> = {
    shc: 'SHC',
    pr: 'PR',
    trace: 'trace',
    leadingEigenvalue: 'lambda_1',
    variance: 'variance',
    autocorrelation: 'lag-1 autocorr.',
    meanLoss: 'mean loss',
  };
  return words[row] ?? row;
}

const settingsKey = (s: RealAnalysisSettings) => `${s.cadence}/${s.window}/${s.transform}/${s.detrend}/${s.beta}`;

/** The SHC's figures of one run, from its evaluation at the SHC's settings (with the top eigenvector). */
async function shcDetails(ev: EvaluatedRun, expectedGroup: string): Promise<Omit<RealSeedResult, 'earlierThanMeanLoss' | 'earlierThanScalar'>> {
  const { run, analysis: a, windowSteps: ws } = ev;
  const tr = run.transition;
  const from = horizonStart(ev.steps[0]!, tr);
  const to = tr + (tr - from);
  let first = -1;
  let end = -1;
  let peak = -1;
  let atTransition = -1;
  for (let j = 0; j < a.windows; j++) {
    if (ws[j]! <= tr) atTransition = j;
    if (ws[j]! < from || ws[j]! > to) continue;
    if (first < 0) first = j;
    end = j + 1;
    if (Number.isFinite(a.shc[j]) && (peak < 0 || a.shc[j]! > a.shc[peak]!)) peak = j;
  }
  const n = a.probes;
  const v = a.eigenvectors!.subarray(peak * a.options.topK * n, peak * a.options.topK * n + n);
  const be = blockEnergy(v, run.groups);
  const energy = be.energy[be.labels.indexOf(expectedGroup)]!;
  const s = ev.settings;
  const p = await surrogateTest(
    ev.losses,
    { window: s.window, transform: s.transform, detrend: s.detrend, beta: s.beta },
    { kind: 'circular-shift', count: REAL_SURROGATES, seed: run.seed, peakRange: [first, end] },
  );
  return {
    seed: run.seed,
    transition: tr,
    peakStep: ws[peak]!,
    peakBefore: ws[peak]! < tr,
    peakAtEdge: peak === first || peak === end - 1,
    energy,
    prAtTransition: atTransition < 0 ? NaN : a.pr[atTransition]!,
    pValue: p.pValue,
  };
}

/** Per seed: did the SHC warn within the horizon strictly before every row of `rivals`? And which rivals warned at or before it. */
function earlier(shc: WarningOutcome, rivals: { row: RealRowResult; o: WarningOutcome }[]): { earlier: boolean; atOrBefore: RealRowResult[] } {
  const atOrBefore = rivals.filter(({ o }) => o.hitStep !== null && (shc.hitStep === null || o.hitStep <= shc.hitStep)).map(({ row }) => row);
  return { earlier: shc.hitStep !== null && atOrBefore.length === 0, atOrBefore };
}

function rival(counts: Map<RealRowResult, number>): { row: RealRowResult; seeds: number } | null {
  let best: { row: RealRowResult; seeds: number } | null = null;
  for (const [row, seeds] of counts) if (!best || seeds > best.seeds) best = { row, seeds };
  return best;
}

/**
 * One real setting reported on the held-out seeds ({@link REPORT_SEEDS}) at the settings chosen on
 * seeds 0-4 ({@link REAL_CHOSEN}): every row's warnings within the horizon and before it, lead
 * times with bootstrap intervals; the SHC peak around the transition, the top eigenvector's block
 * energy there, PR at the transition and a surrogate p-value; the SHC against the mean-loss and
 * all scalar baselines seed by seed; the untuned references (W = 20 alone, and the auto rule).
 *
 * @param options `runs`: the held-out runs (default: read from data/real); `seeds`: which (default 5-9).
 */
export async function runRealSetting(name: RealSettingName, options: { runs?: RealRun[]; seeds?: readonly number[] } = {}): Promise<RealSettingResult> {
  const info = REAL_SETTINGS.find((s) => s.name === name)!;
  const chosen = REAL_CHOSEN[name];
  const seeds = options.seeds ?? REPORT_SEEDS;
  const runs = options.runs ?? (await Promise.all(seeds.map((seed) => readRealRun(name, seed))));

  // Which rows share an analysis: one evaluation per distinct setting and run.
  const groupsBySettings = new Map<string, { settings: RealAnalysisSettings; rows: IndicatorName[] }>();
  for (const r of chosen.rows) {
    if (isShiftRow(r.row)) continue;
    const s = r.settings as RealAnalysisSettings;
    const k = settingsKey(s);
    if (!groupsBySettings.has(k)) groupsBySettings.set(k, { settings: s, rows: [] });
    groupsBySettings.get(k)!.rows.push(r.row as IndicatorName);
  }
  const fractions = [...new Set(chosen.rows.filter((r) => isShiftRow(r.row)).map((r) => (r.settings as ShiftSettings).fraction))];

  const outcomes = new Map<RowName, WarningOutcome[]>(chosen.rows.map((r) => [r.row, []]));
  const details: Omit<RealSeedResult, 'earlierThanMeanLoss' | 'earlierThanScalar'>[] = [];
  let representative: EvaluatedRun | undefined;
  const references: RealReference[] = [
    { label: "SHC at the paper's window alone", hits: 0, tooEarly: 0, windows: [], transforms: [] },
    { label: 'SHC at --window auto --transform auto', hits: 0, tooEarly: 0, windows: [], transforms: [] },
  ];
  for (const run of runs) {
    for (const { settings, rows } of groupsBySettings.values()) {
      const hasShc = rows.includes('shc');
      const ev = await evaluateRun(run, settings, { indicators: rows, topK: hasShc ? 1 : 0 });
      ev.indicator.forEach((row, r) => outcomes.get(row)!.push(ev.outcome[r]!));
      if (hasShc) {
        details.push(await shcDetails(ev, info.expectedGroup));
        representative ??= ev;
      }
    }
    for (const f of fractions) {
      for (const { group, outcome } of evaluateShifts(run, f)) {
        const row = chosen.rows.find((r) => r.row === `shift:${group}`);
        if (row && (row.settings as ShiftSettings).fraction === f) outcomes.get(row.row)!.push(outcome);
      }
    }
    const auto = autoSettings(run.losses);
    const refSettings: RealAnalysisSettings[] = [
      { cadence: 1, window: 20, transform: 'none', detrend: 'none', beta: 1 },
      { cadence: 1, window: auto.window, transform: auto.transform, detrend: 'none', beta: 1 },
    ];
    for (let k = 0; k < refSettings.length; k++) {
      const o = (await evaluateRun(run, refSettings[k]!, { indicators: ['shc'] })).outcome[0]!;
      const ref = references[k]!;
      ref.hits += Number(o.leadSteps !== null);
      ref.tooEarly += Number(o.tooEarly);
      ref.windows.push(refSettings[k]!.window);
      ref.transforms.push(refSettings[k]!.transform);
    }
  }

  const rows: RealRowResult[] = chosen.rows.map((c) => {
    const os = outcomes.get(c.row)!;
    const agg = aggregate(
      os.map((o) => ({ lead: o.leadSteps })),
      undefined,
      { value: 'lead', bootstrap: 2000, seed: 0 },
    );
    return {
      row: c.row,
      label: rowLabel(c.row, c.settings),
      kind: rowKind(c.row),
      meanLoss: isMeanLossRow(c.row),
      settings: c.settings,
      choice: c.score,
      outcomes: os,
      hits: os.filter((o) => o.leadSteps !== null).length,
      tooEarly: os.filter((o) => o.tooEarly).length,
      leadMean: agg.mean[0]!,
      leadLow: agg.ciLow[0]!,
      leadHigh: agg.ciHigh[0]!,
    };
  });

  const shcRow = rows.find((r) => r.row === 'shc')!;
  const meanLossCounts = new Map<RealRowResult, number>();
  const scalarCounts = new Map<RealRowResult, number>();
  const seedResults: RealSeedResult[] = details.map((d, i) => {
    const shc = shcRow.outcomes[i]!;
    const rivalsOf = (keep: (r: RealRowResult) => boolean) => rows.filter(keep).map((row) => ({ row, o: row.outcomes[i]! }));
    const m = earlier(shc, rivalsOf((r) => r.meanLoss));
    const s = earlier(shc, rivalsOf((r) => r.kind === 'scalar'));
    for (const r of m.atOrBefore) meanLossCounts.set(r, (meanLossCounts.get(r) ?? 0) + 1);
    for (const r of s.atOrBefore) scalarCounts.set(r, (scalarCounts.get(r) ?? 0) + 1);
    return { ...d, earlierThanMeanLoss: m.earlier, earlierThanScalar: s.earlier };
  });

  const N = runs.length;
  const need = Math.ceil(REPRODUCED_SHARE * N);
  const n = runs[0]!.groups.length;
  return {
    info,
    choiceSeeds: [...chosen.seeds],
    reportSeeds: runs.map((r) => r.seed),
    stepsPerCheckpoint: runs[0]!.steps[1]! - runs[0]!.steps[0]!,
    rows,
    seeds: seedResults,
    groupShare: runs[0]!.groups.filter((g) => g === info.expectedGroup).length / n,
    references,
    rivalMeanLoss: rival(meanLossCounts),
    rivalScalar: rival(scalarCounts),
    verdict: {
      earlyWarning: shcRow.hits >= need,
      peakBefore: seedResults.filter((s) => s.peakBefore).length >= need,
      earlierThanMeanLoss: seedResults.filter((s) => s.earlierThanMeanLoss).length >= need,
      earlierThanScalar: seedResults.filter((s) => s.earlierThanScalar).length >= need,
    },
    representative: representative!,
  };
}
