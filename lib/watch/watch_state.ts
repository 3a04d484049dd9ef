// The state file of a watch: where it stands in the loss file, the monitor's snapshot, and how
// much of its window log and TensorBoard file is committed. Written atomically after every batch:
//   "RDM2WSTA" | u32 version | u32 JSON length | JSON (UTF-8) | pad to 8 | monitor snapshot | u32 CRC-32
// Little-endian; the CRC covers every byte before it.
import { readFile, stat } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import type { ResolvedWarningOptions, WarningDetectorState } from '../stats/warnings.js';
import type { Detrend, LossTransform, NonFinitePolicy } from '../types.js';
import type { FollowFormat, FollowPosition } from './follower.js';

const MAGIC = 'RDM2WSTA';
/** The state format version this build writes and reads. */
export const WATCH_STATE_VERSION = 1;
/** A state file larger than this is refused unread (the snapshot is O(W n); 4 GiB is far past any). */
const MAX_STATE_BYTES = 4 * 2 ** 30;

/** The analysis a watch runs (fixed for its lifetime: a resumed watch must use the same). */
export interface WatchAnalysisOptions {
  window: number;
  topK: number;
  detrend: Detrend;
  transform: LossTransform;
  beta: number;
  nonFinite: NonFinitePolicy;
  warning: ResolvedWarningOptions;
}

/** A warning as the watch reports it (stdout, `--on-warning`, the state). */
export interface WatchWarning {
  /** Window index (0 = the first full window). */
  window: number;
  /** Index of the window's last checkpoint (row of the loss file). */
  checkpoint: number;
  /** Training step of that checkpoint. */
  step: number;
  /** Robust z of the SHC there, and the SHC itself. */
  z: number;
  shc: number;
  /** First window of the run of exceedances that raised it, and its step. */
  startWindow: number;
  startStep: number;
  /** Block energy of the top eigenvector per group, largest first (needs groups and topK >= 1). */
  groups: { group: string; energy: number }[] | null;
  /** The probes with the largest weight v_i^2 in the top eigenvector, largest first (needs topK >= 1). */
  topProbes: { probe: number; weight: number }[] | null;
}

/** Everything in a state file besides the snapshot. */
export interface WatchStateHeader {
  version: number;
  /** The loss file, as resolved when the watch started. */
  source: { path: string; format: FollowFormat; probes: number; dtype: 'float32' | 'float64' };
  position: FollowPosition;
  options: WatchAnalysisOptions;
  /** Windows committed, and the window log's committed length in bytes. */
  windows: number;
  windowLogBytes: number;
  /** Steps of the rows before the first full window (the windows carry the rest). */
  leadSteps: number[];
  /** The TensorBoard event file and its committed length, when one is written. */
  tensorboard: { file: string; bytes: number } | null;
  /** The SHC warning detector (its baseline and the run of exceedances in progress). */
  detector: WarningDetectorState;
  warnings: WatchWarning[];
  /** True once the producer's end marker was read and the final result written. */
  finished: boolean;
}

/** A decoded state file. */
export interface WatchState {
  header: WatchStateHeader;
  snapshot: Uint8Array;
}

const align8 = (x: number) => (x + 7) & ~7;

function fail(file: string, message: string): never {
  throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `${file}: invalid watch state: ${message} (start over with --restart)`);
}

/** The bytes of a state file. */
export function encodeWatchState(state: WatchState): Uint8Array {
  // JSON has no NaN or Infinity (a warning's z can be infinite): they are stored as { "$number": "Infinity" }.
  const json = new TextEncoder().encode(JSON.stringify(state.header, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v)));
  const snapAt = align8(16 + json.length);
  const end = snapAt + state.snapshot.length;
  const out = new Uint8Array(end + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, WATCH_STATE_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(state.snapshot, snapAt);
  view.setUint32(end, crc32(out.subarray(0, end)), true);
  return out;
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** Parses a state file's bytes; checks magic, version, checksum and the header's shape. */
export function decodeWatchState(bytes: Uint8Array, file: string): WatchState {
  if (bytes.length < 20) fail(file, `only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) !== MAGIC) fail(file, 'wrong magic bytes (not an rdm2 watch state)');
  const version = view.getUint32(8, true);
  if (version !== WATCH_STATE_VERSION) fail(file, `format version ${version}, this build reads version ${WATCH_STATE_VERSION}`);
  const end = bytes.length - 4;
  if (crc32(bytes.subarray(0, end)) !== view.getUint32(end, true)) fail(file, 'checksum mismatch (truncated or corrupted)');
  const jsonLength = view.getUint32(12, true);
  if (16 + jsonLength > end) fail(file, 'header runs past the end');
  let header: WatchStateHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLength)), (_k, v: unknown) => {
      const boxed = typeof v === 'object' && v !== null ? (v as { $number?: unknown }).$number : undefined;
      return typeof boxed === 'string' && NON_FINITE.has(boxed) && Object.keys(v as object).length === 1 ? Number(boxed) : v;
    }) as WatchStateHeader;
  } catch {
    fail(file, 'header is not valid JSON');
  }
  checkHeader(header, file);
  const snapAt = align8(16 + jsonLength);
  if (snapAt > end) fail(file, 'no monitor snapshot');
  return { header, snapshot: bytes.slice(snapAt, end) };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkHeader(h: WatchStateHeader, file: string): void {
  if (typeof h !== 'object' || h === null) fail(file, 'header is not an object');
  const s = h.source;
  if (typeof s !== 'object' || s === null || typeof s.path !== 'string' || (s.format !== 'rows' && s.format !== 'jsonl') || !isCount(s.probes) || s.probes < 1) {
    fail(file, 'source must name the loss file, its format and probe count');
  }
  const p = h.position;
  if (typeof p !== 'object' || p === null || !isCount(p.byte) || !isCount(p.rows) || !isCount(p.lines) || typeof p.lastStep !== 'number' || typeof p.headHash !== 'string' || typeof p.tailHash !== 'string') {
    fail(file, 'position must hold byte, rows, lines, lastStep and the two hashes');
  }
  const o = h.options;
  if (typeof o !== 'object' || o === null || !isCount(o.window) || !isCount(o.topK) || typeof o.warning !== 'object' || o.warning === null) fail(file, 'options are incomplete');
  if (!isCount(h.windows) || !isCount(h.windowLogBytes)) fail(file, 'windows and windowLogBytes must be counts');
  if (!Array.isArray(h.leadSteps) || h.leadSteps.length > o.window || h.leadSteps.some((x) => typeof x !== 'number')) fail(file, 'leadSteps must be at most W - 1 numbers');
  if (h.tensorboard !== null && (typeof h.tensorboard !== 'object' || typeof h.tensorboard.file !== 'string' || !isCount(h.tensorboard.bytes))) {
    fail(file, 'tensorboard must be null or { file, bytes }');
  }
  if (typeof h.detector !== 'object' || h.detector === null) fail(file, 'no warning detector state');
  if (!Array.isArray(h.warnings)) fail(file, 'warnings must be an array');
  if (typeof h.finished !== 'boolean') fail(file, 'finished must be a boolean');
  if (p.rows < h.windows) fail(file, `${h.windows} windows from ${p.rows} rows`);
}

/** Reads a state file; undefined when there is none. */
export async function readWatchState(file: string): Promise<WatchState | undefined> {
  let bytes: Uint8Array;
  try {
    const st = await stat(file);
    if (!st.isFile()) fail(file, 'not a regular file');
    if (st.size > MAX_STATE_BYTES) fail(file, `${st.size} bytes, more than a state can hold`);
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof Rdm2Error) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Rdm2Error('ERR_RDM2_FILE', `${file}: cannot read the watch state: ${(err as Error).message}`, { cause: err });
  }
  return decodeWatchState(bytes, file);
}

/** Writes a state file atomically (a crash leaves the previous state or this one, never a mix). */
export async function writeWatchState(file: string, state: WatchState): Promise<void> {
  await writeFileAtomic(file, encodeWatchState(state));
}
