// `watch`: follows a loss file while training appends to it, feeds a SpectralMonitor, reports
// warnings as they happen, and keeps a state from which a restarted watch resumes exactly.
import { open, readdir, stat, unlink, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rdm2Error, usageError } from '../errors.js';
import { sha256File, type FileAnalysis } from '../io/analyze_file.js';
import { fileError } from '../io/file_error.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { findSidecar, metaFromFileSteps, readMetaJson, type LossMeta } from '../io/meta.js';
import { resolveRunMeta } from '../io/read_loss_file.js';
import { summarizeFile } from '../io/file_summary.js';
import { SpectralMonitor, type MonitorWindow } from '../monitor.js';
import { OBSERVABLE_NAMES, allocateObservableColumns, observablesAt, pickObservableValues } from '../observables.js';
import { resolveAnalyzeOptions } from '../options.js';
import { optionError, resolveOptions } from '../option_schema.js';
import { blockEnergy } from '../stats/block_energy.js';
import type { RunSummary } from '../stats/summarize.js';
import { OnlineWarningDetector, resolveWarningOptions, type Warning } from '../stats/warnings.js';
import { EventFileWriter, TENSORBOARD_FILE_NAMES, type ScalarWindow } from '../tensorboard/scalars.js';
import type { Analysis } from '../types.js';
import { followFormatOf, openFollower, type FollowBatch, type RowFollower } from './follower.js';
import { WindowLog, type WindowColumns, type WindowRecord } from './window_log.js';
import { NEW_WATCH_DEFAULTS, WATCH_OPTIONS, type WatchOptions } from './watch_options.js';

export type { WatchOptions } from './watch_options.js';
import { readWatchState, writeWatchState, type WatchAnalysisOptions, type WatchState, type WatchStateHeader, type WatchWarning } from './watch_state.js';

/** Where a watch stands (for status lines). */
export interface WatchProgress {
  phase: 'waiting' | 'following' | 'ended' | 'stopped' | 'idle';
  /** The loss file (undefined while waiting for one to appear in a run directory). */
  file: string | undefined;
  rows: number;
  windows: number;
  warnings: number;
  /** Step of the last row read (NaN before any). */
  lastStep: number;
  /** Bytes the producer has written that are not analysed yet (a partial last row included). */
  lagBytes: number;
  /** Whole rows written but not yet analysed (`.rows` files; undefined for JSONL). */
  lagRows: number | undefined;
  /** Milliseconds since the file last grew. */
  idleMs: number;
}

/** What a watch shows while it runs (the live page's data). */
export interface LiveWatch {
  file: string;
  probes: number;
  rows: number;
  windows: number;
  ended: boolean;
  options: WatchAnalysisOptions;
  /** The analysis of the windows so far (null before the first window). */
  analysis(): Analysis | null;
  /** Step of every row read so far. */
  steps(): Float64Array;
  /** Every row read so far (only with `keepLosses`). */
  losses(): { data: Float32Array | Float64Array; shape: [number, number] } | undefined;
  groups: string[] | undefined;
  transition: number | undefined;
  warnings: readonly WatchWarning[];
}

/** What {@link watch} returns. */
export interface WatchResult {
  /** 'ended': the producer's end marker was read; 'stopped': aborted; 'idle': the idle timeout ran out. */
  status: 'ended' | 'stopped' | 'idle';
  file: string;
  /** The state directory. */
  state: string;
  /** True when this watch continued a saved state. */
  resumed: boolean;
  rows: number;
  windows: number;
  warnings: WatchWarning[];
  /** The result as `analyzeFile` + `summarizeFile` give it (when at least one window was analysed). */
  result?: FileAnalysis & { summary: RunSummary };
}

/** File names inside the state directory. */
export const WATCH_STATE_FILES = { state: 'state.bin', windows: 'windows.bin', lock: 'lock' } as const;

/** Probes named in a warning without groups. */
const TOP_PROBES = 5;

function stopped(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch {
    /* aborted: the loop sees it */
  }
}

const FOLLOWED = ['.rows', '.jsonl', '.ndjson'];

/**
 * The loss file a watch follows: `target` itself, or the one `.rows` / `.jsonl` / `.ndjson` file
 * in a run directory. Waits (polling) while the file or directory entry does not exist yet.
 */
async function findStream(target: string, opts: WatchOptions, progress: (p: Partial<WatchProgress>) => void): Promise<string | undefined> {
  const pollMs = opts.pollMs!;
  for (;;) {
    if (stopped(opts.signal)) return undefined;
    let isDir = false;
    try {
      isDir = (await stat(target)).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Rdm2Error('ERR_RDM2_FILE', `${target}: cannot read: ${(err as Error).message}`, { cause: err });
      try {
        if (!(await stat(dirname(target))).isDirectory()) usageError(`${dirname(target)} is not a directory`);
      } catch (e) {
        if (e instanceof Rdm2Error) throw e;
        usageError(`${target}: neither it nor its directory ${dirname(target)} exists`);
      }
      followFormatOf(target); // a wrong extension is an error now, not after waiting
      progress({ phase: 'waiting' });
      await pause(pollMs, opts.signal);
      continue;
    }
    if (!isDir) {
      followFormatOf(target);
      return target;
    }
    const entries = await readdir(target, { withFileTypes: true });
    const streams = entries.filter((e) => e.isFile() && FOLLOWED.includes(extname(e.name).toLowerCase())).map((e) => e.name).sort();
    if (streams.length === 1) return join(target, streams[0]!);
    if (streams.length > 1) usageError(`${target} holds several loss streams (${streams.join(', ')}): name the one to watch`);
    progress({ phase: 'waiting' });
    await pause(pollMs, opts.signal);
  }
}

/** State directories this process holds the lock of (a lock file names a pid, shared by every watch here). */
const held = new Set<string>();

/** Takes the state directory's lock; a lock left by a process that is gone is taken over. */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, WATCH_STATE_FILES.lock);
  const key = resolve(dir);
  if (held.has(key)) throw new Rdm2Error('ERR_RDM2_FILE', `${dir}: another watch (pid ${process.pid}) is using this state; stop it first or use another --state`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      held.add(key);
      return async () => {
        held.delete(key);
        await unlink(file).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Rdm2Error('ERR_RDM2_FILE', `${file}: cannot create the lock: ${(err as Error).message}`, { cause: err });
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (alive) throw new Rdm2Error('ERR_RDM2_FILE', `${dir}: another watch (pid ${pid}) is using this state; stop it first or use another --state`);
      await unlink(file).catch(() => {});
    }
  }
  throw new Rdm2Error('ERR_RDM2_FILE', `${file}: cannot take the lock`);
}

/** The analysis options: the requested ones, checked against a saved state's. */
function analysisOptions(opts: WatchOptions, saved: WatchAnalysisOptions | undefined, probes: number): WatchAnalysisOptions {
  const requested = {
    window: opts.window,
    topK: opts.topK,
    detrend: opts.detrend,
    transform: opts.transform,
    beta: opts.beta,
    nonFinite: opts.nonFinite,
  };
  const warning = opts.warning === undefined ? undefined : resolveWarningOptions(opts.warning);
  if (saved) {
    for (const [key, value] of Object.entries(requested)) {
      const have = saved[key as keyof typeof requested];
      if (value !== undefined && value !== have) {
        usageError(`${key} = ${JSON.stringify(value)}, but the saved watch state was made with ${key} = ${JSON.stringify(have)}: use the same options to resume, or --restart to start over`);
      }
    }
    if (warning) {
      for (const key of ['baseline', 'z', 'consecutive', 'direction'] as const) {
        if (opts.warning![key] !== undefined && warning[key] !== saved.warning[key]) {
          usageError(`warning ${key} = ${JSON.stringify(warning[key])}, but the saved watch state was made with ${JSON.stringify(saved.warning[key])}: use the same options to resume, or --restart to start over`);
        }
      }
    }
    return saved;
  }
  if (requested.window === undefined) optionError('window is required to start a watch (an integer >= 2)');
  const d = NEW_WATCH_DEFAULTS;
  const out: WatchAnalysisOptions = {
    window: requested.window,
    topK: requested.topK ?? d.topK,
    detrend: requested.detrend ?? d.detrend,
    transform: requested.transform ?? d.transform,
    beta: requested.beta ?? d.beta,
    nonFinite: requested.nonFinite ?? d.nonFinite,
    warning: warning ?? resolveWarningOptions({}),
  };
  // The monitor validates the rest (ranges, topK against min(W - 1, n)).
  new SpectralMonitor({ probes, window: out.window, topK: out.topK, detrend: out.detrend, transform: out.transform, beta: out.beta, nonFinite: out.nonFinite, warn: false }).close();
  return out;
}

/**
 * The run's groups and transition while following: overrides first, else the sidecar meta.json
 * (its steps, if any, are checked against the rows only at the end).
 */
async function runMeta(file: string, opts: WatchOptions, probes: number): Promise<{ groups?: string[]; transition?: number }> {
  let sidecar: LossMeta = {};
  let where = file;
  if (opts.sidecar ?? true) {
    const path = await findSidecar(file);
    if (path) {
      sidecar = (await readMetaJson(path)).meta;
      where = path;
    }
  }
  const groups = opts.groups ?? sidecar.groups;
  if (groups && groups.length !== probes) fileError(opts.groups ? '--groups' : where, 'groups', `${groups.length} labels, expected ${probes} (one per probe of ${file})`);
  const transition = opts.transition ?? sidecar.transition;
  return { ...(groups ? { groups } : {}), ...(transition !== undefined ? { transition } : {}) };
}

/** The warning as reported: where, how strong, and which probes carry the top eigenvector. */
function describeWarning(w: Warning, s: MonitorWindow, checkpoint: number, window: number, startWindow: number, groups: string[] | undefined, probes: number): WatchWarning {
  let groupEnergy: WatchWarning['groups'] = null;
  let topProbes: WatchWarning['topProbes'] = null;
  if (s.eigenvectors) {
    const v = s.eigenvectors.subarray(0, probes);
    if (groups) {
      const be = blockEnergy(v, groups);
      groupEnergy = be.labels.map((label, g) => ({ group: String(label), energy: be.energy[g]! })).sort((a, b) => b.energy - a.energy);
    }
    let norm = 0;
    for (let i = 0; i < probes; i++) norm += v[i]! * v[i]!;
    const order = Array.from({ length: probes }, (_, i) => i).sort((a, b) => v[b]! * v[b]! - v[a]! * v[a]! || a - b);
    topProbes = order.slice(0, Math.min(TOP_PROBES, probes)).map((i) => ({ probe: i, weight: norm > 0 ? (v[i]! * v[i]!) / norm : NaN }));
  }
  return { window, checkpoint, step: w.step, z: w.z, shc: w.value, startWindow, startStep: w.startStep, groups: groupEnergy, topProbes };
}

/** Rows kept for the live page. */
class LossStore {
  private data: Float32Array | Float64Array;
  rows = 0;
  constructor(
    private readonly n: number,
    private readonly dtype: 'float32' | 'float64',
  ) {
    this.data = dtype === 'float32' ? new Float32Array(64 * n) : new Float64Array(64 * n);
  }
  append(block: Float32Array | Float64Array, rows: number): void {
    const need = (this.rows + rows) * this.n;
    if (need > this.data.length) {
      let cap = this.data.length;
      while (cap < need) cap *= 2;
      const grown = this.dtype === 'float32' ? new Float32Array(cap) : new Float64Array(cap);
      grown.set(this.data.subarray(0, this.rows * this.n));
      this.data = grown;
    }
    this.data.set(block.subarray(0, rows * this.n), this.rows * this.n);
    this.rows += rows;
  }
  view(): { data: Float32Array | Float64Array; shape: [number, number] } {
    return { data: this.data.subarray(0, this.rows * this.n), shape: [this.rows, this.n] };
  }
}

/** The Analysis of the logged windows, as `analyze` returns it for the same rows. */
function analysisOf(c: WindowColumns, rows: number, probes: number, o: WatchAnalysisOptions): Analysis {
  const m = Math.min(o.window - 1, probes);
  const options = resolveAnalyzeOptions({ window: o.window, stride: 1, topK: o.topK, detrend: o.detrend, transform: o.transform, beta: o.beta, nonFinite: o.nonFinite }, rows, probes);
  const observables = allocateObservableColumns(0);
  for (const name of OBSERVABLE_NAMES) observables[name] = c[name].slice();
  const a: Analysis = {
    ...observables,
    t: c.t.slice(),
    eigenvalues: c.eigenvalues.slice(),
    degenerate: c.degenerate.slice(),
    windows: c.windows,
    eigenCount: m,
    rows,
    probes,
    options,
  };
  if (o.topK > 0) a.eigenvectors = c.eigenvectors.slice();
  return a;
}

/**
 * Follows a loss file while its producer appends to it (a `.rows` row stream or JSON Lines, see
 * docs/row-stream.md) and analyses every window as it completes, with a {@link SpectralMonitor}.
 * Only whole records / newline-terminated lines are read: a half-written last row never is.
 * Warnings go to `onWarning` as they happen (step, z, the groups carrying the top eigenvector).
 * The watch ends on the producer's end marker (status 'ended', with the same result
 * `analyzeFile` + `summarizeFile` give for the finished file), when `signal` aborts ('stopped'),
 * or after `idleTimeoutMs` without growth ('idle').
 *
 * After every batch the monitor's snapshot, the read position and the analysed windows are
 * committed to the state directory (atomic writes); a watch started again on the same file and
 * state resumes there: no row is analysed twice or skipped, and it ends with the same results.
 *
 * @param target the loss file, or a run directory holding exactly one `.rows` / `.jsonl` file
 *   (waited for when it does not exist yet).
 *
 * @example
 * ```ts
 * import { watch } from 'rdm2';
 * const ac = new AbortController();
 * process.on('SIGINT', () => ac.abort());
 * const r = await watch('runs/seed1', {
 *   window: 32, signal: ac.signal,
 *   onWarning: (w) => console.log(`warning at step ${w.step}: z = ${w.z}`, w.groups),
 * });
 * if (r.status === 'ended') console.log(r.result!.summary.shcPeak);
 * ```
 */
export async function watch(target: string, options: WatchOptions = {}): Promise<WatchResult> {
  if (typeof target !== 'string' || target === '') optionError('watch needs the path of a loss file or run directory');
  const resolved = resolveOptions(WATCH_OPTIONS, options);
  // Absent analysis options stay absent (a resumed watch takes its state's); the rest are defaulted.
  const opts: WatchOptions = Object.fromEntries(Object.entries(resolved).filter(([, v]) => v !== undefined));
  const { pollMs, batchBytes } = resolved;

  const progressBase: WatchProgress = { phase: 'waiting', file: undefined, rows: 0, windows: 0, warnings: 0, lastStep: NaN, lagBytes: 0, lagRows: undefined, idleMs: 0 };
  const report = (p: Partial<WatchProgress>) => opts.onProgress?.({ ...progressBase, ...p });

  const found = await findStream(target, opts, report);
  if (found === undefined) return { status: 'stopped', file: target, state: opts.state ?? `${target}.watch`, resumed: false, rows: 0, windows: 0, warnings: [] };
  const file = found;
  const stateDir = opts.state ?? join(dirname(file), `${basename(file)}.watch`);
  const statePath = join(stateDir, WATCH_STATE_FILES.state);
  if (resolve(stateDir) === resolve(file) || resolve(statePath) === resolve(file)) usageError(`--state ${stateDir} is the loss file itself`);
  try {
    await mkdir(stateDir, { recursive: true });
  } catch (err) {
    throw new Rdm2Error('ERR_RDM2_FILE', `${stateDir}: cannot create the state directory: ${(err as Error).message}`, { cause: err });
  }
  // The watch writes its state, its window log and TensorBoard's file: none may be what it reads.
  const inputs = [file, await findSidecar(file)];
  for (const name of Object.values(WATCH_STATE_FILES)) await refuseOutputOverInput(join(stateDir, name), inputs, `--state ${stateDir} (${name})`);
  if (opts.tensorboard !== undefined) await refuseOutputOverInput(join(opts.tensorboard, TENSORBOARD_FILE_NAMES.watch), inputs, `--tensorboard ${opts.tensorboard}`);
  const unlock = await lock(stateDir);
  try {
    return await follow(file, stateDir, statePath, opts, pollMs, batchBytes, report);
  } finally {
    await unlock();
  }
}

async function follow(
  file: string,
  stateDir: string,
  statePath: string,
  opts: WatchOptions,
  pollMs: number,
  batchBytes: number,
  report: (p: Partial<WatchProgress>) => void,
): Promise<WatchResult> {
  const saved = opts.restart ? undefined : await readWatchState(statePath);
  if (saved && resolve(saved.header.source.path) !== resolve(file)) {
    usageError(`the state in ${stateDir} belongs to ${saved.header.source.path}, not ${file}: use another --state, or --restart`);
  }
  // Open the file (waiting for its header / first row).
  let lastGrowth = Date.now();
  let follower = await openFollower(file, saved?.header.position);
  for (; !follower; follower = await openFollower(file, saved?.header.position)) {
    if (stopped(opts.signal)) return { status: 'stopped', file, state: stateDir, resumed: false, rows: 0, windows: 0, warnings: [] };
    if (opts.idleTimeoutMs !== undefined && Date.now() - lastGrowth > opts.idleTimeoutMs) {
      return { status: 'idle', file, state: stateDir, resumed: false, rows: 0, windows: 0, warnings: [] };
    }
    report({ phase: 'waiting', file, idleMs: Date.now() - lastGrowth });
    await pause(pollMs, opts.signal);
  }
  const f = follower;
  let log: WindowLog | undefined;
  let tb: EventFileWriter | undefined;
  let monitor: SpectralMonitor | undefined;
  try {
    const n = f.probes;
    if (saved && (saved.header.source.probes !== n || saved.header.source.format !== f.format)) {
      usageError(`the state in ${stateDir} is for ${saved.header.source.probes} probes (${saved.header.source.format}); ${file} has ${n} (${f.format}): use --restart`);
    }
    const options = analysisOptions(opts, saved?.header.options, n);
    const m = Math.min(options.window - 1, n);
    const layout = { eigenCount: m, topK: options.topK, probes: n };
    const meta = await runMeta(file, opts, n);
    let header: WatchStateHeader;
    let detector: OnlineWarningDetector;
    if (saved) {
      header = saved.header;
      monitor = SpectralMonitor.restore(saved.snapshot);
      const o = monitor.options;
      if (o.probes !== n || o.window !== options.window || o.topK !== options.topK || o.detrend !== options.detrend || o.transform !== options.transform || o.beta !== options.beta) {
        throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `${statePath}: the monitor snapshot does not match the state's options (start over with --restart)`);
      }
      try {
        detector = OnlineWarningDetector.fromState(header.detector);
      } catch (err) {
        throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `${statePath}: ${(err as Error).message} (start over with --restart)`, { cause: err });
      }
      if (monitor.rowsPushed !== header.position.rows) throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `${statePath}: the snapshot holds ${monitor.rowsPushed} rows, the position ${header.position.rows}`);
      log = await WindowLog.open(join(stateDir, WATCH_STATE_FILES.windows), layout, header.windowLogBytes);
      if (log.windows !== header.windows) throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `${statePath}: ${header.windows} windows committed, the log holds ${log.windows}`);
    } else {
      monitor = new SpectralMonitor({ probes: n, window: options.window, topK: options.topK, detrend: options.detrend, transform: options.transform, beta: options.beta, nonFinite: options.nonFinite, warn: false });
      detector = new OnlineWarningDetector(options.warning);
      log = await WindowLog.open(join(stateDir, WATCH_STATE_FILES.windows), layout);
      header = {
        version: 1,
        source: { path: resolve(file), format: f.format, probes: n, dtype: f.dtype },
        position: f.position(),
        options,
        windows: 0,
        windowLogBytes: log.length,
        leadSteps: [],
        tensorboard: null,
        detector: detector.state(),
        warnings: [],
        finished: false,
      };
    }
    if (opts.tensorboard !== undefined) {
      const tbFile = join(opts.tensorboard, TENSORBOARD_FILE_NAMES.watch);
      await mkdir(opts.tensorboard, { recursive: true }).catch((err) => {
        throw new Rdm2Error('ERR_RDM2_FILE', `${opts.tensorboard}: cannot create: ${(err as Error).message}`, { cause: err });
      });
      const same = header.tensorboard && resolve(header.tensorboard.file) === resolve(tbFile);
      if (same) tb = await EventFileWriter.open(tbFile, header.tensorboard!.bytes);
      else {
        // A TensorBoard directory added on resume gets the windows so far first.
        tb = await EventFileWriter.open(tbFile);
        await tb.append(scalarWindows(log.columns(), 0, header.windows, replayWarnings(header)));
        await tb.sync();
      }
      header.tensorboard = { file: resolve(tbFile), bytes: tb.length };
    } else {
      header.tensorboard = null;
    }
    const store = opts.keepLosses ? new LossStore(n, f.dtype) : undefined;
    if (store && header.position.rows > 0) await refill(file, store, header.position.rows);

    const commit = async () => {
      header.position = f.position();
      header.windows = log!.windows;
      header.windowLogBytes = log!.length;
      if (tb) header.tensorboard = { file: header.tensorboard!.file, bytes: tb.length };
      header.detector = detector.state();
      const state: WatchState = { header, snapshot: monitor!.snapshot() };
      await writeWatchState(statePath, state);
    };
    if (!saved) await commit();

    const live: LiveWatch = {
      file,
      probes: n,
      get rows() {
        return header.position.rows;
      },
      get windows() {
        return log!.windows;
      },
      ended: header.finished,
      options,
      analysis: () => (log!.windows > 0 ? analysisOf(log!.columns(), header.position.rows, n, options) : null),
      steps: () => allSteps(header, log!.columns()),
      losses: () => store?.view(),
      groups: meta.groups,
      transition: meta.transition,
      warnings: header.warnings,
    };
    opts.onUpdate?.(live);

    const status = (phase: WatchProgress['phase']) => {
      const p = header.position;
      const lag = Math.max(0, f.size - p.byte);
      report({
        phase,
        file,
        rows: p.rows,
        windows: log!.windows,
        warnings: header.warnings.length,
        lastStep: p.rows > 0 ? p.lastStep : NaN,
        lagBytes: lag,
        lagRows: f.format === 'rows' ? Math.floor(lag / (8 + n * (f.dtype === 'float32' ? 4 : 8))) : undefined,
        idleMs: Date.now() - lastGrowth,
      });
    };

    let outcome: WatchResult['status'] | undefined = header.finished ? 'ended' : undefined;
    let lastSize = -1;
    while (outcome === undefined) {
      if (stopped(opts.signal)) {
        outcome = 'stopped';
        break;
      }
      const batch = await f.poll(batchBytes);
      if (f.size !== lastSize) {
        lastSize = f.size;
        lastGrowth = Date.now();
      }
      if (batch.rows > 0) {
        await analyseBatch(batch, { file, n, options, monitor, detector, log, tb, header, meta, onWarning: opts.onWarning, store });
        await commit();
        opts.onUpdate?.(live);
      }
      if (batch.ended) {
        outcome = 'ended';
        break;
      }
      status('following');
      if (batch.rows === 0) {
        if (opts.idleTimeoutMs !== undefined && Date.now() - lastGrowth > opts.idleTimeoutMs) {
          outcome = 'idle';
          break;
        }
        await pause(pollMs, opts.signal);
      }
    }
    if (outcome === 'ended' && !header.finished) {
      header.finished = true;
      await commit();
    }
    live.ended = outcome === 'ended';
    opts.onUpdate?.(live);
    status(outcome);
    const rows = header.position.rows;
    const out: WatchResult = { status: outcome, file, state: stateDir, resumed: saved !== undefined, rows, windows: log.windows, warnings: header.warnings };
    if (outcome === 'ended') {
      if (log.windows === 0) optionError(`window (${options.window}) is longer than the number of checkpoints T = ${rows}: ${file} ended before the first window`);
      out.result = await finalResult(file, f, header, log.columns(), options, opts);
    }
    return out;
  } finally {
    monitor?.close();
    await tb?.close();
    await log?.close();
    await f.close();
  }
}

interface BatchContext {
  file: string;
  n: number;
  options: WatchAnalysisOptions;
  monitor: SpectralMonitor;
  detector: OnlineWarningDetector;
  log: WindowLog;
  tb: EventFileWriter | undefined;
  header: WatchStateHeader;
  meta: { groups?: string[]; transition?: number };
  onWarning: WatchOptions['onWarning'];
  store: LossStore | undefined;
}

/** Pushes a batch through the monitor; appends its windows to the log and TensorBoard; reports its warnings. */
async function analyseBatch(batch: FollowBatch, c: BatchContext): Promise<void> {
  const { n, monitor, detector, header } = c;
  const records: WindowRecord[] = [];
  const fresh: WatchWarning[] = [];
  const firstRow = header.position.rows;
  for (let r = 0; r < batch.rows; r++) {
    const row = batch.data.subarray(r * n, (r + 1) * n);
    const step = batch.steps[r]!;
    let s: MonitorWindow | null;
    try {
      s = monitor.push(row, step);
    } catch (err) {
      if (err instanceof Rdm2Error && err.code === 'ERR_RDM2_NON_FINITE') {
        throw new Rdm2Error('ERR_RDM2_NON_FINITE', `${c.file}: ${batch.position(r)}: ${err.message.replace(/^row \d+, /, '').replace("nonFinite: 'skip-window'", "--non-finite skip-window")}`, { cause: err });
      }
      throw err;
    }
    if (!s) {
      header.leadSteps.push(step);
      continue;
    }
    const window = c.log.windows + records.length;
    const checkpoint = firstRow + r;
    const w = detector.push(s.shc, s.step);
    records.push({ ...s, checkpoint, z: detector.lastZ });
    if (w) {
      const startWindow = window - (w.index - w.startIndex);
      fresh.push(describeWarning(w, s, checkpoint, window, startWindow, c.meta.groups, n));
    }
  }
  const before = c.log.windows;
  const warningsBefore = header.warnings.length;
  await c.log.append(records);
  if (c.tb) {
    const fired = new Set(fresh.map((w) => w.window));
    let count = warningsBefore;
    const windows: ScalarWindow[] = records.map((rec, q) => {
      if (fired.has(before + q)) count++;
      return { ...pickObservableValues(rec), step: rec.step, z: rec.z, warnings: count };
    });
    await c.tb.append(windows);
    await c.tb.sync();
  }
  await c.log.sync();
  c.store?.append(batch.data, batch.rows);
  for (const w of fresh) {
    header.warnings.push(w);
    await c.onWarning?.(w);
  }
}

/** Warning windows from the state (for a TensorBoard file started on resume). */
function replayWarnings(h: WatchStateHeader): Set<number> {
  return new Set(h.warnings.map((w) => w.window));
}

function scalarWindows(c: WindowColumns, from: number, to: number, fired: Set<number>): ScalarWindow[] {
  let count = 0;
  const out: ScalarWindow[] = [];
  for (let j = 0; j < to; j++) {
    if (fired.has(j)) count++;
    if (j < from) continue;
    out.push({ ...observablesAt(c, j), step: c.step[j]!, z: c.z[j]!, warnings: count });
  }
  return out;
}

function allSteps(h: WatchStateHeader, c: WindowColumns): Float64Array {
  const out = new Float64Array(h.leadSteps.length + c.windows);
  out.set(h.leadSteps);
  out.set(c.step, h.leadSteps.length);
  return out;
}

/** Re-reads the first `rows` rows of the file (a resumed watch that keeps losses). */
async function refill(file: string, store: LossStore, rows: number): Promise<void> {
  const f = await openFollower(file);
  if (!f) fileError(file, '', 'holds no rows, but the watch state says some were read (start over with --restart)');
  try {
    while (store.rows < rows) {
      const b = await f.poll(16 * 2 ** 20);
      if (b.rows === 0) fileError(file, '', `holds fewer rows than the ${rows} the watch state says were read`);
      store.append(b.data, Math.min(b.rows, rows - store.rows));
    }
  } finally {
    await f.close();
  }
}

/** The finished run's result, built like analyzeFile's (and summarised like `rdm2 analyze`). */
async function finalResult(
  file: string,
  f: RowFollower,
  header: WatchStateHeader,
  c: WindowColumns,
  options: WatchAnalysisOptions,
  opts: WatchOptions,
): Promise<FileAnalysis & { summary: RunSummary }> {
  const rows = header.position.rows;
  const n = f.probes;
  const analysis = analysisOf(c, rows, n, options);
  const fileSteps = f.hasSteps ? allSteps(header, c) : undefined;
  const { meta, sources } = await resolveRunMeta(file, [metaFromFileSteps(fileSteps, file)], rows, n, { sidecar: opts.sidecar ?? true });
  if (opts.groups) {
    meta.groups = opts.groups;
    sources.groups = '--groups';
  }
  if (opts.transition !== undefined) {
    meta.transition = opts.transition;
    sources.transition = '--transition';
  }
  const bytes = (await stat(file)).size;
  const fa: FileAnalysis = {
    analysis,
    input: {
      path: file,
      format: f.format,
      ...((opts.checksum ?? true) ? { sha256: await sha256File(file) } : {}),
      bytes,
      shape: [rows, n],
      dtype: f.dtype,
      variant: 'sliding',
    },
    meta,
    metaSources: sources,
  };
  if (meta.steps) {
    const steps = meta.steps;
    fa.windowSteps = Float64Array.from(analysis.t, (t) => steps[t]!);
  }
  const summary = summarizeFile(fa, { warning: options.warning });
  return { ...fa, summary };
}
