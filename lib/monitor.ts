// The streaming SpectralMonitor: live 2RDM during training.
import { showValue } from './show_value.js';
import { EventEmitter } from 'node:events';
import { Transform } from 'node:stream';
import { Rdm2Error } from './errors.js';
import { badLossReason, firstBadLoss, nonFiniteError } from './loss_matrix.js';
import { codedNativeError, native, nativeFailure, PUSH_CHECK, PUSH_LAZY, type NativeJournal, type NativeMonitor, type NativeWindow } from './native.js';
import { defineOptions, describeValue, optionError, resolveOptions, type Assert, type SameKeys } from './option_schema.js';
import { ANALYSIS_FIELDS, checkAgainstShape } from './options.js';
import { OBSERVABLE_NAMES, pickObservableValues, type ObservableValues } from './observables.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotCounters } from './monitor_snapshot.js';
import { OnlineWarningDetector, resolveWarningOptions, type Warning, type WarningDetectorState, type WarningOptions } from './stats/warnings.js';
import type { Detrend, LossTransform, NonFinitePolicy } from './types.js';

/** Options of {@link SpectralMonitor}. */
export interface MonitorOptions {
  /** n, the number of probes per row. */
  probes: number;
  /** W, the window length (2 <= W). */
  window: number;
  /** Top eigenvectors per window (0 <= topK <= min(W-1, n)). Default 0. */
  topK?: number;
  /** Default 'none'. */
  detrend?: Detrend;
  /** Default 'none'. */
  transform?: LossTransform;
  /** SHC inverse temperature. Default 1. */
  beta?: number;
  /** NaN/Infinity in a row: 'error' throws (state unchanged) or 'skip-window' accepts it and marks the windows containing it degenerate. Default 'error'. */
  nonFinite?: NonFinitePolicy;
  /** Options of the online SHC warning detector (see detectWarnings), or `false` for none. Default: the detector's defaults. */
  warn?: WarningOptions | false;
}

/** The options a monitor uses (echoed in snapshots). */
export interface ResolvedMonitorOptions {
  probes: number;
  window: number;
  topK: number;
  detrend: Detrend;
  transform: LossTransform;
  beta: number;
  nonFinite: NonFinitePolicy;
  warn: WarningOptions | false;
}

/**
 * One window as the monitor reports it: its observables (every entry of {@link OBSERVABLES}),
 * spectrum and warning, produced by each push once the window is full. With `warn: false` and
 * `topK: 0` the spectral fields are computed when first read (getters of a class): read them,
 * or `JSON.stringify` the window; `{ ...window }` copies only `step`, `index` and `warning`.
 * Such a window can be read at any time later (after more pushes, a snapshot, close()) with
 * the numbers of its own push; until it is read it keeps the block of the monitor's journal
 * its push was written to alive (512 KiB of native memory, more for n < W; shared with the
 * windows around it).
 */
export interface MonitorWindow extends ObservableValues {
  /** Step of the row that completed this window (the row's index when no step was given). */
  step: number;
  /** Window index: 0 for the first full window. */
  index: number;
  /** min(W-1, n) eigenvalues, descending, zero padded. */
  eigenvalues: Float64Array;
  /** topK x n eigenvectors when topK > 0. */
  eigenvectors?: Float32Array;
  degenerate: boolean;
  /** The warning the detector raised on this window's SHC, if any. */
  warning: Warning | null;
}

/** @deprecated Renamed {@link MonitorWindow} ("summary" is a run's summary, {@link RunSummary}). */
export type Summary = MonitorWindow;

/** A row for {@link SpectralMonitor.stream} / {@link SpectralMonitor.process}: the losses alone, or with a step. */
export type MonitorRow = Float32Array | Float64Array | readonly number[] | { losses: Float32Array | Float64Array | readonly number[]; step?: number };

interface SnapshotHeader extends SnapshotCounters {
  options: ResolvedMonitorOptions;
  rows: number;
  windows: number;
  detector: WarningDetectorState | null;
}

/**
 * The window of a push nobody has read yet: its eigensolve runs when one of its spectral fields
 * is first read. The monitor keeps each window's Gram in a journal (native/core/pending_journal.hpp:
 * a push appends the new row's W dot products, the whole Gram only after a reference move), so
 * the window can be rebuilt exactly as it was at its push, after later pushes, a snapshot or
 * close(). Used when no warning detector needs the SHC at every push and topK is 0.
 * Reads like a plain {@link MonitorWindow}; `JSON.stringify` gives the same.
 */
class LazyWindow {
  readonly warning = null;
  #core: NativeMonitor;
  #journal: NativeJournal | null;
  #at: number;
  #solved: NativeWindow | null = null;

  constructor(
    core: NativeMonitor,
    journal: NativeJournal,
    at: number,
    readonly step: number,
    readonly index: number,
  ) {
    this.#core = core;
    this.#journal = journal;
    this.#at = at;
  }

  /** The native result, solved on first use. */
  solved(): NativeWindow {
    if (!this.#solved) {
      try {
        this.#solved = this.#core.solveJournal(this.#journal!, this.#at);
      } catch (err) {
        throw nativeFailure(err);
      }
      this.#journal = null;
    }
    return this.#solved;
  }

  get eigenvalues(): Float64Array {
    return this.solved().eigenvalues;
  }
  get degenerate(): boolean {
    return this.solved().degenerate;
  }

  toJSON(): Omit<MonitorWindow, 'eigenvectors'> {
    const { step, index, warning } = this;
    return { step, index, ...pickObservableValues(this.solved()), eigenvalues: this.eigenvalues, degenerate: this.degenerate, warning };
  }
}
// One getter per observable of the registry, like the plain windows' fields.
for (const name of OBSERVABLE_NAMES) {
  Object.defineProperty(LazyWindow.prototype, name, {
    get(this: LazyWindow) {
      return this.solved()[name];
    },
  });
}

/** The options of {@link SpectralMonitor}. */
export const MONITOR_OPTIONS = defineOptions(
  '',
  {
    probes: { type: 'integer', min: 1, required: true, doc: 'n, the number of probes per row' },
    window: { ...ANALYSIS_FIELDS.window, required: true },
    topK: ANALYSIS_FIELDS.topK,
    detrend: ANALYSIS_FIELDS.detrend,
    transform: ANALYSIS_FIELDS.transform,
    beta: ANALYSIS_FIELDS.beta,
    nonFinite: { ...ANALYSIS_FIELDS.nonFinite, doc: "NaN/inf in a row: 'error' throws (state unchanged), 'skip-window' marks the windows holding it degenerate" },
    warn: {
      type: 'custom',
      typeDoc: 'warning options or false',
      default: (): WarningOptions => ({}),
      doc: "the online SHC warning detector's options, or false for none",
      check: (v: unknown, name: string): WarningOptions | false => {
        if (v === false) return false;
        if (typeof v !== 'object' || v === null) optionError(`${name} must be warning options or false, got ${describeValue(v)}`);
        resolveWarningOptions(v as WarningOptions);
        return v as WarningOptions;
      },
    },
  },
  'SpectralMonitor options must be an object',
);

type _MonitorSchemaMatches = Assert<SameKeys<typeof MONITOR_OPTIONS.fields, MonitorOptions>>;

function resolve(opts: MonitorOptions): ResolvedMonitorOptions {
  const o = resolveOptions(MONITOR_OPTIONS, opts);
  checkAgainstShape(o.window, o.topK, Number.MAX_SAFE_INTEGER, o.probes);
  return o;
}

/**
 * Live 2RDM over the trailing window of the last W checkpoints. Each push costs the new
 * row's W dot products plus a W x W eigensolve (never an n x n matrix when W <= n), and
 * returns the window's {@link MonitorWindow} once the window is full. With `warn: false` and
 * `topK: 0` nothing needs the spectrum at every push: the eigensolve waits until a window's
 * spectral field is read, and a push costs about its dot products (within 3x of them for
 * W <= 64, n >= 1024, docs/benchmarks.md). Emits `'warning'`
 * (warning, window) when the online SHC detector fires. Pushes are synchronous and short;
 * `snapshot()` / `SpectralMonitor.restore()` survive a crash with identical results.
 *
 * @example
 * ```ts
 * import { SpectralMonitor } from 'rdm2';
 * const monitor = new SpectralMonitor({ probes: 512, window: 32, topK: 1 });
 * monitor.on('warning', (w) => console.log(`SHC warning at step ${w.step}`));
 * for (let step = 0; step < 1000; step++) {
 *   const losses = new Float32Array(512).map(() => Math.random()); // your per-probe losses
 *   const s = monitor.push(losses, step);
 *   if (s) console.log(step, s.shc, s.pr);
 * }
 * await fs.promises.writeFile('monitor.snap', monitor.snapshot());
 * ```
 */
export class SpectralMonitor extends EventEmitter {
  /** The options in use. */
  readonly options: ResolvedMonitorOptions;
  private core: NativeMonitor | null;
  private detector: OnlineWarningDetector | null;
  private rows = 0;
  private windows = 0;
  /** Lazy windows (no detector, topK 0): spectra are computed when a window is read. */
  private readonly lazy: boolean;
  /** The journal block lazy pushes append to, its end, and the end beyond which a record may not fit. */
  #journal: NativeJournal | null = null;
  private journalEnd = 0;
  private journalLimit = 0;

  constructor(options: MonitorOptions) {
    super();
    this.options = resolve(options);
    this.detector = this.options.warn === false ? null : new OnlineWarningDetector(this.options.warn);
    const o = this.options;
    this.lazy = this.detector === null && o.topK === 0;
    try {
      this.core = new (native().NativeMonitor)({
        probes: o.probes,
        window: o.window,
        topK: o.topK,
        detrend: o.detrend,
        transform: o.transform,
        beta: o.beta,
        nonFinite: o.nonFinite,
      });
      this.journalLimit = this.core.journalLimit();
    } catch (err) {
      throw codedNativeError(err) ?? err;
    }
  }

  /** Rows pushed so far. */
  get rowsPushed(): number {
    return this.rows;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.core === null;
  }

  private live(): NativeMonitor {
    if (!this.core) throw new Rdm2Error('ERR_RDM2_CLOSED', 'the monitor is closed');
    return this.core;
  }

  /**
   * Validates one row without touching any state; returns it as a typed array and whether it
   * is bad. `scan`: look for losses that cannot be analysed here (pushMany, which must reject a
   * block before pushing any of it); a single push leaves that scan to the native side.
   */
  private checkRow(row: unknown, step: unknown, scan: boolean): { data: Float32Array | Float64Array; bad: boolean } {
    const n = this.options.probes;
    let data: Float32Array | Float64Array;
    if (row instanceof Float32Array || row instanceof Float64Array) data = row;
    else if (Array.isArray(row)) {
      if (!row.every((v) => typeof v === 'number')) throw new Rdm2Error('ERR_RDM2_DTYPE', 'row must hold numbers only');
      data = Float64Array.from(row as number[]);
    } else throw new Rdm2Error('ERR_RDM2_DTYPE', `row must be a Float32Array, Float64Array or number[], got ${row === null ? 'null' : typeof row}`);
    if (data.length !== n) throw new Rdm2Error('ERR_RDM2_SHAPE', `row has ${data.length} values, the monitor has ${n} probes`);
    if (step !== undefined && (typeof step !== 'number' || !Number.isFinite(step))) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `step must be a finite number, got ${showValue(step)}`);
    }
    if (!scan) return { data, bad: false };
    // A tight scan first; the reason is only worked out on a hit.
    const i = firstBadLoss(data, 0, n, this.options.transform);
    if (i >= 0) {
      if (this.options.nonFinite === 'error') this.badRow(data, i);
      return { data, bad: true };
    }
    return { data, bad: false };
  }

  /** The error for a row whose column i cannot be analysed (policy 'error'). */
  private badRow(data: Float32Array | Float64Array, i: number): never {
    throw nonFiniteError('', this.rows, i, badLossReason(data[i]!, this.options.transform)!);
  }

  /**
   * Adds one checkpoint's losses. Returns null until W rows have arrived, then the window ending
   * at this row. A rejected row (wrong length, NaN under 'error', closed
   * monitor) throws and leaves the monitor unchanged.
   */
  push(row: Float32Array | Float64Array | readonly number[], step?: number): MonitorWindow | null {
    const core = this.live();
    const { data } = this.checkRow(row, step, false);
    const lazy = this.lazy;
    let at = this.journalEnd;
    let raw: NativeWindow | number | null;
    try {
      // A window that fills needs room for its record (a new block; windows keep the old one).
      if (lazy && this.rows + 1 >= this.options.window && (this.#journal === null || at > this.journalLimit)) {
        this.#journal = core.newJournal();
        at = this.journalEnd = 0;
      }
      // The native side scans the row as it reads it; under 'error' a bad row is not pushed.
      raw = core.push(data, lazy ? PUSH_LAZY | PUSH_CHECK : PUSH_CHECK);
    } catch (err) {
      throw nativeFailure(err);
    }
    if (typeof raw === 'number' && raw < 0) this.badRow(data, -1 - raw);
    const stepAt = step ?? this.rows;
    this.rows++;
    if (raw === null) return null;
    if (typeof raw === 'number') {
      this.journalEnd = raw;
      return new LazyWindow(core, this.#journal!, at, stepAt, this.windows++) as unknown as MonitorWindow;
    }
    const warning = this.detector ? this.detector.push(raw.shc, stepAt) : null;
    const window: MonitorWindow = {
      step: stepAt,
      index: this.windows++,
      ...pickObservableValues(raw),
      eigenvalues: raw.eigenvalues,
      degenerate: raw.degenerate,
      warning,
    };
    if (raw.eigenvectors) window.eigenvectors = raw.eigenvectors;
    if (warning) this.emit('warning', warning, window);
    return window;
  }

  /**
   * Pushes several rows: `{ data, shape: [k, n] }` (row-major) or `number[][]`, with optional steps.
   * Returns the windows produced, in order (rows that did not complete a window produce none).
   * Every row is validated before any is pushed, so a bad block changes nothing.
   */
  pushMany(
    block: { data: Float32Array | Float64Array; shape: readonly [number, number] } | readonly (Float32Array | Float64Array | readonly number[])[],
    steps?: ArrayLike<number>,
  ): MonitorWindow[] {
    this.live();
    let rows: (Float32Array | Float64Array | readonly number[])[];
    if (Array.isArray(block)) rows = block as (Float32Array | Float64Array | readonly number[])[];
    else {
      const b = block as { data: Float32Array | Float64Array; shape: readonly [number, number] };
      if (!(b.data instanceof Float32Array || b.data instanceof Float64Array)) throw new Rdm2Error('ERR_RDM2_DTYPE', 'block.data must be a Float32Array or Float64Array');
      const [k, n] = b.shape ?? [];
      if (!Number.isInteger(k) || n !== this.options.probes || b.data.length !== k * n) {
        throw new Rdm2Error('ERR_RDM2_SHAPE', `block shape ${showValue(b.shape)} does not match ${b.data.length} values and ${this.options.probes} probes`);
      }
      rows = Array.from({ length: k }, (_, r) => b.data.subarray(r * n, (r + 1) * n));
    }
    if (steps !== undefined && steps.length !== rows.length) throw new Rdm2Error('ERR_RDM2_SHAPE', `steps has ${steps.length} entries for ${rows.length} rows`);
    // Validate all first: with 'error', a bad row anywhere rejects the whole block.
    const saved = this.rows;
    try {
      rows.forEach((r, i) => {
        this.checkRow(r, steps?.[i], true);
        this.rows++;
      });
    } finally {
      this.rows = saved;
    }
    const out: MonitorWindow[] = [];
    rows.forEach((r, i) => {
      const s = this.push(r, steps?.[i]);
      if (s) out.push(s);
    });
    return out;
  }

  /**
   * An object-mode Transform: write rows ({@link MonitorRow}), read windows ({@link MonitorWindow}). Backpressure is
   * the stream's own: a slow reader pauses the writer.
   */
  stream(): Transform {
    return new Transform({
      objectMode: true,
      highWaterMark: 16,
      transform: (chunk: MonitorRow, _enc, done) => {
        try {
          const s = isStepRow(chunk) ? this.push(chunk.losses, chunk.step) : this.push(chunk);
          done(null, s ?? undefined);
        } catch (err) {
          done(err as Error);
        }
      },
    });
  }

  /**
   * Consumes an (async) iterable of rows and yields the windows.
   *
   * @example
   * ```ts
   * for await (const s of monitor.process(rowsFromTraining())) if (s.warning) break;
   * ```
   */
  async *process(rows: AsyncIterable<MonitorRow> | Iterable<MonitorRow>): AsyncGenerator<MonitorWindow> {
    for await (const chunk of rows) {
      const s = isStepRow(chunk) ? this.push(chunk.losses, chunk.step) : this.push(chunk);
      if (s) yield s;
    }
  }

  /** The whole state (options, window, Gram, detector) as versioned, checksummed bytes. */
  snapshot(): Uint8Array {
    const state = this.live().save();
    const header: SnapshotHeader = {
      options: this.options,
      rows: this.rows,
      windows: this.windows,
      detector: this.detector ? this.detector.state() : null,
      count: state.count,
      sinceRebuild: state.sinceRebuild,
      hasReference: state.hasReference,
      scaleExp: state.scaleExp,
      scaleChosen: state.scaleChosen,
      level: state.level,
    };
    return encodeSnapshot(header, state);
  }

  /**
   * Rebuilds a monitor from {@link snapshot} bytes; it continues with identical results.
   * Truncated, corrupted or foreign bytes throw `ERR_RDM2_SNAPSHOT` and nothing is created.
   */
  static restore(bytes: Uint8Array): SpectralMonitor {
    const { header, state } = decodeSnapshot<SnapshotHeader>(bytes, (h) => {
      const o = h?.options;
      if (!o || typeof o !== 'object' || !Number.isInteger(o.window) || !Number.isInteger(o.probes) || o.window < 2 || o.probes < 1) {
        throw new Rdm2Error('ERR_RDM2_SNAPSHOT', 'invalid monitor snapshot: header has no valid window/probes');
      }
      return { window: o.window, probes: o.probes, dual: o.window <= o.probes };
    });
    // The monitor's own counters: every push went to the native state, every full window made one window.
    const W = header.options.window;
    if (header.rows !== state.count) throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `invalid monitor snapshot: rows ${showValue(header.rows)} differs from count ${state.count}`);
    const windows = Math.max(0, state.count - W + 1);
    if (header.windows !== windows) {
      throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `invalid monitor snapshot: windows ${showValue(header.windows)}, a monitor with ${state.count} rows has made ${windows}`);
    }
    let monitor: SpectralMonitor;
    try {
      monitor = new SpectralMonitor(header.options);
      if ((header.detector === null) !== (monitor.detector === null)) throw new Error('the warning detector state does not match the warn option');
      if (header.detector && header.detector.count !== windows) {
        throw new Error(`the warning detector has seen ${showValue(header.detector.count)} values, not one per window (${windows})`);
      }
      monitor.live().load(state);
      if (header.detector) monitor.detector = OnlineWarningDetector.fromState(header.detector);
    } catch (err) {
      if (err instanceof Rdm2Error && (err.code === 'ERR_RDM2_SNAPSHOT' || err.code === 'ERR_RDM2_MEMORY')) throw err;
      const coded = codedNativeError(err);
      if (coded) throw coded;
      throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `invalid monitor snapshot: ${(err as Error).message}`, { cause: err });
    }
    monitor.rows = header.rows;
    monitor.windows = header.windows;
    return monitor;
  }

  /** Frees the native state. Later pushes throw `ERR_RDM2_CLOSED`. */
  close(): void {
    this.core?.close();
    this.core = null;
    this.#journal = null;
  }
}

function isStepRow(x: MonitorRow): x is { losses: Float32Array | Float64Array | readonly number[]; step?: number } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && 'losses' in x;
}
