// The versioned binary snapshot of a SpectralMonitor:
//   "RDM2MON\0" | u32 version | u32 header length | header JSON (UTF-8) | pad to 8 |
//   rows f64[W*n] | gram f64[W*W or 0] | reference f64[n] | positions f64[W] | bad u8[W] | pad to 8 |
//   u32 CRC-32 of every byte before it.
// Little-endian throughout. The header carries the options, counters and the warning
// detector's state; the arrays are the native window state (raw rows, the Gram of their
// scaled deviations from the reference row), so a restored monitor continues bit for bit.
// A snapshot is untrusted input: every field is checked against the window and probe count
// here, and the native side checks again (and that the Gram belongs to the rows) before
// anything is loaded.
import { crc32 } from 'node:zlib';
import { Rdm2Error } from './errors.js';
import type { NativeMonitorState } from './native.js';

const MAGIC = 'RDM2MON\0';
/** The snapshot format version this build writes and reads (1: before raw rows were kept). */
export const SNAPSHOT_VERSION = 2;

export interface SnapshotContent<H> {
  header: H;
  state: NativeMonitorState;
}

/** The native state's scalar fields as the header carries them. */
export type SnapshotCounters = Pick<NativeMonitorState, 'count' | 'sinceRebuild' | 'hasReference' | 'scaleExp' | 'scaleChosen' | 'level'>;

const align8 = (x: number) => (x + 7) & ~7;

function fail(message: string): never {
  throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `invalid monitor snapshot: ${message}`);
}

export function encodeSnapshot<H extends SnapshotCounters>(header: H, s: NativeMonitorState): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const arraysStart = align8(16 + json.length);
  const f64 = [s.rows, s.gram, s.reference, s.positions];
  const f64Bytes = f64.reduce((a, x) => a + x.byteLength, 0);
  const end = align8(arraysStart + f64Bytes + s.bad.length);
  const out = new Uint8Array(end + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, SNAPSHOT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  let at = arraysStart;
  for (const a of f64) {
    for (let i = 0; i < a.length; i++) view.setFloat64(at + 8 * i, a[i], true);
    at += a.byteLength;
  }
  out.set(s.bad, at);
  view.setUint32(end, crc32(out.subarray(0, end)), true);
  return out;
}

/** An integer in [min, max] (a JSON number: no strings, objects or booleans), or the snapshot is refused. */
function integer(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function boolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') fail(`${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The counters as a monitor with window W could have reached them: count a safe integer,
 * sinceRebuild between 0 and count, the flags booleans, scaleExp an integer in range (0 until
 * a scale was chosen).
 */
export function checkCounters(h: Partial<Record<keyof SnapshotCounters, unknown>>): SnapshotCounters {
  const count = integer(h.count, 'count', 0, Number.MAX_SAFE_INTEGER);
  const sinceRebuild = integer(h.sinceRebuild, 'sinceRebuild', 0, count);
  const hasReference = boolean(h.hasReference, 'hasReference');
  const scaleChosen = boolean(h.scaleChosen, 'scaleChosen');
  const scaleExp = integer(h.scaleExp, 'scaleExp', scaleChosen ? -1100 : 0, scaleChosen ? 1100 : 0);
  if (hasReference && count === 0) fail('hasReference is true before any row was pushed');
  if (scaleChosen && !hasReference) fail('a scale was chosen before any reference row');
  const level = h.level;
  if (typeof level !== 'number' || !Number.isFinite(level) || level < 0) fail(`level must be a finite number >= 0, got ${JSON.stringify(level)}`);
  return { count, sinceRebuild, hasReference, scaleExp, scaleChosen, level };
}

/**
 * Parses and checks a snapshot. `sizes(header)` returns the window and probe count the
 * header's options imply; every array length, counter, flag and position is checked
 * against them, so nothing is half-loaded from inconsistent bytes.
 */
export function decodeSnapshot<H>(bytes: Uint8Array, sizes: (header: H) => { window: number; probes: number; dual: boolean }): SnapshotContent<H> {
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  if (bytes.length < 20) fail(`only ${bytes.length} bytes, too short to be a snapshot`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('wrong magic bytes (not an rdm2 monitor snapshot)');
  const version = view.getUint32(8, true);
  if (version === 1) fail('format version 1 was written by an earlier development build of rdm2, which kept no raw rows; this build reads version 2 (re-create the snapshot)');
  if (version !== SNAPSHOT_VERSION) fail(`format version ${version}, this build reads version ${SNAPSHOT_VERSION}`);
  const end = bytes.length - 4;
  const stored = view.getUint32(end, true);
  if (crc32(bytes.subarray(0, end)) !== stored) fail('checksum mismatch (truncated or corrupted)');
  const jsonLength = view.getUint32(12, true);
  if (16 + jsonLength > end) fail('header runs past the end');
  let header: H;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLength))) as H;
  } catch {
    fail('header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not an object');
  const { window: W, probes: n, dual } = sizes(header);
  const counters = checkCounters(header as Partial<Record<keyof SnapshotCounters, unknown>>);
  const lengths = [W * n, dual ? W * W : 0, n, W];
  const arraysStart = align8(16 + jsonLength);
  const f64Bytes = lengths.reduce((a, x) => a + 8 * x, 0);
  if (align8(arraysStart + f64Bytes + W) !== end) fail(`array section has ${end - arraysStart} bytes, expected ${align8(f64Bytes + W)}`);
  let at = arraysStart;
  const names = ['rows', 'gram', 'reference', 'positions'];
  const arrays = lengths.map((len, k) => {
    const a = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      a[i] = view.getFloat64(at + 8 * i, true);
      if (!Number.isFinite(a[i])) fail(`${names[k]}[${i}] is not finite`);
    }
    at += 8 * len;
    return a;
  });
  const bad = bytes.slice(at, at + W);
  const { count } = counters;
  const filled = Math.min(count, W);
  for (let s = 0; s < W; s++) {
    if (bad[s] > 1) fail(`bad[${s}] must be 0 or 1, got ${bad[s]}`);
    if (s >= filled && bad[s]) fail(`bad[${s}] flags a slot no row has reached`);
    // Slot s holds the latest push index p < count with p % W = s.
    const expected = s < count ? count - 1 - ((count - 1 - s) % W) : 0;
    if (arrays[3][s] !== expected) fail(`positions[${s}] is ${arrays[3][s]}, a monitor with count ${count} has ${expected} there`);
  }
  if (!counters.hasReference && count > 0 && bad.subarray(0, filled).some((b) => b === 0)) fail('hasReference is false but the window holds a good row');
  return {
    header,
    state: { rows: arrays[0], gram: arrays[1], reference: arrays[2], positions: arrays[3], bad, ...counters },
  };
}
