// The versioned binary snapshot of a SpectralMonitor:
//   "RDM2MON\0" | u32 version | u32 header length | header JSON (UTF-8) | pad to 8 |
//   deviations f64[W*n] | gram f64[W*W or 0] | reference f64[n] | positions f64[W] | bad u8[W] | pad to 8 |
//   u32 CRC-32 of every byte before it.
// Little-endian throughout. The header carries the options, counters and the warning
// detector's state; the arrays are the native window state, so a restored monitor
// continues bit for bit.
import { crc32 } from 'node:zlib';
import { Rdm2Error } from './errors.js';
import type { NativeMonitorState } from './native.js';

const MAGIC = 'RDM2MON\0';
/** The snapshot format version this build writes and reads. */
export const SNAPSHOT_VERSION = 1;

export interface SnapshotContent<H> {
  header: H;
  state: NativeMonitorState;
}

const align8 = (x: number) => (x + 7) & ~7;

function fail(message: string): never {
  throw new Rdm2Error('ERR_RDM2_SNAPSHOT', `invalid monitor snapshot: ${message}`);
}

export function encodeSnapshot<H>(header: H, s: NativeMonitorState): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const arraysStart = align8(16 + json.length);
  const f64 = [s.deviations, s.gram, s.reference, s.positions];
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

/**
 * Parses and checks a snapshot. `sizes(header)` returns the expected array lengths
 * implied by the header's options, so nothing is half-loaded from inconsistent bytes.
 */
export function decodeSnapshot<H>(
  bytes: Uint8Array,
  sizes: (header: H) => { window: number; probes: number; dual: boolean },
): SnapshotContent<H> {
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  if (bytes.length < 20) fail(`only ${bytes.length} bytes, too short to be a snapshot`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('wrong magic bytes (not an rdm2 monitor snapshot)');
  const version = view.getUint32(8, true);
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
  const { window: W, probes: n, dual } = sizes(header);
  const lengths = [W * n, dual ? W * W : 0, n, W];
  const arraysStart = align8(16 + jsonLength);
  const f64Bytes = lengths.reduce((a, x) => a + 8 * x, 0);
  if (align8(arraysStart + f64Bytes + W) !== end) fail(`array section has ${end - arraysStart} bytes, expected ${align8(f64Bytes + W)}`);
  let at = arraysStart;
  const arrays = lengths.map((len) => {
    const a = new Float64Array(len);
    for (let i = 0; i < len; i++) a[i] = view.getFloat64(at + 8 * i, true);
    at += 8 * len;
    return a;
  });
  const bad = bytes.slice(at, at + W);
  const h = header as unknown as { count?: unknown; sinceRebuild?: unknown; hasReference?: unknown };
  return {
    header,
    state: {
      deviations: arrays[0],
      gram: arrays[1],
      reference: arrays[2],
      positions: arrays[3],
      bad,
      count: Number(h.count),
      sinceRebuild: Number(h.sinceRebuild),
      hasReference: Boolean(h.hasReference),
    },
  };
}
