// Settings from the data: the window W from the losses' autocorrelation time and the number of
// checkpoints, and the log transform when a probe's losses span many decades. One streaming pass
// (LossInspector) serves in-memory losses and files alike.
import { defineOptions, resolveOptions, type Assert, type SameKeys } from './option_schema.js';
import { toLossView } from './loss_matrix.js';
import { emptyBounds, RowSummary, type LossBounds } from './row_summary.js';
import type { LossInput, LossTransform } from './types.js';

/** The rule's constants, stated once (docs/statistics.md quotes them). */
export const AUTO_RULE = Object.freeze({
  /** Rows per detrending block of the autocorrelation estimate. */
  block: 64,
  /** A final partial block is used when it has at least this many rows. */
  minBlock: 16,
  /** Most probes the autocorrelation is pooled over (evenly spaced): the estimate needs no more. */
  maxProbes: 256,
  /** W >= this many autocorrelation times, so a window holds about that many independent fluctuations. */
  tauMultiple: 5,
  /** Smallest W: a covariance of at least 9 nonzero eigenvalues. */
  minWindow: 10,
  /**
   * W when the losses say nothing longer and the run is long enough: the paper's window, long
   * enough to hold a transition tens of checkpoints wide (on the Figure 1 scenario W = 10 warns
   * before a(t) = 0.5 in 9 of 30 seeds, W = 16 to 24 in 30 of 30).
   */
  preferredWindow: 20,
  /** W <= T / this, so the windows cover most of the run and the detector can start early. */
  runFraction: 10,
  /** The log transform is proposed when some probe's largest and smallest loss differ by more than this many decades. */
  decades: 2,
});

/** What one pass over the losses measured. */
export interface LossInspection {
  /** Checkpoints T and probes n seen. */
  rows: number;
  probes: number;
  /**
   * Integrated autocorrelation time (in checkpoints) of the probes' losses after removing each
   * probe's least-squares quadratic in blocks of 64 checkpoints: 1 + 2 (rho_1 + ... + rho_k), summed up to
   * the last lag before the pooled autocorrelation first drops to <= 0. NaN when no block had
   * enough rows.
   */
  autocorrelationTime: number;
  /** The same for the log losses (NaN when a loss is <= 0). */
  logAutocorrelationTime: number;
  /** Per probe: log10(largest / smallest loss), or NaN when a loss of that probe is <= 0 or not finite. */
  decades: Float64Array;
  /** The largest finite entry of `decades` (0 when none). */
  maxDecades: number;
  /** Probes spanning more than {@link AUTO_RULE}.decades decades. */
  probesOverDecades: number;
  /** Every loss is finite and > 0 (the log transform is possible). */
  allPositive: boolean;
}

/** Options of {@link chooseSettings} / {@link autoSettings}. */
export interface AutoSettingsOptions {
  /** The transform: 'auto' (log when a probe spans more than 2 decades and every loss is > 0), or fixed. Default 'auto'. */
  transform?: LossTransform | 'auto';
}

/** The settings chosen from the data, each with its reason in words. */
export interface AutoSettings {
  window: number;
  /** Why this W, e.g. "W = 10: autocorrelation time 1.0 checkpoints x 5 = 5, raised to the minimum 10; T = 240 allows up to 24". */
  windowReason: string;
  transform: LossTransform;
  /** Why this transform (or why the log transform is proposed). */
  transformReason: string;
  /** The transform was left at 'none' although the losses span more than 2 decades: a proposal to use 'log'. */
  logProposed: boolean;
  /** The decades the probes span, in words, e.g. "3 of 20 probes span more than 2 decades (largest 2.12)". */
  span: string;
  /** The autocorrelation time used (of the log losses when the transform is log). */
  autocorrelationTime: number;
  inspection: LossInspection;
}

/** The options of {@link autoSettings}. */
export const AUTO_SETTINGS_OPTIONS = defineOptions('autoSettings', {
  transform: { type: 'enum', values: ['auto', 'none', 'log'], default: 'auto', doc: "the transform: 'auto' chooses log when a probe spans more than 2 decades" },
});

type _AutoSettingsSchemaMatches = Assert<SameKeys<typeof AUTO_SETTINGS_OPTIONS.fields, AutoSettingsOptions>>;

/** An orthonormal basis of the polynomials of degree <= 2 on 0..rows-1 (Gram-Schmidt on centred powers). */
function quadraticBasis(rows: number): Float64Array[] {
  const basis: Float64Array[] = [];
  const mid = (rows - 1) / 2;
  for (let p = 0; p <= 2; p++) {
    const v = Float64Array.from({ length: rows }, (_, t) => (t - mid) ** p);
    for (const u of basis) {
      let dot = 0;
      for (let t = 0; t < rows; t++) dot += v[t]! * u[t]!;
      for (let t = 0; t < rows; t++) v[t]! -= dot * u[t]!;
    }
    let norm = 0;
    for (let t = 0; t < rows; t++) norm += v[t]! * v[t]!;
    norm = Math.sqrt(norm);
    for (let t = 0; t < rows; t++) v[t]! /= norm;
    basis.push(v);
  }
  return basis;
}

/** Autocorrelation sums of one space (raw or log). */
class AcfAccumulator {
  readonly lagSums: Float64Array;
  readonly lagCounts: Float64Array;
  ok = true;
  constructor(maxLag: number) {
    this.lagSums = new Float64Array(maxLag + 1);
    this.lagCounts = new Float64Array(maxLag + 1);
  }

  /** Adds one block (rows x k, row-major, already in this space): per column, residuals from its least-squares quadratic. */
  addBlock(block: Float64Array, rows: number, k: number, residual: Float64Array): void {
    const basis = quadraticBasis(rows);
    const maxLag = Math.min(this.lagSums.length - 1, rows - 1);
    for (let c = 0; c < k; c++) {
      for (let t = 0; t < rows; t++) residual[t] = block[t * k + c]!;
      for (const u of basis) {
        let dot = 0;
        for (let t = 0; t < rows; t++) dot += residual[t]! * u[t]!;
        for (let t = 0; t < rows; t++) residual[t]! -= dot * u[t]!;
      }
      for (let lag = 0; lag <= maxLag; lag++) {
        let s = 0;
        for (let t = 0; t + lag < rows; t++) s += residual[t]! * residual[t + lag]!;
        this.lagSums[lag]! += s;
        this.lagCounts[lag]! += rows - lag;
      }
    }
  }

  /** 1 + 2 sum of rho_k up to the last lag before rho first drops to <= 0 (NaN without data). */
  tau(): number {
    if (!this.ok || this.lagCounts[0] === 0) return NaN;
    const c0 = this.lagSums[0]! / this.lagCounts[0]!;
    if (!(c0 > 0)) return 1; // constant after detrending: no fluctuation to correlate
    let tau = 1;
    for (let lag = 1; lag < this.lagSums.length && this.lagCounts[lag]! > 0; lag++) {
      const rho = this.lagSums[lag]! / this.lagCounts[lag]! / c0;
      if (!(rho > 0)) break;
      tau += 2 * rho;
    }
    return tau;
  }
}

/**
 * One streaming pass over a run's losses, row by row, gathering what {@link chooseSettings}
 * needs: the autocorrelation time of the detrended losses (raw and log) and how many decades
 * each probe's losses span. Memory: one block of 64 rows of at most 256 probes, plus O(n).
 *
 * @example
 * ```ts
 * const inspector = new LossInspector(n);
 * for (const row of rows) inspector.push(row);
 * const settings = chooseSettings(inspector.result());
 * ```
 */
export class LossInspector {
  private readonly cols: number;
  private readonly picked: Int32Array;
  private readonly raw: Float64Array;
  private readonly log: Float64Array;
  private readonly residual: Float64Array;
  private readonly rawAcf: AcfAccumulator;
  private readonly logAcf: AcfAccumulator;
  private readonly bounds: LossBounds;
  private filled = 0;
  private rows = 0;

  /**
   * @param cols n, the number of probes.
   * @param options `autocorrelation: false` measures only the decades (no autocorrelation time: NaN).
   */
  constructor(cols: number, options: { autocorrelation?: boolean } = {}) {
    this.cols = cols;
    const k = options.autocorrelation === false ? 0 : Math.min(cols, AUTO_RULE.maxProbes);
    this.picked = Int32Array.from({ length: k }, (_, i) => Math.floor((i * cols) / k));
    this.raw = new Float64Array(AUTO_RULE.block * k);
    this.log = new Float64Array(AUTO_RULE.block * k);
    this.residual = new Float64Array(AUTO_RULE.block);
    this.rawAcf = new AcfAccumulator(AUTO_RULE.block / 2);
    this.logAcf = new AcfAccumulator(AUTO_RULE.block / 2);
    this.bounds = emptyBounds(cols);
  }

  /** Adds one checkpoint's losses: `cols` values of `data` from `offset`, `stride` apart. */
  push(data: ArrayLike<number>, offset = 0, stride = 1): void {
    const { lo, hi, notPositive } = this.bounds;
    for (let c = 0; c < this.cols; c++) {
      const v = data[offset + c * stride]!;
      if (!(v > 0 && v < Infinity)) notPositive[c] = 1;
      if (v < lo[c]!) lo[c] = v;
      if (v > hi[c]!) hi[c] = v;
    }
    this.rows++;
    this.pushPicked(data, offset, stride);
  }

  /**
   * Adds `count` contiguous rows of `data` from row `from`: the bounds in one native pass on a
   * native thread (`data` must be the library's own array), the autocorrelation's probes here.
   */
  async pushRows(data: Float32Array | Float64Array, from: number, count: number): Promise<void> {
    await new RowSummary(this.cols, { transform: 'none', bounds: this.bounds }).add(data, from, count);
    this.rows += count;
    if (this.picked.length > 0) for (let r = 0; r < count; r++) this.pushPicked(data, (from + r) * this.cols, 1);
  }

  /** The autocorrelation's share of a row: its picked probes. */
  private pushPicked(data: ArrayLike<number>, offset: number, stride: number): void {
    const k = this.picked.length;
    if (k === 0) return;
    const at = this.filled * k;
    for (let q = 0; q < k; q++) {
      const v = data[offset + this.picked[q]! * stride]!;
      if (!Number.isFinite(v)) this.rawAcf.ok = false;
      this.raw[at + q] = v;
      this.log[at + q] = v > 0 ? Math.log(v) : NaN;
    }
    this.filled++;
    if (this.filled === AUTO_RULE.block) this.flush();
  }

  private flush(): void {
    const rows = this.filled;
    this.filled = 0;
    const k = this.picked.length;
    if (rows < AUTO_RULE.minBlock || k === 0) return; // a short final block says too little about long lags
    if (this.rawAcf.ok) this.rawAcf.addBlock(this.raw, rows, k, this.residual);
    let logOk = this.logAcf.ok;
    for (let i = 0; i < rows * k && logOk; i++) if (!Number.isFinite(this.log[i])) logOk = false;
    this.logAcf.ok = logOk;
    if (logOk) this.logAcf.addBlock(this.log, rows, k, this.residual);
  }

  /** What the pass measured (call once, after the last row). */
  result(): LossInspection {
    if (this.filled > 0) this.flush();
    const ins = boundsInspection(this.bounds, this.rows);
    return { ...ins, autocorrelationTime: this.rawAcf.tau(), logAutocorrelationTime: ins.allPositive ? this.logAcf.tau() : NaN };
  }
}

/**
 * The decades each probe's losses span, from their bounds over `rows` checkpoints (no
 * autocorrelation time: NaN).
 * @internal
 */
export function boundsInspection(bounds: LossBounds, rows: number): LossInspection {
  const cols = bounds.lo.length;
  const decades = new Float64Array(cols);
  let maxDecades = 0;
  let over = 0;
  let allPositive = rows > 0;
  for (let c = 0; c < cols; c++) {
    if (bounds.notPositive[c]) {
      decades[c] = NaN;
      allPositive = false;
      continue;
    }
    decades[c] = Math.log10(bounds.hi[c]! / bounds.lo[c]!);
    if (decades[c]! > maxDecades) maxDecades = decades[c]!;
    if (decades[c]! > AUTO_RULE.decades) over++;
  }
  return { rows, probes: cols, autocorrelationTime: NaN, logAutocorrelationTime: NaN, decades, maxDecades, probesOverDecades: over, allPositive };
}

/**
 * Measures a run's losses in one pass (see {@link LossInspector}); `autocorrelation: false`
 * measures only the decades.
 *
 * @example
 * ```ts
 * const ins = inspectLosses(losses);
 * console.log(ins.autocorrelationTime, ins.maxDecades);
 * ```
 */
export function inspectLosses(losses: LossInput, options: { autocorrelation?: boolean } = {}): LossInspection {
  const view = toLossView(losses);
  const inspector = new LossInspector(view.cols, options);
  for (let r = 0; r < view.rows; r++) inspector.push(view.data, r * view.rowStride, view.colStride);
  return inspector.result();
}

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));

function countFinite(xs: Float64Array): number {
  let k = 0;
  for (const x of xs) if (Number.isFinite(x)) k++;
  return k;
}

/**
 * The window and transform for a run, from what {@link LossInspector} measured:
 *
 * - **transform**: with 'auto', 'log' when some probe's losses span more than 2 decades
 *   (log10(max / min) > 2) and every loss is > 0, else 'none'. A fixed transform is kept; when it
 *   is 'none' and the losses span more than 2 decades, `logProposed` is set and the reason says so.
 * - **window**: W = min(max(ceil(5 tau), 20), max(10, floor(T / 10))), with tau the integrated
 *   autocorrelation time (of the log losses under 'log'): at least 5 autocorrelation times and
 *   20 checkpoints in a window, but at most a tenth of the run (never below 10, never above T).
 *
 * @example
 * ```ts
 * const s = chooseSettings(inspectLosses(losses));
 * console.log(s.window, s.windowReason, s.transform, s.transformReason);
 * ```
 */
export function chooseSettings(inspection: LossInspection, options: AutoSettingsOptions = {}): AutoSettings {
  const o = resolveOptions(AUTO_SETTINGS_OPTIONS, options);
  const ins = inspection;
  const D = AUTO_RULE.decades;
  const span = `${ins.probesOverDecades} of ${ins.probes} probes span more than ${D} decades (largest ${fmt(ins.maxDecades)})`;
  let transform: LossTransform;
  let transformReason: string;
  let logProposed = false;
  const nonPositive = ins.probes - countFinite(ins.decades);
  const impossible = `${nonPositive} of ${ins.probes} probes have a loss <= 0 or not finite, so the log transform is impossible`;
  if (o.transform === 'auto') {
    if (!ins.allPositive) {
      transform = 'none';
      transformReason = `none: ${impossible}`;
    } else if (ins.probesOverDecades > 0) {
      transform = 'log';
      transformReason = `log: ${span}`;
    } else {
      transform = 'none';
      transformReason = `none: no probe spans more than ${D} decades (largest ${fmt(ins.maxDecades)})`;
    }
  } else {
    transform = o.transform;
    if (transform === 'none' && ins.probesOverDecades > 0 && ins.allPositive) {
      logProposed = true;
      transformReason = `none (as asked); log is proposed: ${span}`;
    } else {
      transformReason = `${transform} (as asked)`;
    }
  }
  const tau = transform === 'log' ? ins.logAutocorrelationTime : ins.autocorrelationTime;
  const T = ins.rows;
  const cap = Math.max(AUTO_RULE.minWindow, Math.floor(T / AUTO_RULE.runFraction));
  const want = Number.isFinite(tau) ? Math.ceil(AUTO_RULE.tauMultiple * tau) : AUTO_RULE.preferredWindow;
  const floor = AUTO_RULE.preferredWindow;
  let window = Math.min(Math.max(want, floor), cap);
  const parts = [
    Number.isFinite(tau)
      ? `autocorrelation time ${tau.toFixed(2)} checkpoints${transform === 'log' ? ' (log losses)' : ''} x ${AUTO_RULE.tauMultiple} = ${want}`
      : `autocorrelation time unknown (fewer than ${AUTO_RULE.minBlock} checkpoints)`,
  ];
  if (want < floor) parts.push(`raised to ${floor}`);
  if (Math.max(want, floor) > cap) parts.push(`capped at ${cap} = max(${AUTO_RULE.minWindow}, T / ${AUTO_RULE.runFraction}) (T = ${T})`);
  else parts.push(`T = ${T} allows up to ${cap}`);
  if (window > T) {
    window = Math.max(2, T);
    parts.push(`cut to T = ${T}`);
  }
  return { window, windowReason: `W = ${window}: ${parts.join('; ')}`, transform, transformReason, logProposed, span, autocorrelationTime: tau, inspection: ins };
}

/**
 * Chooses the window W and the loss transform from the losses themselves (`--window auto` and
 * `--transform auto` on the command line): {@link inspectLosses}, then {@link chooseSettings}.
 * Each choice comes with its reason.
 *
 * @example
 * ```ts
 * import { analyze, autoSettings } from 'rdm2';
 * const s = autoSettings(losses);
 * console.log(s.windowReason, s.transformReason);
 * const a = await analyze(losses, { window: s.window, transform: s.transform });
 * ```
 */
export function autoSettings(losses: LossInput, options: AutoSettingsOptions = {}): AutoSettings {
  return chooseSettings(inspectLosses(losses), options);
}
