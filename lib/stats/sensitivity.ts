// How the SHC's warning depends on the analysis choices: a grid over window sizes, detrending and the loss transform.
import { analyze, analyzeSync } from '../analyze.js';
import { choiceItem, defineOptions, describeValue, listArg, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { ANALYSIS_FIELDS } from '../options.js';
import { toLossView } from '../loss_matrix.js';
import type { Analysis, AnalyzeOptions, Detrend, LossInput, LossTransform } from '../types.js';
import { kendallTau } from './kendall.js';
import { checkCheckpointSteps, leadTime, windowSteps, type Transition } from './lead_time.js';
import { detectWarnings, resolveWarningOptions, type ResolvedWarningOptions, type WarningOptions } from './warnings.js';

/** Options of {@link sensitivity}: the grid, the shared analysis options, and the warning rule. */
export interface SensitivityOptions extends Omit<AnalyzeOptions, 'window' | 'detrend' | 'topK' | 'transform'> {
  /** Window sizes W to try (each 2 <= W <= T). Required, non-empty. */
  windows: number[];
  /** Detrending choices to try. Default ['none', 'linear']. */
  detrend?: Detrend[];
  /** Loss transforms to try: one, or several (e.g. ['none', 'log']). Default 'none'. */
  transform?: LossTransform | LossTransform[];
  /** Warning detector options (default: the detector's defaults). */
  warning?: WarningOptions;
  /** Transition step or {@link Transition}; without it leads are NaN and tau is taken up to the peak. */
  transition?: number | Transition;
  /** Step of every checkpoint (length T, strictly increasing); default: checkpoint indices. */
  steps?: ArrayLike<number>;
}

/** One row per (window, detrend, transform) setting, window-major, then detrend. NaN = not available (no warning, no transition, all windows degenerate). */
export interface SensitivityTable {
  window: Int32Array;
  detrend: Detrend[];
  transform: LossTransform[];
  /** Window index, last checkpoint, step and height of the SHC maximum. */
  peakWindow: Float64Array;
  peakCheckpoint: Float64Array;
  peakStep: Float64Array;
  peakHeight: Float64Array;
  /** transition step - peak step. */
  peakLeadSteps: Float64Array;
  warningCount: Int32Array;
  firstWarningStep: Float64Array;
  /** transition - first warning, in steps and checkpoints (positive = early). */
  leadSteps: Float64Array;
  leadCheckpoints: Float64Array;
  /**
   * Kendall tau (and its p-value) of the SHC against time over the windows ending at or before
   * the transition checkpoint, or up to and including the peak without a transition.
   */
  tau: Float64Array;
  tauPValue: Float64Array;
  /** Number of rows. */
  rows: number;
  transition: Transition | null;
  warningOptions: ResolvedWarningOptions;
}

interface Grid {
  cells: { window: number; detrend: Detrend; transform: LossTransform }[];
  shared: Omit<AnalyzeOptions, 'window' | 'detrend' | 'transform'>;
  warning: ResolvedWarningOptions;
  transition: number | Transition | undefined;
  steps: ArrayLike<number> | undefined;
}


const windowItem = (text: string): number => {
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 2) throw new Error(`expected window sizes (integers >= 2), got '${text}'`);
  return v;
};


/** The options of {@link sensitivity}: the grid, the detector and the analysis options every cell shares. */
export const SENSITIVITY_OPTIONS = defineOptions(
  'sensitivity',
  {
    windows: {
      type: 'custom',
      typeDoc: 'a non-empty array of window sizes',
      required: true,
      doc: 'window sizes W to try',
      cli: { value: 'W,...', parse: listArg(windowItem), doc: 'window sizes W to try, comma-separated (e.g. 10,20,40)' },
      check: (v: unknown, name: string): number[] => {
        if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of window sizes, got ${describeValue(v)}`);
        return v as number[];
      },
    },
    detrend: {
      type: 'custom',
      typeDoc: "a non-empty array of 'none' | 'linear'",
      default: (): Detrend[] => ['none', 'linear'],
      defaultDoc: 'none,linear',
      doc: 'detrending choices to try',
      cli: { value: 'modes', parse: listArg(choiceItem(['none', 'linear'] as const)), doc: 'detrending choices to try, comma-separated: none, linear' },
      check: (v: unknown, name: string): Detrend[] => {
        if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of 'none' | 'linear', got ${describeValue(v)}`);
        for (const d of v) if (d !== 'none' && d !== 'linear') optionError(`${name} entries must be 'none' or 'linear', got ${describeValue(d)}`);
        return v as Detrend[];
      },
    },
    warning: { type: 'custom', typeDoc: 'warning options', check: (v: unknown) => v as WarningOptions, defaultDoc: "the detector's defaults", doc: 'warning detector options' },
    transition: { type: 'custom', typeDoc: 'a step or a Transition', check: (v: unknown) => v as number | Transition, doc: 'the transition, for the leads' },
    steps: { type: 'custom', typeDoc: 'steps', check: (v: unknown) => v as ArrayLike<number>, defaultDoc: 'checkpoint indices', doc: 'step of every checkpoint' },
    transform: {
      type: 'custom',
      typeDoc: "'none' | 'log', or a non-empty array of them",
      default: (): LossTransform[] => ['none'],
      defaultDoc: 'none',
      doc: 'loss transforms to try',
      cli: { value: 'ts', parse: listArg(choiceItem(['none', 'log'] as const)), doc: 'loss transforms to try, comma-separated: none, log' },
      check: (v: unknown, name: string): LossTransform[] => {
        const list = Array.isArray(v) ? v : [v];
        if (list.length === 0) optionError(`${name} must be 'none', 'log' or a non-empty array of them, got []`);
        for (const t of list) if (t !== 'none' && t !== 'log') optionError(`${name} entries must be 'none' or 'log', got ${describeValue(t)}`);
        return list as LossTransform[];
      },
    },
    stride: ANALYSIS_FIELDS.stride,
    beta: ANALYSIS_FIELDS.beta,
    threads: ANALYSIS_FIELDS.threads,
    nonFinite: ANALYSIS_FIELDS.nonFinite,
  },
  'sensitivity needs options with at least { windows: [...] }',
);

type _SensitivitySchemaMatches = Assert<SameKeys<typeof SENSITIVITY_OPTIONS.fields, SensitivityOptions>>;

function grid(losses: LossInput, options: SensitivityOptions): Grid {
  if (typeof options === 'object' && options !== null && Object.hasOwn(options, 'topK')) {
    optionError(`sensitivity does not take topK (it only needs the SHC); options it takes: ${Object.keys(SENSITIVITY_OPTIONS.fields).join(', ')}`);
  }
  const { windows, detrend: detrends, transform: transforms, warning, transition, steps, ...resolvedShared } = resolveOptions(SENSITIVITY_OPTIONS, options);
  // Only the analysis options given are passed on (analyze fills in its own defaults).
  const shared = Object.fromEntries(Object.keys(resolvedShared).filter((k) => Object.hasOwn(options, k)).map((k) => [k, resolvedShared[k as keyof typeof resolvedShared]]));
  const view = toLossView(losses);
  const checkedSteps = steps === undefined ? undefined : checkCheckpointSteps(steps, view.rows);
  if (transition !== undefined) leadTime([], transition, checkedSteps); // validates the transition up front
  return {
    cells: windows.flatMap((w) => detrends.flatMap((d) => transforms.map((t) => ({ window: w, detrend: d, transform: t })))),
    shared,
    warning: resolveWarningOptions(warning ?? {}),
    transition,
    steps: checkedSteps,
  };
}

/** A grid of {@link SensitivityOptions}: window sizes, detrending choices and transforms. */
export interface SensitivityGrid {
  windows: number[];
  detrend: Detrend[];
  transform: LossTransform[];
}

/**
 * The default grid around an analysis' window W (what `rdm2 report --sensitivity` runs): W / 2,
 * W and 2 W (those from 2 to T), no and linear detrending, and no and log transform (log only
 * when every loss is > 0).
 *
 * @example
 * ```ts
 * sensitivityGridAround(20, 240, true); // { windows: [10, 20, 40], detrend: ['none', 'linear'], transform: ['none', 'log'] }
 * ```
 */
export function sensitivityGridAround(window: number, rows: number, logPossible: boolean): SensitivityGrid {
  const windows = [...new Set([Math.round(window / 2), window, 2 * window])].filter((w) => w >= 2 && w <= rows).sort((a, b) => a - b);
  return { windows: windows.length ? windows : [Math.min(window, rows)], detrend: ['none', 'linear'], transform: logPossible ? ['none', 'log'] : ['none'] };
}

function emptyTable(g: Grid): SensitivityTable {
  const R = g.cells.length;
  const nan = () => new Float64Array(R).fill(NaN);
  return {
    window: Int32Array.from(g.cells, (c) => c.window),
    detrend: g.cells.map((c) => c.detrend),
    transform: g.cells.map((c) => c.transform),
    peakWindow: nan(),
    peakCheckpoint: nan(),
    peakStep: nan(),
    peakHeight: nan(),
    peakLeadSteps: nan(),
    warningCount: new Int32Array(R),
    firstWarningStep: nan(),
    leadSteps: nan(),
    leadCheckpoints: nan(),
    tau: nan(),
    tauPValue: nan(),
    rows: R,
    transition: null,
    warningOptions: g.warning,
  };
}

function fillRow(table: SensitivityTable, r: number, a: Analysis, g: Grid): void {
  const ws = windowSteps(a, g.steps);
  let peak = -1;
  for (let j = 0; j < a.windows; j++) if (Number.isFinite(a.shc[j]) && (peak < 0 || a.shc[j] > a.shc[peak])) peak = j;
  const res = detectWarnings(a.shc, g.warning, ws);
  table.warningCount[r] = res.warnings.length;
  if (res.warnings.length > 0) table.firstWarningStep[r] = res.warnings[0].step;
  let tauEnd = peak + 1; // exclusive window index
  if (g.transition !== undefined) {
    const lt = leadTime(res, g.transition, g.steps);
    table.transition = lt.transition;
    table.leadSteps[r] = lt.leadSteps ?? NaN;
    table.leadCheckpoints[r] = lt.leadCheckpoints ?? NaN;
    tauEnd = 0;
    while (tauEnd < a.windows && a.t[tauEnd] <= lt.transition.checkpoint) tauEnd++;
  }
  if (peak >= 0) {
    table.peakWindow[r] = peak;
    table.peakCheckpoint[r] = a.t[peak];
    table.peakStep[r] = ws[peak];
    table.peakHeight[r] = a.shc[peak];
    if (table.transition) table.peakLeadSteps[r] = table.transition.step - ws[peak];
  }
  let finite = 0;
  for (let j = 0; j < tauEnd; j++) if (Number.isFinite(a.shc[j])) finite++;
  if (finite >= 2) {
    const k = kendallTau(a.shc, 0, tauEnd);
    table.tau[r] = k.tau;
    table.tauPValue[r] = k.pValue;
  }
}

/**
 * Sensitivity analysis of the SHC early warning (in the spirit of the R package earlywarnings'
 * sensitivity analysis): for every window size W in `windows`, every detrending choice and every
 * loss transform, runs the analysis and reports the SHC peak (position, height), the first warning and its lead
 * time, and the Kendall tau of the SHC's rise, as one table. A warning that survives the grid
 * is not an artefact of one window size.
 *
 * @param losses T x n losses.
 * @throws Rdm2Error ERR_RDM2_OPTION on an empty grid or bad options; ERR_RDM2_SHAPE on steps of the wrong length.
 *
 * @example
 * ```ts
 * const tab = await sensitivity(losses, { windows: [16, 24, 32], detrend: ['none', 'linear'], transform: ['none', 'log'], transition: 1500, steps });
 * for (let r = 0; r < tab.rows; r++) console.log(tab.window[r], tab.detrend[r], tab.transform[r], tab.peakStep[r], tab.leadSteps[r]);
 * ```
 */
export async function sensitivity(losses: LossInput, options: SensitivityOptions): Promise<SensitivityTable> {
  const g = grid(losses, options);
  const table = emptyTable(g);
  for (let r = 0; r < g.cells.length; r++) {
    const a = await analyze(losses, { ...g.shared, ...g.cells[r] });
    fillRow(table, r, a, g);
  }
  return table;
}

/**
 * Synchronous twin of {@link sensitivity}.
 *
 * @example
 * ```ts
 * const tab = sensitivitySync(losses, { windows: [16, 32], threads: 2 });
 * ```
 */
export function sensitivitySync(losses: LossInput, options: SensitivityOptions): SensitivityTable {
  const g = grid(losses, options);
  const table = emptyTable(g);
  for (let r = 0; r < g.cells.length; r++) {
    fillRow(table, r, analyzeSync(losses, { ...g.shared, ...g.cells[r] }), g);
  }
  return table;
}
