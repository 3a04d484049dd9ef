// The NumPy .npy header (format versions 1.0, 2.0 and 3.0): magic, version, length and the
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (T, n), }.
// Reference: numpy.lib.format (NEP 1).
import { showValue } from '../show_value.js';
import { fileError } from './file_error.js';

/** `\x93NUMPY`. */
export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

/** An element type as a .npy `descr` describes it. Only the kinds rdm2 reads are represented. */
export interface NpyDtype {
  /** The descr string as written in the header, e.g. `<f4`. */
  descr: string;
  /** f float, i signed integer, u unsigned integer, b bool, U unicode (UTF-32), S bytes. */
  kind: 'f' | 'i' | 'u' | 'b' | 'U' | 'S';
  /** Bytes per element. */
  itemSize: number;
  littleEndian: boolean;
  /** numpy's name: float32, int64, <U5... */
  name: string;
}

/** A parsed .npy header. */
export interface NpyHeader {
  major: number;
  minor: number;
  dtype: NpyDtype;
  fortranOrder: boolean;
  shape: number[];
  /** Elements (product of the shape; 1 for a 0-d array). */
  count: number;
  /** Byte offset of the data (the header's total length). */
  dataOffset: number;
  /** count * itemSize. */
  dataBytes: number;
}

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** The deepest nesting of dicts, tuples and lists a header may have (numpy writes 2: a dict holding the shape tuple). */
export const MAX_NPY_HEADER_DEPTH = 8;

/** The longest header read (numpy writes under 200 bytes for a plain dtype; its own reader refuses over 10,000). */
export const MAX_NPY_HEADER_BYTES = 1 << 20;

/** A recursive-descent parser for the Python literals numpy writes in headers, its depth bounded. */
class PyLiteralParser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly s: string,
    private readonly fail: (at: number, expected: string) => never,
  ) {}

  parseAll(): PyValue {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail(this.i, 'the end of the header');
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '{' || c === '(' || c === '[') {
      if (this.depth >= MAX_NPY_HEADER_DEPTH) this.fail(this.i, `at most ${MAX_NPY_HEADER_DEPTH} levels of nested dicts, tuples and lists`);
      this.depth++;
      const v = c === '{' ? this.dict() : c === '(' ? this.sequence('(', ')') : this.sequence('[', ']');
      this.depth--;
      return v;
    }
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|[+-]?\d+[Ll]?)/.exec(this.s.slice(this.i));
    if (!word) this.fail(this.i, 'a Python literal (dict, tuple, string, integer, True or False)');
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace(/[Ll]$/, ''));
  }

  private string(): string {
    const quote = this.s[this.i++]!;
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== quote) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i++] ?? '';
    }
    if (this.i >= this.s.length) this.fail(this.i, `a closing ${quote}`);
    this.i++;
    return out;
  }

  private sequence(open: string, close: string): PyValue[] {
    this.i++; // open
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) this.fail(this.i, `',' or '${close}' after an item of ${open}...${close}`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = Object.create(null) as { [key: string]: PyValue }; // a '__proto__' key is a key
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const c = this.s[this.i];
      if (c !== "'" && c !== '"') this.fail(this.i, 'a quoted key');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(this.i, `':' after key '${key}'`);
      this.i++;
      out[key] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail(this.i, "',' or '}' after a dict value");
    }
  }
}

const KIND_NAMES: Record<string, string> = { f: 'float', i: 'int', u: 'uint', b: 'bool' };

/** Parses a descr such as `<f4`, `>i8`, `|u1`, `<U7`, `|S3`; undefined when unsupported. */
export function parseDtype(descr: string): NpyDtype | undefined {
  const m = /^([<>|=])([fiubUS])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const [, order, kind, sizeText] = m as unknown as [string, string, NpyDtype['kind'], string];
  const size = Number(sizeText);
  const littleEndian = order !== '>';
  if (kind === 'f' && (size === 4 || size === 8)) return { descr, kind, itemSize: size, littleEndian, name: `float${size * 8}` };
  if ((kind === 'i' || kind === 'u') && [1, 2, 4, 8].includes(size)) {
    return { descr, kind, itemSize: size, littleEndian, name: `${KIND_NAMES[kind]}${size * 8}` };
  }
  if (kind === 'b' && size === 1) return { descr, kind, itemSize: 1, littleEndian, name: 'bool' };
  if (kind === 'U' && size >= 1) return { descr, kind, itemSize: 4 * size, littleEndian, name: `<U${size}` };
  if (kind === 'S' && size >= 1) return { descr, kind, itemSize: size, littleEndian, name: `|S${size}` };
  return undefined;
}

/**
 * How many bytes the header occupies, from the first 12 bytes (magic, version, length field).
 * Throws when those bytes are not a .npy preamble.
 */
export function npyHeaderLength(prefix: Uint8Array, file: string): number {
  const got = Array.from(prefix.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (prefix.length < 10 || !NPY_MAGIC.every((b, i) => prefix[i] === b)) {
    if (prefix.length < 10 && NPY_MAGIC.every((b, i) => i >= prefix.length || prefix[i] === b)) {
      fileError(file, 'byte 0', `truncated: the file has ${prefix.length} bytes, a .npy header needs at least 10`);
    }
    fileError(file, 'byte 0', `not a NumPy .npy file: starts with ${got || '(nothing)'}, expected the magic string \\x93NUMPY (93 4e 55 4d 50 59)`);
  }
  const major = prefix[6]!;
  const minor = prefix[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    fileError(file, 'byte 6', `unsupported .npy format version ${major}.${minor}, expected 1.0, 2.0 or 3.0`);
  }
  if (major === 1) return 10 + (prefix[8]! | (prefix[9]! << 8));
  if (prefix.length < 12) fileError(file, 'byte 8', `truncated: the file has ${prefix.length} bytes, a version ${major}.0 header needs at least 12`);
  const length = (prefix[8]! | (prefix[9]! << 8) | (prefix[10]! << 16)) + prefix[11]! * 2 ** 24;
  if (length > MAX_NPY_HEADER_BYTES) {
    fileError(file, 'byte 8', `the header declares ${length} bytes, expected at most ${MAX_NPY_HEADER_BYTES} (numpy writes under 200 for a plain dtype)`);
  }
  return 12 + length;
}

/** Parses the whole header; `bytes` must start at the file's first byte and hold the header. */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, file);
  const major = bytes[6]!;
  const start = major === 1 ? 10 : 12;
  if (bytes.length < dataOffset) {
    fileError(file, `byte ${bytes.length}`, `truncated header: the header declares ${dataOffset} bytes, the file has only ${bytes.length}`);
  }
  const raw = bytes.subarray(start, dataOffset);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  const fail: (at: number, expected: string) => never = (at, expected) =>
    fileError(file, `header byte ${start + at}`, `malformed header ${showValue(text.trimEnd())}: expected ${expected}`);
  const dict = new PyLiteralParser(text, fail).parseAll();
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) return fail(0, "a dict {'descr': ..., 'fortran_order': ..., 'shape': ...}");
  const keys = Object.keys(dict).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    fileError(file, `header byte ${start}`, `header has keys [${Object.keys(dict).join(', ')}], expected exactly 'descr', 'fortran_order' and 'shape'`);
  }
  const { descr, fortran_order: fortranOrder, shape } = dict as Record<string, PyValue>;
  if (typeof descr !== 'string') {
    fileError(file, `header byte ${start}`, `'descr' is ${showValue(descr)}: structured dtypes are not supported, expected a plain dtype such as '<f4'`);
  }
  const dtype = parseDtype(descr);
  if (!dtype) {
    fileError(file, `header byte ${start}`, `unsupported dtype '${descr}', expected float32 or float64 ('<f4', '>f4', '<f8', '>f8') for losses, or an integer, unicode or bytes dtype for metadata`);
  }
  if (typeof fortranOrder !== 'boolean') fileError(file, `header byte ${start}`, `'fortran_order' is ${showValue(fortranOrder)}, expected True or False`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fileError(file, `header byte ${start}`, `'shape' is ${showValue(shape)}, expected a tuple of non-negative integers`);
  }
  const dims = shape as number[];
  const count = dims.reduce((a, b) => a * b, 1);
  return { major, minor: bytes[7]!, dtype, fortranOrder, shape: dims, count, dataOffset, dataBytes: count * dtype.itemSize };
}

/** numpy's shape repr: `(3,)`, `(60, 20)`, `()`. */
export function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Builds a header as numpy writes it: version 1.0 unless the header needs more than 65535 bytes
 * (then 2.0, or 3.0 for non-latin1 text), padded with spaces and a newline so the data starts on
 * a 64-byte boundary.
 */
export function buildNpyHeader(descr: string, fortranOrder: boolean, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeRepr(shape)}, }`;
  // latin1 suffices for everything this writer produces.
  for (const prefixLength of [10, 12]) {
    const total = Math.ceil((prefixLength + dict.length + 1) / 64) * 64;
    const headerLength = total - prefixLength;
    if (prefixLength === 10 && headerLength > 0xffff) continue;
    const out = new Uint8Array(total);
    out.set(NPY_MAGIC, 0);
    out[6] = prefixLength === 10 ? 1 : 2;
    out[7] = 0;
    if (prefixLength === 10) new DataView(out.buffer).setUint16(8, headerLength, true);
    else new DataView(out.buffer).setUint32(8, headerLength, true);
    const text = dict.padEnd(headerLength - 1, ' ') + '\n';
    for (let i = 0; i < text.length; i++) out[prefixLength + i] = text.charCodeAt(i);
    return out;
  }
  throw new RangeError('npy header too long');
}
