// The windows a watch has analysed: an append-only file (so a restarted watch keeps them) and
// its columnar mirror in memory (for the live page and the final result).
//   header 32 bytes: "RDM2WLOG" | u32 version 1 | u32 m (eigenvalues per window) | u32 topK | u32 n |
//                    u32 number of observables | u32 0
//   record: f64 step, checkpoint, degenerate, z | f64 per observable (lib/observables.ts order) |
//           f64[m] eigenvalues | f32[topK * n] eigenvectors | zero padding to a multiple of 8
// Little-endian. The watch state records how many bytes are committed; anything after that is
// cut off when the log is reopened.
import { open, type FileHandle } from 'node:fs/promises';
import { Rdm2Error } from '../errors.js';
import { fileError, fsError } from '../io/file_error.js';
import { readExactly } from '../io/input_file.js';
import type { MonitorWindow } from '../monitor.js';
import { OBSERVABLE_NAMES, allocateObservableColumns, type ObservableColumns, type ObservableValues } from '../observables.js';

const MAGIC = 'RDM2WLOG';
const VERSION = 1;
/** Header length in bytes. */
export const WINDOW_LOG_HEADER_BYTES = 32;
/** Scalars stored per window before the observables: step, checkpoint, degenerate, z. */
const LEAD = 4;
/** Scalars stored per window before the eigenvalues. */
const FIXED = LEAD + OBSERVABLE_NAMES.length;

/** Shape of the records: eigenvalues and eigenvectors per window. */
export interface WindowLogLayout {
  /** min(W - 1, n): eigenvalues per window. */
  eigenCount: number;
  topK: number;
  probes: number;
}

/** The columns of every window so far: one per observable of the registry, and these. */
export interface WindowColumns extends ObservableColumns {
  windows: number;
  /** Training step of each window's last checkpoint. */
  step: Float64Array;
  /** Index of each window's last checkpoint. */
  t: Int32Array;
  degenerate: Uint8Array;
  /** Robust z of the SHC against the warning baseline (NaN during warm-up). */
  z: Float64Array;
  eigenvalues: Float64Array;
  eigenvectors: Float32Array;
}

/** One window as the log stores it. */
export interface WindowRecord extends ObservableValues, Pick<MonitorWindow, 'step' | 'eigenvalues' | 'eigenvectors' | 'degenerate'> {
  /** Index of the window's last checkpoint. */
  checkpoint: number;
  z: number;
}

function recordBytes(l: WindowLogLayout): number {
  const raw = 8 * (FIXED + l.eigenCount) + 4 * l.topK * l.probes;
  return (raw + 7) & ~7;
}

function headerBytes(l: WindowLogLayout): Uint8Array {
  const out = new Uint8Array(WINDOW_LOG_HEADER_BYTES);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, l.eigenCount, true);
  view.setUint32(16, l.topK, true);
  view.setUint32(20, l.probes, true);
  view.setUint32(24, OBSERVABLE_NAMES.length, true);
  return out;
}

/**
 * The window log. {@link WindowLog.open} creates it or reopens it at its committed length;
 * {@link append} writes records (one write call per batch) and mirrors them in {@link columns}.
 */
export class WindowLog {
  private size: number;
  private cap: number;
  private cols: WindowColumns;
  private readonly record: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    readonly layout: WindowLogLayout,
    private bytes: number,
  ) {
    this.record = recordBytes(layout);
    this.size = 0;
    this.cap = 64;
    this.cols = this.allocate(this.cap);
  }

  /**
   * Opens the log at `file`. With `committed` (bytes), the file must exist with this layout and
   * at least that many bytes; whatever follows is cut off (windows of an interrupted commit).
   * Without it a new, empty log replaces any file there.
   */
  static async open(file: string, layout: WindowLogLayout, committed?: number): Promise<WindowLog> {
    let fh: FileHandle;
    try {
      fh = await open(file, committed === undefined ? 'w+' : 'r+');
    } catch (err) {
      fsError(file, err);
    }
    try {
      if (committed === undefined) {
        const head = headerBytes(layout);
        await fh.write(head, 0, head.length, 0);
        return new WindowLog(fh, file, layout, WINDOW_LOG_HEADER_BYTES);
      }
      const size = (await fh.stat()).size;
      const head = new Uint8Array(WINDOW_LOG_HEADER_BYTES);
      if (size < WINDOW_LOG_HEADER_BYTES) fileError(file, '', `only ${size} bytes, expected a window log header`);
      await readExactly(fh, head, 0, file);
      const expected = headerBytes(layout);
      if (!head.every((b, i) => b === expected[i])) fileError(file, 'header', 'does not match the watch state (another layout, or not a window log)');
      const record = recordBytes(layout);
      if (committed < WINDOW_LOG_HEADER_BYTES || (committed - WINDOW_LOG_HEADER_BYTES) % record !== 0) {
        fileError(file, '', `committed length ${committed} is not a whole number of ${record}-byte records`);
      }
      if (size < committed) fileError(file, '', `holds ${size} bytes, fewer than the ${committed} the watch state says were written`);
      if (size > committed) await fh.truncate(committed);
      const log = new WindowLog(fh, file, layout, committed);
      await log.load((committed - WINDOW_LOG_HEADER_BYTES) / record);
      return log;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Committed-or-not bytes written so far (what a commit records). */
  get length(): number {
    return this.bytes;
  }

  /** Windows held. */
  get windows(): number {
    return this.size;
  }

  private allocate(cap: number): WindowColumns {
    const { eigenCount: m, topK, probes: n } = this.layout;
    return {
      ...allocateObservableColumns(cap),
      windows: 0,
      step: new Float64Array(cap),
      t: new Int32Array(cap),
      degenerate: new Uint8Array(cap),
      z: new Float64Array(cap),
      eigenvalues: new Float64Array(cap * m),
      eigenvectors: new Float32Array(cap * topK * n),
    };
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    let cap = this.cap;
    while (cap < need) cap *= 2;
    const next = this.allocate(cap);
    for (const key of Object.keys(next) as (keyof WindowColumns)[]) {
      if (key === 'windows') continue;
      (next[key] as Float64Array).set(this.cols[key] as Float64Array);
    }
    this.cols = next;
    this.cap = cap;
  }

  private put(j: number, view: DataView, base: number): void {
    const { eigenCount: m, topK, probes: n } = this.layout;
    const c = this.cols;
    c.step[j] = view.getFloat64(base, true);
    c.t[j] = view.getFloat64(base + 8, true);
    c.degenerate[j] = view.getFloat64(base + 16, true);
    c.z[j] = view.getFloat64(base + 24, true);
    OBSERVABLE_NAMES.forEach((name, k) => (c[name][j] = view.getFloat64(base + 8 * (LEAD + k), true)));
    for (let k = 0; k < m; k++) c.eigenvalues[j * m + k] = view.getFloat64(base + 8 * (FIXED + k), true);
    const v0 = base + 8 * (FIXED + m);
    for (let i = 0; i < topK * n; i++) c.eigenvectors[j * topK * n + i] = view.getFloat32(v0 + 4 * i, true);
  }

  private async load(count: number): Promise<void> {
    this.grow(count);
    const per = Math.max(1, Math.floor((8 << 20) / this.record));
    for (let j = 0; j < count; j += per) {
      const k = Math.min(per, count - j);
      const bytes = new Uint8Array(k * this.record);
      await readExactly(this.fh, bytes, WINDOW_LOG_HEADER_BYTES + j * this.record, this.file);
      const view = new DataView(bytes.buffer);
      for (let q = 0; q < k; q++) this.put(j + q, view, q * this.record);
    }
    this.size = count;
  }

  /** Appends windows (one write); they are not durable until {@link sync}. */
  async append(records: readonly WindowRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { eigenCount: m, topK, probes: n } = this.layout;
    const bytes = new Uint8Array(records.length * this.record);
    const view = new DataView(bytes.buffer);
    records.forEach((r, q) => {
      const base = q * this.record;
      const fixed = [r.step, r.checkpoint, r.degenerate ? 1 : 0, r.z, ...OBSERVABLE_NAMES.map((name) => r[name])];
      fixed.forEach((v, k) => view.setFloat64(base + 8 * k, v, true));
      for (let k = 0; k < m; k++) view.setFloat64(base + 8 * (FIXED + k), r.eigenvalues[k]!, true);
      if (topK > 0) {
        if (!r.eigenvectors || r.eigenvectors.length !== topK * n) throw new Rdm2Error('ERR_RDM2_NATIVE', 'a window came without its eigenvectors');
        const v0 = base + 8 * (FIXED + m);
        for (let i = 0; i < topK * n; i++) view.setFloat32(v0 + 4 * i, r.eigenvectors[i]!, true);
      }
    });
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, this.bytes + done);
      done += bytesWritten;
    }
    this.grow(this.size + records.length);
    for (let q = 0; q < records.length; q++) this.put(this.size + q, view, q * this.record);
    this.size += records.length;
    this.bytes += bytes.length;
  }

  /** Flushes the appended records to disk. */
  async sync(): Promise<void> {
    await this.fh.sync();
  }

  /** The windows so far (views of the mirror: copy before keeping them past the next append). */
  columns(): WindowColumns {
    const N = this.size;
    const { eigenCount: m, topK, probes: n } = this.layout;
    const c = this.cols;
    const observables = allocateObservableColumns(0);
    for (const name of OBSERVABLE_NAMES) observables[name] = c[name].subarray(0, N);
    return {
      ...observables,
      windows: N,
      step: c.step.subarray(0, N),
      t: c.t.subarray(0, N),
      degenerate: c.degenerate.subarray(0, N),
      z: c.z.subarray(0, N),
      eigenvalues: c.eigenvalues.subarray(0, N * m),
      eigenvectors: c.eigenvectors.subarray(0, N * topK * n),
    };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
