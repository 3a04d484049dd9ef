// NumPy .npy arrays: decoding (versions 1-3, either byte order, C or Fortran order), encoding,
// whole-file reads and a streaming row reader for loss matrices larger than memory.
import type { FileHandle } from 'node:fs/promises';
import { fileError } from './file_error.js';
import { openInputFile, readExactly, readInputFile } from './input_file.js';
import type { LossArray } from './loss_array.js';
import { buildNpyHeader, npyHeaderLength, parseNpyHeader, shapeRepr, type NpyHeader } from './npy_header.js';
import { binaryPosition, type RowSource } from './row_source.js';

/** Numeric element arrays a .npy file can decode to. */
export type NpyNumeric =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A decoded .npy array. `values` are in the file's element order (see `header.fortranOrder`). */
export interface NpyArray {
  header: NpyHeader;
  /** Numbers for f/i/u/b dtypes, strings for U and S dtypes. */
  values: NpyNumeric | string[];
}

type NumericCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): NpyNumeric; new (length: number): NpyNumeric };

function numericCtor(kind: string, size: number): NumericCtor {
  const table: Record<string, unknown> = {
    f4: Float32Array, f8: Float64Array,
    i1: Int8Array, i2: Int16Array, i4: Int32Array, i8: BigInt64Array,
    u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, u8: BigUint64Array,
    b1: Uint8Array,
  };
  return table[`${kind}${size}`] as NumericCtor;
}

/** Reverses the byte order of every `size`-byte element of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

function describe(h: NpyHeader): string {
  return `shape ${shapeRepr(h.shape)} ${h.dtype.name}`;
}

/** Checks that the data after the header is exactly the size the header declares. */
function checkLength(h: NpyHeader, fileBytes: number, file: string): void {
  const have = fileBytes - h.dataOffset;
  if (have < h.dataBytes) {
    fileError(
      file,
      `byte ${fileBytes}`,
      `truncated: the header declares ${describe(h)} (${h.dataBytes} bytes of data from byte ${h.dataOffset}), but the file ends after ${Math.max(have, 0)} bytes of data`,
    );
  }
  if (have > h.dataBytes) {
    fileError(
      file,
      `byte ${h.dataOffset + h.dataBytes}`,
      `${have - h.dataBytes} unexpected bytes after the data: the header declares ${describe(h)} (${h.dataBytes} bytes of data from byte ${h.dataOffset})`,
    );
  }
}

function decodeStrings(bytes: Uint8Array, h: NpyHeader, file: string): string[] {
  const out: string[] = [];
  const size = h.dtype.itemSize;
  if (h.dtype.kind === 'U') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let e = 0; e < h.count; e++) {
      let s = '';
      for (let o = e * size; o < (e + 1) * size; o += 4) {
        const cp = view.getUint32(o, h.dtype.littleEndian);
        if (cp === 0) break;
        if (cp > 0x10ffff) fileError(file, `byte ${h.dataOffset + o}`, `element ${e} holds ${cp}, not a Unicode code point (expected at most 0x10ffff)`);
        s += String.fromCodePoint(cp);
      }
      out.push(s);
    }
  } else {
    const dec = new TextDecoder('utf-8');
    for (let e = 0; e < h.count; e++) {
      let end = (e + 1) * size;
      while (end > e * size && bytes[end - 1] === 0) end--;
      out.push(dec.decode(bytes.subarray(e * size, end)));
    }
  }
  return out;
}

/** Decodes a complete .npy file held in memory. `file` names it in errors. Zero-copy when little-endian and aligned. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  const header = parseNpyHeader(bytes, file);
  checkLength(header, bytes.length, file);
  const data = bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes);
  const { kind, itemSize, littleEndian } = header.dtype;
  if (kind === 'U' || kind === 'S') return { header, values: decodeStrings(data, header, file) };
  const Ctor = numericCtor(kind, itemSize);
  if (littleEndian && data.byteOffset % itemSize === 0) {
    return { header, values: new Ctor(data.buffer, data.byteOffset, header.count) };
  }
  const copy = new Ctor(header.count);
  const copyBytes = new Uint8Array(copy.buffer, copy.byteOffset, header.dataBytes);
  copyBytes.set(data);
  if (!littleEndian) swapBytes(copyBytes, itemSize);
  return { header, values: copy };
}

/** What {@link encodeNpy} takes. */
export interface NpyInput {
  /** Elements in the order the file will store them (column-major when `fortranOrder`). */
  values: Float32Array | Float64Array | Int32Array | Uint8Array | readonly string[];
  shape: readonly number[];
  fortranOrder?: boolean;
  /** Default true. */
  littleEndian?: boolean;
}

/** Encodes an array as a .npy file (format 1.0 with a 64-byte-aligned header, as numpy writes). */
export function encodeNpy(a: NpyInput): Uint8Array {
  const le = a.littleEndian ?? true;
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (a.values.length !== count) throw new RangeError(`encodeNpy: ${a.values.length} values for shape ${shapeRepr(a.shape)}`);
  let descr: string;
  let body: Uint8Array;
  if (Array.isArray(a.values) || !ArrayBuffer.isView(a.values)) {
    const strings = a.values as readonly string[];
    const width = Math.max(1, ...strings.map((s) => [...s].length));
    descr = `${le ? '<' : '>'}U${width}`;
    body = new Uint8Array(count * width * 4);
    const view = new DataView(body.buffer);
    strings.forEach((s, e) => [...s].forEach((ch, k) => view.setUint32((e * width + k) * 4, ch.codePointAt(0)!, le)));
  } else {
    const v = a.values as Float32Array | Float64Array | Int32Array | Uint8Array;
    const code = v instanceof Float32Array ? 'f4' : v instanceof Float64Array ? 'f8' : v instanceof Int32Array ? 'i4' : 'u1';
    descr = `${v.BYTES_PER_ELEMENT === 1 ? '|' : le ? '<' : '>'}${code}`;
    body = new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    if (!le) swapBytes(body, v.BYTES_PER_ELEMENT);
  }
  const header = buildNpyHeader(descr, a.fortranOrder ?? false, a.shape);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Reads and decodes a whole .npy file. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readInputFile(path), path);
}

/** Checks that a decoded array holds losses: float32/float64, 2-D `[T, n]` or 3-D `[T, K, n]`, no empty axis. */
export function checkLossHeader(h: NpyHeader, file: string): void {
  if (h.dtype.kind !== 'f') {
    fileError(file, `header byte ${h.major === 1 ? 10 : 12}`, `dtype ${h.dtype.name} ('${h.dtype.descr}'), expected float32 or float64 losses`);
  }
  if (h.shape.length !== 2 && h.shape.length !== 3) {
    fileError(file, `header byte ${h.major === 1 ? 10 : 12}`, `shape ${shapeRepr(h.shape)}, expected 2-D (T, n) losses or 3-D (T, K, n) perturbation blocks`);
  }
  if (h.shape.some((d) => d === 0)) {
    fileError(file, `header byte ${h.major === 1 ? 10 : 12}`, `shape ${shapeRepr(h.shape)} has an empty axis, expected at least one checkpoint and one probe`);
  }
}

/** The loss array of a decoded .npy (2-D Fortran order kept in place; 3-D Fortran transposed to row-major). */
export function lossArrayFromNpy(npy: NpyArray, file: string): LossArray {
  const h = npy.header;
  checkLossHeader(h, file);
  const data = npy.values as Float32Array | Float64Array;
  if (h.shape.length === 2) return { data, shape: [h.shape[0]!, h.shape[1]!], order: h.fortranOrder ? 'F' : 'C' };
  const [T, K, n] = h.shape as [number, number, number];
  if (!h.fortranOrder) return { data, shape: [T, K, n], order: 'C' };
  const out = new (data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(data.length);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let t = 0; t < T; t++) out[(t * K + k) * n + i] = data[t + T * k + T * K * i]!;
  return { data: out, shape: [T, K, n], order: 'C' };
}

/** Reads just the header of a .npy file (and checks the file's length against it). */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const { fh, size } = await openInputFile(path);
  try {
    return await headerOf(fh, size, path);
  } finally {
    await fh.close();
  }
}

async function headerOf(fh: FileHandle, size: number, path: string): Promise<NpyHeader> {
  const prefix = new Uint8Array(Math.min(12, size));
  await readExactly(fh, prefix, 0, path);
  const length = npyHeaderLength(prefix, path);
  const headerBytes = new Uint8Array(Math.min(length, size));
  await readExactly(fh, headerBytes, 0, path);
  const header = parseNpyHeader(headerBytes, path);
  checkLength(header, size, path);
  return header;
}

/**
 * Opens a .npy loss file for row-by-row reading (C or Fortran order, either byte order) without
 * loading it: memory is what the caller's buffers hold.
 */
export async function openNpyRows(path: string): Promise<RowSource> {
  const { fh, size } = await openInputFile(path);
  try {
    const h = await headerOf(fh, size, path);
    checkLossHeader(h, path);
    return new NpyRowSource(fh, path, h);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

class NpyRowSource implements RowSource {
  readonly format = 'npy' as const;
  readonly cols: number;
  readonly rows: number;
  readonly blockSize: number | undefined;
  readonly dtype: 'float32' | 'float64';
  readonly probeNames = undefined;
  private pos = 0;
  private scratch: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly h: NpyHeader,
  ) {
    const s = h.shape;
    this.cols = s[s.length - 1]!;
    this.rows = s.length === 3 ? s[0]! * s[1]! : s[0]!;
    this.blockSize = s.length === 3 ? s[1] : undefined;
    this.dtype = h.dtype.itemSize === 4 ? 'float32' : 'float64';
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    const take = Math.min(count, this.rows - this.pos);
    if (take <= 0) return 0;
    const size = this.h.dtype.itemSize;
    if (!this.h.fortranOrder) {
      const bytes = new Uint8Array(dst.buffer, dst.byteOffset + at * this.cols * size, take * this.cols * size);
      await readExactly(this.fh, bytes, this.h.dataOffset + this.pos * this.cols * size, this.file);
      if (!this.h.dtype.littleEndian) swapBytes(bytes, size);
    } else {
      await this.readFortran(dst, at, take);
    }
    this.pos += take;
    return take;
  }

  // Column-major: each (probe, block sample) is a contiguous run over checkpoints.
  private async readFortran(dst: Float32Array | Float64Array, at: number, take: number): Promise<void> {
    const size = this.h.dtype.itemSize;
    const n = this.cols;
    const K = this.blockSize ?? 1;
    const T = this.rows / K;
    const first = this.pos;
    const last = this.pos + take - 1;
    const t0 = Math.floor(first / K);
    const t1 = Math.floor(last / K);
    const len = t1 - t0 + 1;
    if (this.scratch.length < len * size) this.scratch = new Uint8Array(len * size);
    const bytes = this.scratch.subarray(0, len * size);
    const col = size === 4 ? new Float32Array(bytes.buffer, 0, len) : new Float64Array(bytes.buffer, 0, len);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        await readExactly(this.fh, bytes, this.h.dataOffset + (t0 + T * k + T * K * i) * size, this.file);
        if (!this.h.dtype.littleEndian) swapBytes(bytes, size);
        for (let t = t0; t <= t1; t++) {
          const row = t * K + k;
          if (row >= first && row <= last) dst[(at + row - first) * n + i] = col[t - t0]!;
        }
      }
    }
  }

  async skip(count: number): Promise<number> {
    const take = Math.max(0, Math.min(count, this.rows - this.pos));
    this.pos += take;
    return take;
  }

  get maxRows(): number {
    return this.rows;
  }

  position(row: number, col: number): string {
    return binaryPosition(row, col, this.blockSize);
  }

  steps(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
