// The demo's first scenario: the paper's Figure 1 (a transition carried by one probe group).
import { analyze } from '../analyze.js';
import { checkValue, defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { ANALYSIS_FIELDS } from '../options.js';
import { syntheticScenario, type SyntheticScenario } from '../scenarios/synthetic.js';
import { summarizeRun, windowSteps, type RunSummary } from '../stats/index.js';
import type { Analysis } from '../types.js';

/** Options of {@link runSyntheticDemo}; all optional. */
export interface SyntheticDemoOptions {
  /** Number of seeds the verdict is checked on (the first one is shown in detail), 1..1000. Default 30. */
  seeds?: number;
  /** First seed. Default 0. */
  seed?: number;
  /** Checkpoints T of each run, 60..100000. Default 240 (the paper's figure). */
  steps?: number;
  /** Window length W, 4..steps/2. Default 20. */
  window?: number;
  /** Native threads per analysis. Default: the machine's. */
  threads?: number;
}

/** The synthetic scenario's settings as run. */
export interface ResolvedSyntheticDemoOptions {
  seeds: number;
  seed: number;
  steps: number;
  window: number;
  threads?: number;
}

/** What the demo reports for the synthetic scenario. */
export interface SyntheticDemoResult {
  /** The first seed's run, shown in detail (its report is the paper's Figure 1). */
  scenario: SyntheticScenario;
  analysis: Analysis;
  summary: RunSummary;
  /** Step of each window's last checkpoint. */
  windowSteps: Float64Array;
  /** The first seed's verdict. */
  verdict: SyntheticVerdict;
  /** Over all seeds: in how many runs each claim held. */
  counts: { seeds: number; peakBefore90: number; warningBefore90: number; energyOnB: number };
  options: ResolvedSyntheticDemoOptions;
}

/** The claims of the paper's Figure 1, checked on one run. */
export interface SyntheticVerdict {
  /** Step of the SHC maximum. */
  shcPeakStep: number;
  shcPeakValue: number;
  /** Step where a(t) first reaches 90% of its final value. */
  step90: number;
  /** Step where a(t) first reaches 0.5 (the transition, for the lead time). */
  transitionStep: number;
  /** Step of the first SHC warning (default detector), or null. */
  firstWarningStep: number | null;
  /** Transition step - first warning step (positive = early), or null. */
  leadSteps: number | null;
  /** Block energy of the top eigenvector at the SHC peak, per group. */
  blockEnergy: Record<string, number>;
  /** SHC peak before a(t) reaches 90%. */
  peakBefore90: boolean;
  /** A warning before a(t) reaches 90%. */
  warningBefore90: boolean;
  /** Block energy on B above 0.9. */
  energyOnB: boolean;
}

/** The options of {@link runSyntheticDemo}. */
export const SYNTHETIC_DEMO_OPTIONS = defineOptions('synthetic demo', {
  seeds: { type: 'integer', min: 1, max: 1000, default: 30, doc: 'seeds the verdict is checked on' },
  seed: { type: 'seed', default: 0, doc: 'first seed' },
  steps: { type: 'integer', min: 60, max: 100_000, default: 240, doc: 'checkpoints T of each run' },
  window: { type: 'integer', min: 4, default: 20, note: 'at most steps / 2', doc: 'window length W' },
  threads: { ...ANALYSIS_FIELDS.threads, default: undefined, defaultDoc: "the machine's" },
});

type _SyntheticDemoSchemaMatches = Assert<SameKeys<typeof SYNTHETIC_DEMO_OPTIONS.fields, SyntheticDemoOptions>>;

/** Checks the options of {@link runSyntheticDemo}. */
export function resolveSyntheticDemoOptions(options: SyntheticDemoOptions = {}): ResolvedSyntheticDemoOptions {
  const { seeds, seed, steps, window: w, threads } = resolveOptions(SYNTHETIC_DEMO_OPTIONS, options);
  const window = checkValue({ ...SYNTHETIC_DEMO_OPTIONS.fields.window, max: Math.floor(steps / 2), note: undefined }, 'window', w);
  return { seeds, seed, steps, window, ...(threads !== undefined ? { threads } : {}) };
}

function verdictOf(sc: SyntheticScenario, summary: RunSummary): SyntheticVerdict {
  const peak = summary.shcPeak;
  const energy = summary.blockEnergy ?? {};
  const shcPeakStep = peak ? peak.step : NaN;
  const firstWarningStep = summary.firstWarning ? summary.firstWarning.step : null;
  return {
    shcPeakStep,
    shcPeakValue: peak ? peak.value : NaN,
    step90: sc.step90,
    transitionStep: sc.transitionStep,
    firstWarningStep,
    leadSteps: summary.leadSteps,
    blockEnergy: energy,
    peakBefore90: shcPeakStep < sc.step90,
    warningBefore90: firstWarningStep !== null && firstWarningStep < sc.step90,
    energyOnB: (energy.B ?? 0) > 0.9,
  };
}

/**
 * The paper's Figure 1 on {@link syntheticScenario}: 60 probes in groups A, B, C of 20 (columns
 * shuffled, so the analysis cannot use their order), a sigmoid a(t) moving group B only, noise
 * everywhere; 240 checkpoints 10 steps apart. Each seed is analysed with a trailing window
 * (W = 20, top eigenvector kept) and summarised with the default warning detector; the groups are
 * used only afterwards, for the block energies. The first seed is returned in full.
 *
 * @throws Rdm2Error ERR_RDM2_OPTION on a bad option.
 */
export async function runSyntheticDemo(options: SyntheticDemoOptions = {}): Promise<SyntheticDemoResult> {
  const o = resolveSyntheticDemoOptions(options);
  const counts = { seeds: o.seeds, peakBefore90: 0, warningBefore90: 0, energyOnB: 0 };
  let first: Omit<SyntheticDemoResult, 'counts' | 'options'> | undefined;
  for (let s = 0; s < o.seeds; s++) {
    const sc = syntheticScenario({ seed: o.seed + s, steps: o.steps, stepInterval: 10, shuffleProbes: true });
    const analysis = await analyze(sc.losses, { window: o.window, topK: 1, ...(o.threads !== undefined ? { threads: o.threads } : {}) });
    const summary = summarizeRun(analysis, { groups: sc.groups, transition: sc.transitionStep, steps: sc.steps });
    const verdict = verdictOf(sc, summary);
    counts.peakBefore90 += Number(verdict.peakBefore90);
    counts.warningBefore90 += Number(verdict.warningBefore90);
    counts.energyOnB += Number(verdict.energyOnB);
    if (s === 0) first = { scenario: sc, analysis, summary, windowSteps: windowSteps(analysis, sc.steps), verdict };
  }
  return { ...first!, counts, options: o };
}
