// rdm2's observables as TensorBoard scalars at the run's training steps, so they show beside the
// user's own training curves: one event per window, in a tfevents file of TFRecords.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { fsError } from '../io/file_error.js';
import type { FileAnalysis } from '../io/analyze_file.js';
import { OBSERVABLE_NAMES, observablesAt, type ObservableName, type ObservableValues } from '../observables.js';
import { detectWarnings, type WarningOptions } from '../stats/warnings.js';
import { fileVersionEvent, scalarEvent } from './event_proto.js';
import { frameRecord } from './tfrecord.js';

/** `topShare` -> `top_share`: TensorBoard tags in the snake case of TensorFlow's. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The tag of each scalar series: `rdm2/<observable>` for every observable of the registry
 * (`rdm2/shc`, `rdm2/pr`, `rdm2/trace`, `rdm2/entropy`, `rdm2/top_share`), and two for warnings.
 */
export const TENSORBOARD_TAGS = {
  ...(Object.fromEntries(OBSERVABLE_NAMES.map((name) => [name, `rdm2/${snakeCase(name)}`])) as Record<ObservableName, string>),
  /** Robust z of the SHC against its trailing baseline (written where it is defined: after warm-up). */
  z: 'rdm2/shc_z',
  /** Number of SHC warnings raised up to and including the window. */
  warnings: 'rdm2/warnings',
};

/** Event file names: TensorBoard reads every file whose name contains `tfevents`. */
export const TENSORBOARD_FILE_NAMES = { analysis: 'events.out.tfevents.rdm2.analysis', watch: 'events.out.tfevents.rdm2.watch' } as const;

/** One window's scalars: every observable, and these. */
export interface ScalarWindow extends ObservableValues {
  /** Training step of the window's last checkpoint (an integer). */
  step: number;
  /** Robust z of the SHC (NaN during warm-up: not written). */
  z: number;
  /** Warnings raised so far, this window included. */
  warnings: number;
}

/** Throws unless `step` can be a TensorBoard step (an int64). */
export function checkTensorboardStep(step: number, what: string): void {
  if (!Number.isSafeInteger(step)) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `TensorBoard steps are integers, but ${what} is at step ${step}: give the run integer steps (meta.json "steps") to write --tensorboard`);
  }
}

/** The framed records of one event per window (`wallTime` in seconds since the epoch). */
export function scalarRecords(windows: readonly ScalarWindow[], wallTime: number): Uint8Array {
  const parts = windows.map((w) => {
    checkTensorboardStep(w.step, `window at step ${w.step}`);
    const values = [
      ...OBSERVABLE_NAMES.map((name) => ({ tag: TENSORBOARD_TAGS[name], value: w[name] })),
      ...(Number.isNaN(w.z) ? [] : [{ tag: TENSORBOARD_TAGS.z, value: w.z }]),
      { tag: TENSORBOARD_TAGS.warnings, value: w.warnings },
    ];
    return frameRecord(scalarEvent(wallTime, w.step, values));
  });
  return concat(parts);
}

/** The file's first record. */
export function headerRecord(wallTime: number): Uint8Array {
  return frameRecord(fileVersionEvent(wallTime));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The scalar windows of an analysed file, with the warnings of `warning` (the run summary's detector). */
export function scalarWindowsOfFile(fa: FileAnalysis, warning: WarningOptions = {}): ScalarWindow[] {
  const a = fa.analysis;
  const gaussian = fa.input.variant === 'gaussian';
  const steps = Float64Array.from({ length: a.windows }, (_, j) => fa.windowSteps?.[j] ?? (gaussian ? j : a.t[j]!));
  const { z, warnings } = detectWarnings(a.shc, warning, steps);
  const fired = new Set(warnings.map((w) => w.index));
  let count = 0;
  return Array.from({ length: a.windows }, (_, j) => {
    if (fired.has(j)) count++;
    return { ...observablesAt(a, j), step: steps[j]!, z: z[j]!, warnings: count };
  });
}

/**
 * Writes an analysed file's SHC, PR, trace, entropy, top share, SHC z-score and warning count as
 * TensorBoard scalars at its training steps, to `<dir>/events.out.tfevents.rdm2.analysis`
 * (atomically, replacing an earlier one: re-analysing a run replaces its curves). Returns the path.
 *
 * @example
 * ```ts
 * const fa = await analyzeFile('runs/seed1/losses.npy', { window: 32 });
 * await writeTensorboardScalars('runs/seed1/tb', fa);   // then: tensorboard --logdir runs
 * ```
 */
export async function writeTensorboardScalars(dir: string, fa: FileAnalysis, warning: WarningOptions = {}): Promise<string> {
  const wallTime = Date.now() / 1000;
  const file = join(dir, TENSORBOARD_FILE_NAMES.analysis);
  await refuseOutputOverInput(file, [fa.input.path, ...Object.values(fa.metaSources)], `--tensorboard ${dir}`);
  await writeFileAtomic(file, concat([headerRecord(wallTime), scalarRecords(scalarWindowsOfFile(fa, warning), wallTime)]));
  return file;
}

/** An event file appended to as windows arrive (the watch's), with its committed length. */
export class EventFileWriter {
  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private bytes: number,
  ) {}

  /**
   * Opens `file`: new (replacing any file there) with its header record, or, with `committed`,
   * an existing one cut back to that many bytes (events of an interrupted commit are rewritten).
   */
  static async open(file: string, committed?: number): Promise<EventFileWriter> {
    let fh: FileHandle;
    try {
      fh = await open(file, committed === undefined ? 'w' : 'r+');
    } catch (err) {
      fsError(file, err);
    }
    try {
      if (committed === undefined) {
        const head = headerRecord(Date.now() / 1000);
        await fh.write(head, 0, head.length, 0);
        return new EventFileWriter(fh, file, head.length);
      }
      const size = (await fh.stat()).size;
      if (size < committed) throw new Rdm2Error('ERR_RDM2_FILE', `${file}: holds ${size} bytes, fewer than the ${committed} the watch state says were written (start over with --restart)`);
      if (size > committed) await fh.truncate(committed);
      return new EventFileWriter(fh, file, committed);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.bytes;
  }

  /** Appends one event per window. */
  async append(windows: readonly ScalarWindow[]): Promise<void> {
    if (windows.length === 0) return;
    const bytes = scalarRecords(windows, Date.now() / 1000);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, this.bytes + done);
      done += bytesWritten;
    }
    this.bytes += bytes.length;
  }

  async sync(): Promise<void> {
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
