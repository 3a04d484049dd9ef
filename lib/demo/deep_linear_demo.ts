// The demo's second scenario: the paper's deep-linear-network figures (lag over seeds, one run's PR and SHC).
import { analyze } from '../analyze.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { ANALYSIS_FIELDS } from '../options.js';
import { simulateDeepLinear, type DeepLinearOptions, type DeepLinearRun, type ResolvedDeepLinearOptions } from '../scenarios/deep_linear.js';
import { aggregate, type AggregateTable } from '../stats/aggregate.js';
import { blockEnergy } from '../stats/block_energy.js';
import type { Analysis } from '../types.js';
import { matchPeaks, type MatchedPeak } from './peaks.js';

/** Options of {@link runDeepLinearDemo}; all optional. */
export interface DeepLinearDemoOptions {
  /** Number of training runs (seeds seed, seed + 1, ...), 1..1000. Default 30. */
  seeds?: number;
  /** First seed. Default 0. */
  seed?: number;
  /** Window length W of the analysis, >= 4. Default 20. */
  window?: number;
  /** Trainer options (all but `seed`); default: {@link simulateDeepLinear}'s defaults. */
  trainer?: Omit<DeepLinearOptions, 'seed'>;
  /** Native threads per analysis. Default 1 (the next run trains on the main thread meanwhile). */
  threads?: number;
  /** Called after each run with the number of runs done. */
  onProgress?: (done: number, total: number) => void;
}

/** The demo's settings as run. */
export interface ResolvedDeepLinearDemoOptions {
  seeds: number;
  seed: number;
  window: number;
  threads: number;
  /** The trainer options of the first run (the seed differs between runs). */
  trainer: ResolvedDeepLinearOptions;
  /** Peak matching: prominence fraction and how far after an alignment a peak may lie (W / 2). */
  matching: { prominence: number; after: number };
}

/** One run, reduced to what the lag figure needs. */
export interface DeepLinearSeedResult {
  seed: number;
  /** Per mode: step where u_k^T W v_k reached s_k / 2 (NaN: never). */
  alignmentSteps: number[];
  /** Per mode: step of the matched SHC peak (NaN: none found). */
  peakSteps: number[];
  /** Per mode: SHC peak step - alignment step (NaN when either is missing). */
  lags: number[];
  /**
   * Per mode: block energy of the top eigenvector at the matched SHC peak on the probes of group
   * `mode k` (see {@link DeepLinearRun.probeGroups}); NaN without a peak.
   */
  energies: number[];
  /** Every mode aligned, in order of decreasing singular value. */
  ordered: boolean;
}

/** Per teacher mode, across seeds. */
export interface DeepLinearModeSummary {
  /** 1-based mode number (1 = strongest). */
  mode: number;
  singularValue: number;
  /** Runs in which the mode aligned. */
  learned: number;
  /** Runs in which an SHC peak was matched to its alignment. */
  found: number;
  /** Mean alignment step over the runs that learned it. */
  alignmentMean: number;
  /** Lag statistics over the runs with a matched peak (see {@link aggregate}): NaN when none. */
  lagMean: number;
  lagSd: number;
  lagMedian: number;
  lagLow: number;
  lagHigh: number;
  /** Mean over runs with a matched peak of the top eigenvector's block energy on the mode's own probes (its group's share of the probes is `groupShare`). */
  energyMean: number;
  /** Mean share of the probes in the mode's group (the block energy of a vector spread evenly). */
  groupShare: number;
}

/** What the demo reports for the deep linear network. */
export interface DeepLinearDemoResult {
  /** The first seed's run, analysed: the paper's Figure 3 (PR and SHC over one run). */
  representative: { run: DeepLinearRun; analysis: Analysis; windowSteps: Float64Array; matches: MatchedPeak[] };
  /** Every run. */
  runs: DeepLinearSeedResult[];
  /** Per mode across runs: the paper's Figure 2 (lag between SHC peak and alignment, mean and 95% interval). */
  modes: DeepLinearModeSummary[];
  /** The lag aggregate as {@link aggregate} returns it (groups 'mode 1', 'mode 2', ...). */
  lagTable: AggregateTable;
  /** Runs in which every mode aligned in order. */
  ordered: number;
  options: ResolvedDeepLinearDemoOptions;
}

/** The sign convention of every lag the demo reports. */
export const LAG_CONVENTION = 'lag = SHC peak step - alignment step; negative: the SHC peaked before the mode aligned (an early warning)';

/** The options of {@link runDeepLinearDemo}. */
export const DEEP_LINEAR_DEMO_OPTIONS = defineOptions('deep linear demo', {
  seeds: { type: 'integer', min: 1, max: 1000, default: 30, doc: 'number of training runs' },
  seed: { type: 'seed', default: 0, doc: 'first seed' },
  window: { type: 'integer', min: 4, max: 100_000, default: 20, doc: 'window length W of the analysis' },
  trainer: {
    type: 'custom',
    typeDoc: 'an object of simulateDeepLinear options',
    default: (): Omit<DeepLinearOptions, 'seed'> => ({}),
    doc: 'trainer options (all but seed)',
    check: (v: unknown, name: string): Omit<DeepLinearOptions, 'seed'> => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) optionError(`${name} must be an object of simulateDeepLinear options`);
      if (Object.hasOwn(v, 'seed')) optionError(`${name}.seed is not allowed: the demo's seeds are seed, seed + 1, ...`);
      return v as Omit<DeepLinearOptions, 'seed'>;
    },
  },
  threads: { ...ANALYSIS_FIELDS.threads, default: 1, doc: 'native threads per analysis (the next run trains on the main thread meanwhile)' },
  onProgress: { type: 'function', doc: 'called after each run with the number of runs done' },
});

type _DeepLinearDemoSchemaMatches = Assert<SameKeys<typeof DEEP_LINEAR_DEMO_OPTIONS.fields, DeepLinearDemoOptions>>;

/** Checks the options of {@link runDeepLinearDemo} (the trainer's own options are checked by a first run). */
export function resolveDeepLinearDemoOptions(options: DeepLinearDemoOptions = {}): Omit<ResolvedDeepLinearDemoOptions, 'trainer'> & { trainer: Omit<DeepLinearOptions, 'seed'> } {
  const { seeds, seed, window, threads, trainer } = resolveOptions(DEEP_LINEAR_DEMO_OPTIONS, options);
  return { seeds, seed, window, threads, trainer, matching: { prominence: 0.3, after: Math.floor(window / 2) } };
}

/**
 * The paper's deep-linear-network results on {@link simulateDeepLinear}: `seeds` training runs
 * (teacher s = 4, 3, 2, 1, depth 3, small random init, per-probe losses with 0.01 measurement
 * noise at every step by default), each analysed with a trailing window (W = 20, no detrending).
 * In each run, each mode's alignment (u_k^T W v_k reaching s_k / 2) is matched to one SHC peak by
 * {@link matchPeaks} (the prominent peak nearest the alignment, between the midpoints to the
 * neighbouring alignments and at most W/2 after it), and the lag (SHC peak - alignment, see
 * {@link LAG_CONVENTION}) is aggregated per mode over the runs: mean, sd, median and a bootstrap
 * 95% interval of the mean.
 *
 * Runs train on the main thread while the previous run is analysed natively, so two cores are busy.
 *
 * @throws Rdm2Error ERR_RDM2_OPTION on a bad demo or trainer option, or a window longer than a run.
 */
export async function runDeepLinearDemo(options: DeepLinearDemoOptions = {}): Promise<DeepLinearDemoResult> {
  const o = resolveDeepLinearDemoOptions(options);
  const runs: DeepLinearSeedResult[] = [];
  let representative: DeepLinearDemoResult['representative'] | undefined;
  let trainer: ResolvedDeepLinearOptions | undefined;

  const finish = (run: DeepLinearRun, analysis: Analysis, index: number) => {
    const ws = Float64Array.from(analysis.t, (t) => run.steps[t]);
    const matches = matchPeaks(analysis.shc, ws, run.alignmentSteps, o.matching);
    const al = Array.from(run.alignmentSteps);
    const n = analysis.probes;
    const energies = matches.map((m, k) => {
      if (m.index < 0) return NaN;
      const be = blockEnergy(analysis.eigenvectors!.subarray(m.index * n, (m.index + 1) * n), run.probeGroups);
      const g = be.labels.indexOf(`mode ${k + 1}`);
      return g < 0 ? 0 : be.energy[g];
    });
    runs.push({
      seed: run.options.seed,
      alignmentSteps: al,
      peakSteps: matches.map((m) => m.step),
      lags: matches.map((m) => m.lag),
      energies,
      ordered: al.every((s, k) => Number.isFinite(s) && (k === 0 || s > al[k - 1])),
    });
    if (index === 0) representative = { run, analysis, windowSteps: ws, matches };
    options.onProgress?.(runs.length, o.seeds);
  };

  let pending: Promise<void> | undefined;
  const shares: string[][] = [];
  for (let s = 0; s < o.seeds; s++) {
    const run = simulateDeepLinear({ ...o.trainer, seed: o.seed + s });
    if (s === 0) {
      trainer = run.options;
      if (o.window > run.losses.shape[0]) optionError(`window (${o.window}) must be at most the number of checkpoints (${run.losses.shape[0]})`);
    }
    const job = analyze(run.losses, { window: o.window, topK: 1, threads: o.threads }).then((a) => finish(run, a, s));
    job.catch(() => {}); // a failure is reported where the job is awaited, not as an unhandled rejection
    shares.push(run.probeGroups);
    if (pending) await pending;
    pending = job;
  }
  await pending;
  runs.sort((a, b) => a.seed - b.seed); // two analyses may finish out of order

  const K = trainer!.singularValues.length;
  const records = runs.flatMap((r) => r.lags.map((lag, k) => ({ seed: r.seed, mode: `mode ${k + 1}`, lag: Number.isFinite(lag) ? lag : null })));
  const lagTable = aggregate(records, 'mode', { value: 'lag', seed: 0 });
  const modes: DeepLinearModeSummary[] = [];
  for (let k = 0; k < K; k++) {
    const g = lagTable.key.indexOf(`mode ${k + 1}`);
    const aligned = runs.map((r) => r.alignmentSteps[k]).filter(Number.isFinite);
    const energies = runs.map((r) => r.energies[k]).filter(Number.isFinite);
    const label = `mode ${k + 1}`;
    modes.push({
      mode: k + 1,
      singularValue: trainer!.singularValues[k],
      learned: aligned.length,
      found: lagTable.used[g],
      alignmentMean: aligned.length ? aligned.reduce((a, b) => a + b, 0) / aligned.length : NaN,
      lagMean: lagTable.mean[g],
      lagSd: lagTable.sd[g],
      lagMedian: lagTable.median[g],
      lagLow: lagTable.ciLow[g],
      lagHigh: lagTable.ciHigh[g],
      energyMean: energies.length ? energies.reduce((a, b) => a + b, 0) / energies.length : NaN,
      groupShare: shares.reduce((acc, groups) => acc + groups.filter((x) => x === label).length / groups.length, 0) / shares.length,
    });
  }
  return {
    representative: representative!,
    runs,
    modes,
    lagTable,
    ordered: runs.filter((r) => r.ordered).length,
    options: { seeds: o.seeds, seed: o.seed, window: o.window, threads: o.threads, trainer: trainer!, matching: o.matching },
  };
}
