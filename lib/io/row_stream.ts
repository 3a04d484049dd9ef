// The binary row stream (`.rows`, docs/row-stream.md): a 64-byte header, then one fixed-size
// record per checkpoint (i64 step + n losses), an end marker (step -1) when the producer finished.
// A file that is still growing is read only up to its last whole record.
import type { FileHandle } from 'node:fs/promises';
import { fileError } from './file_error.js';
import { openInputFile, readExactly } from './input_file.js';
import type { RowSource } from './row_source.js';

/** The ASCII magic bytes that open every `.rows` file. */
export const ROW_STREAM_MAGIC = 'RDM2ROWS';
/** The format version this build reads and writes. */
export const ROW_STREAM_VERSION = 1;
/** Header length in bytes (version 1). */
export const ROW_STREAM_HEADER_BYTES = 64;
/** The step of the end marker record. */
export const ROW_STREAM_END_STEP = -1;
/**
 * Largest n a header may declare. A record must fit in memory for a reader to use it; 2^28
 * probes is 1-2 GiB per row, far past any probe set, and keeps every offset a safe integer.
 */
export const ROW_STREAM_MAX_PROBES = 2 ** 28;

const VALUE_TYPES: Record<number, 'float32' | 'float64'> = { 1: 'float32', 2: 'float64' };

/** A `.rows` header. */
export interface RowStreamHeader {
  version: number;
  dtype: 'float32' | 'float64';
  /** n, values per row. */
  probes: number;
  /** Bytes per value: 4 or 8. */
  itemSize: number;
  /** Bytes per record: 8 + n * itemSize. */
  recordBytes: number;
  /** Where record 0 starts. */
  dataOffset: number;
}

/** The 64 header bytes of a `.rows` file holding n values of `dtype` per row. */
export function encodeRowStreamHeader(probes: number, dtype: 'float32' | 'float64'): Uint8Array {
  if (!Number.isInteger(probes) || probes < 1 || probes > ROW_STREAM_MAX_PROBES) throw new RangeError(`probes must be an integer in [1, ${ROW_STREAM_MAX_PROBES}], got ${probes}`);
  const out = new Uint8Array(ROW_STREAM_HEADER_BYTES);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(ROW_STREAM_MAGIC), 0);
  view.setUint32(8, ROW_STREAM_VERSION, true);
  view.setUint32(12, dtype === 'float32' ? 1 : 2, true);
  view.setBigUint64(16, BigInt(probes), true);
  view.setBigUint64(24, BigInt(ROW_STREAM_HEADER_BYTES), true);
  return out;
}

/** One record: the step (`ROW_STREAM_END_STEP` for the end marker), then the values in the header's type. */
export function encodeRowStreamRecord(step: number, values: ArrayLike<number>, dtype: 'float32' | 'float64'): Uint8Array {
  if (!Number.isSafeInteger(step) || step < ROW_STREAM_END_STEP) throw new RangeError(`step must be an integer >= 0 (or -1 for the end marker), got ${step}`);
  const size = dtype === 'float32' ? 4 : 8;
  const out = new Uint8Array(8 + values.length * size);
  const view = new DataView(out.buffer);
  view.setBigInt64(0, BigInt(step), true);
  for (let i = 0; i < values.length; i++) {
    if (size === 4) view.setFloat32(8 + 4 * i, values[i]!, true);
    else view.setFloat64(8 + 8 * i, values[i]!, true);
  }
  return out;
}

/**
 * Parses and checks a `.rows` header (the first 64 bytes). `file` names the file in errors.
 * Throws `ERR_RDM2_FILE` on a wrong magic, version, value type, probe count, header length or
 * non-zero reserved bytes.
 */
export function parseRowStreamHeader(bytes: Uint8Array, file: string): RowStreamHeader {
  if (bytes.length < ROW_STREAM_HEADER_BYTES) {
    fileError(file, 'header', `only ${bytes.length} bytes, expected the ${ROW_STREAM_HEADER_BYTES}-byte header of a .rows row stream`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, ROW_STREAM_HEADER_BYTES);
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (magic !== ROW_STREAM_MAGIC) fileError(file, 'byte 0', `magic ${JSON.stringify(magic)}, expected "${ROW_STREAM_MAGIC}" (not an rdm2 row stream)`);
  const version = view.getUint32(8, true);
  if (version !== ROW_STREAM_VERSION) fileError(file, 'byte 8', `format version ${version}, this build reads version ${ROW_STREAM_VERSION}`);
  const type = view.getUint32(12, true);
  const dtype = VALUE_TYPES[type];
  if (!dtype) fileError(file, 'byte 12', `value type ${type}, expected 1 (float32) or 2 (float64)`);
  const n = view.getBigUint64(16, true);
  if (n < 1n || n > BigInt(ROW_STREAM_MAX_PROBES)) fileError(file, 'byte 16', `n = ${n} values per row, expected 1 to ${ROW_STREAM_MAX_PROBES}`);
  const headerLength = view.getBigUint64(24, true);
  if (headerLength !== BigInt(ROW_STREAM_HEADER_BYTES)) fileError(file, 'byte 24', `header length ${headerLength}, expected ${ROW_STREAM_HEADER_BYTES} for version 1`);
  for (let i = 32; i < ROW_STREAM_HEADER_BYTES; i++) {
    if (bytes[i] !== 0) fileError(file, `byte ${i}`, `reserved byte is ${bytes[i]}, expected 0`);
  }
  const probes = Number(n);
  const itemSize = dtype === 'float32' ? 4 : 8;
  return { version, dtype, probes, itemSize, recordBytes: 8 + probes * itemSize, dataOffset: ROW_STREAM_HEADER_BYTES };
}

/**
 * Decodes `count` whole records from `bytes` into `dst` (row-major, from row `at`) and their steps
 * into `steps[0..count)`. Checks each step: an integer >= 0 after `previous` (the step before the
 * first record, or -Infinity), or the end marker. Returns the number of data records before an
 * end marker (== count when there is none) and the last step seen.
 *
 * `where(k)` names record k in errors (`record 12 (byte 1064)`).
 */
export function decodeRowStreamRecords(
  h: RowStreamHeader,
  bytes: Uint8Array,
  count: number,
  dst: Float32Array | Float64Array,
  at: number,
  steps: Float64Array | undefined,
  previous: number,
  file: string,
  where: (k: number) => string,
): { rows: number; lastStep: number; ended: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = h.probes;
  let last = previous;
  for (let k = 0; k < count; k++) {
    const base = k * h.recordBytes;
    const big = view.getBigInt64(base, true);
    if (big === BigInt(ROW_STREAM_END_STEP)) {
      for (let b = base + 8; b < base + h.recordBytes; b++) {
        if (bytes[b] !== 0) fileError(file, where(k), 'end marker (step -1) with non-zero values, expected zeros');
      }
      return { rows: k, lastStep: last, ended: true };
    }
    if (big < 0n || big > BigInt(Number.MAX_SAFE_INTEGER)) fileError(file, `${where(k)}, step`, `${big} is not a step, expected an integer >= 0 (or -1 for the end marker)`);
    const step = Number(big);
    if (step <= last) fileError(file, `${where(k)}, step`, `${step} does not come after ${last}, expected strictly increasing steps`);
    last = step;
    if (steps) steps[k] = step;
    const row = (at + k) * n;
    if (h.itemSize === 4) for (let c = 0; c < n; c++) dst[row + c] = view.getFloat32(base + 8 + 4 * c, true);
    else for (let c = 0; c < n; c++) dst[row + c] = view.getFloat64(base + 8 + 8 * c, true);
  }
  return { rows: count, lastStep: last, ended: false };
}

/** How record k is named in messages. */
export function rowStreamRecordLabel(h: RowStreamHeader, k: number): string {
  return `record ${k} (byte ${h.dataOffset + k * h.recordBytes})`;
}

/** What the file holds at the moment it was opened. */
interface Layout {
  /** Data records (the end marker excluded). */
  rows: number;
  /** True when the last whole record is the end marker. */
  ended: boolean;
}

async function layoutOf(fh: FileHandle, h: RowStreamHeader, size: number, file: string): Promise<Layout> {
  const whole = Math.floor((size - h.dataOffset) / h.recordBytes);
  if (whole === 0) return { rows: 0, ended: false };
  const last = new Uint8Array(h.recordBytes);
  await readExactly(fh, last, h.dataOffset + (whole - 1) * h.recordBytes, file);
  const ended = new DataView(last.buffer).getBigInt64(0, true) === BigInt(ROW_STREAM_END_STEP);
  if (ended && last.some((b, i) => i >= 8 && b !== 0)) fileError(file, rowStreamRecordLabel(h, whole - 1), 'end marker (step -1) with non-zero values, expected zeros');
  if (ended && h.dataOffset + whole * h.recordBytes !== size) {
    fileError(file, `byte ${h.dataOffset + whole * h.recordBytes}`, `${size - h.dataOffset - whole * h.recordBytes} bytes after the end marker, expected nothing after it`);
  }
  return { rows: ended ? whole - 1 : whole, ended };
}

/**
 * Opens a `.rows` row stream for row-by-row reading (analyze, sweep, report). Reads the records
 * the file holds when opened, up to its end marker; without one (a producer still writing, or
 * killed) it reads every whole record and ignores a trailing partial one. Steps come from the
 * records (`steps()`).
 */
export async function openRowStreamRows(path: string): Promise<RowSource> {
  const { fh, size } = await openInputFile(path);
  try {
    const head = new Uint8Array(Math.min(ROW_STREAM_HEADER_BYTES, size));
    await readExactly(fh, head, 0, path);
    const h = parseRowStreamHeader(head, path);
    const layout = await layoutOf(fh, h, size, path);
    if (layout.rows === 0) fileError(path, '', layout.ended ? 'holds no rows before its end marker, expected at least one' : 'holds no whole row yet, expected at least one');
    return new RowStreamSource(fh, path, h, layout.rows);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Records read per disk read when skipping. */
const SKIP_BATCH_BYTES = 1 << 20;

class RowStreamSource implements RowSource {
  readonly format = 'rows' as const;
  readonly cols: number;
  readonly blockSize = undefined;
  readonly dtype: 'float32' | 'float64';
  readonly probeNames = undefined;
  private pos = 0;
  private last = -Infinity;
  private readonly stepLog: Float64Array;
  private scratch = new Uint8Array(0);

  constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly h: RowStreamHeader,
    readonly rows: number,
  ) {
    this.cols = h.probes;
    this.dtype = h.dtype;
    this.stepLog = new Float64Array(rows);
  }

  private bytes(count: number): Uint8Array {
    const need = count * this.h.recordBytes;
    if (this.scratch.length < need) this.scratch = new Uint8Array(need);
    return this.scratch.subarray(0, need);
  }

  private async decode(dst: Float32Array | Float64Array, at: number, count: number): Promise<void> {
    const bytes = this.bytes(count);
    await readExactly(this.fh, bytes, this.h.dataOffset + this.pos * this.h.recordBytes, this.file);
    const first = this.pos;
    const got = decodeRowStreamRecords(this.h, bytes, count, dst, at, this.stepLog.subarray(first), this.last, this.file, (k) =>
      rowStreamRecordLabel(this.h, first + k),
    );
    // The end marker was found to be the last record when the file was opened: one before it is corrupt.
    if (got.ended) fileError(this.file, rowStreamRecordLabel(this.h, first + got.rows), 'end marker before the last record, expected nothing after it');
    this.last = got.lastStep;
    this.pos += count;
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    const take = Math.min(count, this.rows - this.pos);
    if (take <= 0) return 0;
    await this.decode(dst, at, take);
    return take;
  }

  async skip(count: number): Promise<number> {
    const take = Math.max(0, Math.min(count, this.rows - this.pos));
    // Skipped rows are still read: their steps are checked and recorded.
    const per = Math.max(1, Math.floor(SKIP_BATCH_BYTES / this.h.recordBytes));
    let done = 0;
    while (done < take) {
      const k = Math.min(per, take - done);
      const sink = this.dtype === 'float32' ? new Float32Array(k * this.cols) : new Float64Array(k * this.cols);
      await this.decode(sink, 0, k);
      done += k;
    }
    return take;
  }

  get maxRows(): number {
    return this.rows;
  }

  position(row: number, col: number): string {
    return `${rowStreamRecordLabel(this.h, row)}, column ${col}`;
  }

  steps(): Float64Array {
    return this.stepLog.slice(0, this.pos);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
