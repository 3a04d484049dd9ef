// Following a loss file while its producer appends to it (docs/row-stream.md): a `.rows` stream
// or JSON Lines, read from a byte position, whole records / newline-terminated lines only.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { fileError, fsError } from '../io/file_error.js';
import { decodeJsonlRow, isJsonlEndMarker, jsonlModeOf, parseLine, type JsonlMode } from '../io/jsonl.js';
import { openInputFile, readExactly } from '../io/input_file.js';
import { MAX_LINE_LENGTH } from '../io/line_reader.js';
import {
  decodeRowStreamRecords,
  parseRowStreamHeader,
  ROW_STREAM_HEADER_BYTES,
  rowStreamRecordLabel,
  type RowStreamHeader,
} from '../io/row_stream.js';

/** The formats a watch can follow. */
export type FollowFormat = 'rows' | 'jsonl';

/**
 * Where a follower stands: everything before `byte` has been delivered. The hashes let a resumed
 * watch check that the file is still the one it was reading (same head, same last record).
 */
export interface FollowPosition {
  /** Byte offset of the next record or line. */
  byte: number;
  /** Rows delivered. */
  rows: number;
  /** JSONL: lines consumed (blank ones included), for line numbers in messages. */
  lines: number;
  /** Step of the last row delivered (-1 before any; a JSONL file without steps counts rows). */
  lastStep: number;
  /** sha256 of the file's head: the `.rows` header, or a JSONL file's first row line. */
  headHash: string;
  /** sha256 of the last record / line delivered ('' before any). */
  tailHash: string;
}

/** Rows read by one {@link RowFollower.poll}. */
export interface FollowBatch {
  /** `rows * probes` losses, row-major. */
  data: Float32Array | Float64Array;
  /** The step of each row: the file's own, or the row's index when the file has none. */
  steps: Float64Array;
  rows: number;
  /** True when the producer's end marker was read: nothing more will come. */
  ended: boolean;
  /** `position(r)` names row r of the batch in messages (`record 12 (byte 1064)`, `line 7`). */
  position: (row: number) => string;
}

/** A loss file being followed. Create with {@link openFollower}. */
export interface RowFollower {
  readonly file: string;
  readonly format: FollowFormat;
  readonly probes: number;
  readonly dtype: 'float32' | 'float64';
  /** True when the file's rows carry steps (a `.rows` stream always does). */
  readonly hasSteps: boolean;
  /** The position after the last row delivered. */
  position(): FollowPosition;
  /** The file's size at the last poll, for the lag behind the producer. */
  readonly size: number;
  /** Reads the whole records / complete lines written since the last poll (up to about `maxBytes`). */
  poll(maxBytes: number): Promise<FollowBatch>;
  close(): Promise<void>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Longest JSONL line a follower waits for, in bytes (a line longer than this without its newline
 * is an error): the number the line reader allows in characters (a line of losses is ASCII).
 */
export const MAX_JSONL_LINE_BYTES = MAX_LINE_LENGTH;

/** The follow format of a path, by its extension. */
export function followFormatOf(path: string): FollowFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.rows') return 'rows';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new Rdm2Error('ERR_RDM2_USAGE', `${path}: rdm2 watch follows .rows row streams and .jsonl / .ndjson files (docs/row-stream.md), got '${ext || '(no extension)'}'`);
}

async function sizeOf(fh: FileHandle, file: string): Promise<number> {
  try {
    return (await fh.stat()).size;
  } catch (err) {
    fsError(file, err);
  }
}

/**
 * Opens a `.rows` or JSONL file to follow, from its start or from a saved position (checked
 * against the file: it must still hold the same head and, just before the position, the same
 * last record). Resolves to null while the file is too short to tell its shape (a `.rows` header
 * not yet written, no complete JSONL row yet); call again later.
 *
 * @throws Rdm2Error ERR_RDM2_FILE when the file is not a valid stream, or is not the file the
 *   saved position was taken in (shorter, another head, another last record).
 */
export async function openFollower(path: string, from?: FollowPosition): Promise<RowFollower | null> {
  const format = followFormatOf(path);
  const { fh } = await openInputFile(path);
  try {
    const f = format === 'rows' ? await RowsFollower.start(fh, path, from) : await JsonlFollower.start(fh, path, from);
    if (!f) await fh.close();
    return f;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function checkResume(fh: FileHandle, file: string, from: FollowPosition, head: string, tailStart: number): Promise<number> {
  const size = await sizeOf(fh, file);
  if (head !== from.headHash) fileError(file, '', 'its head differs from the file this watch was reading (replaced by another run?): start over with --restart, or point --state elsewhere');
  if (size < from.byte) fileError(file, '', `holds ${size} bytes, fewer than the ${from.byte} this watch had read (truncated or replaced): start over with --restart`);
  if (from.rows > 0) {
    const tail = new Uint8Array(from.byte - tailStart);
    await readExactly(fh, tail, tailStart, file);
    if (sha256(tail) !== from.tailHash) fileError(file, `byte ${tailStart}`, 'the last row this watch read has changed (the file was rewritten): start over with --restart');
  }
  return size;
}

class RowsFollower implements RowFollower {
  readonly format = 'rows' as const;
  readonly hasSteps = true;
  readonly probes: number;
  readonly dtype: 'float32' | 'float64';
  size = 0;
  private pos: FollowPosition;
  private buf = new Uint8Array(0);

  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly h: RowStreamHeader,
    pos: FollowPosition,
  ) {
    this.probes = h.probes;
    this.dtype = h.dtype;
    this.pos = pos;
  }

  static async start(fh: FileHandle, file: string, from?: FollowPosition): Promise<RowsFollower | null> {
    const size = await sizeOf(fh, file);
    if (size < ROW_STREAM_HEADER_BYTES) {
      if (from) fileError(file, '', `holds ${size} bytes, fewer than the header this watch had read (truncated or replaced): start over with --restart`);
      return null;
    }
    const head = new Uint8Array(ROW_STREAM_HEADER_BYTES);
    await readExactly(fh, head, 0, file);
    const h = parseRowStreamHeader(head, file);
    const headHash = sha256(head);
    if (from) {
      const expected = h.dataOffset + from.rows * h.recordBytes;
      if (from.byte !== expected) fileError(file, '', `saved position byte ${from.byte} is not the end of record ${from.rows} (${expected}): the state does not belong to this file`);
      await checkResume(fh, file, from, headHash, from.byte - h.recordBytes);
      return new RowsFollower(fh, file, h, { ...from });
    }
    return new RowsFollower(fh, file, h, { byte: h.dataOffset, rows: 0, lines: 0, lastStep: -1, headHash, tailHash: '' });
  }

  position(): FollowPosition {
    return { ...this.pos };
  }

  async poll(maxBytes: number): Promise<FollowBatch> {
    const h = this.h;
    this.size = await sizeOf(this.fh, this.file);
    if (this.size < this.pos.byte) fileError(this.file, '', `shrank to ${this.size} bytes below the ${this.pos.byte} already read (truncated or replaced while being followed)`);
    const whole = Math.floor((this.size - this.pos.byte) / h.recordBytes);
    const take = Math.min(whole, Math.max(1, Math.floor(maxBytes / h.recordBytes)));
    const data = h.dtype === 'float32' ? new Float32Array(take * h.probes) : new Float64Array(take * h.probes);
    const steps = new Float64Array(take);
    const first = this.pos.rows;
    const label = (k: number) => rowStreamRecordLabel(h, first + k);
    if (take === 0) return { data, steps, rows: 0, ended: false, position: label };
    const need = take * h.recordBytes;
    if (this.buf.length < need) this.buf = new Uint8Array(need);
    const bytes = this.buf.subarray(0, need);
    await readExactly(this.fh, bytes, this.pos.byte, this.file);
    const got = decodeRowStreamRecords(h, bytes, take, data, 0, steps, this.pos.lastStep, this.file, label);
    const used = got.ended ? got.rows + 1 : got.rows;
    if (got.ended) {
      const after = this.pos.byte + used * h.recordBytes;
      if (this.size !== after) fileError(this.file, `byte ${after}`, `${this.size - after} bytes after the end marker, expected nothing after it`);
    }
    if (got.rows > 0) {
      const lastRecord = bytes.subarray((got.rows - 1) * h.recordBytes, got.rows * h.recordBytes);
      this.pos.tailHash = sha256(lastRecord);
      this.pos.lastStep = got.lastStep;
    }
    this.pos.rows += got.rows;
    this.pos.byte += got.rows * h.recordBytes; // the end marker is never consumed: a resumed watch re-reads it
    return {
      data: got.rows === take ? data : data.subarray(0, got.rows * h.probes),
      steps: steps.subarray(0, got.rows),
      rows: got.rows,
      ended: got.ended,
      position: label,
    };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Splits complete lines off a byte buffer: returns [start, end) of each line (without `\n`). */
function lineSpans(bytes: Uint8Array): { spans: [number, number][]; consumed: number } {
  const spans: [number, number][] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break;
    spans.push([start, nl]);
    start = nl + 1;
  }
  return { spans, consumed: start };
}

const decoder = new TextDecoder('utf-8');

class JsonlFollower implements RowFollower {
  readonly format = 'jsonl' as const;
  readonly dtype = 'float64' as const;
  readonly hasSteps: boolean;
  size = 0;
  private pos: FollowPosition;
  private ended = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly mode: JsonlMode,
    readonly probes: number,
    private readonly firstLine: number,
    pos: FollowPosition,
  ) {
    this.hasSteps = mode.kind === 'object' && mode.step;
    this.pos = pos;
  }

  /** Finds the first row line: its number, value and byte span; null while it is not complete. */
  private static async head(fh: FileHandle, file: string): Promise<{ line: number; value: unknown; bytes: Uint8Array } | null> {
    const size = await sizeOf(fh, file);
    let at = 0;
    let line = 0;
    const chunk = 1 << 16;
    let carry = new Uint8Array(0);
    while (at < size) {
      const part = new Uint8Array(Math.min(chunk, size - at));
      await readExactly(fh, part, at, file);
      at += part.length;
      const bytes = new Uint8Array(carry.length + part.length);
      bytes.set(carry);
      bytes.set(part, carry.length);
      const { spans, consumed } = lineSpans(bytes);
      for (const [s, e] of spans) {
        line++;
        const text = decoder.decode(bytes.subarray(s, e)).replace(/^\uFEFF/, '');
        if (text.trim() === '') continue;
        const value = parseLine(text.endsWith('\r') ? text.slice(0, -1) : text, file, line);
        if (isJsonlEndMarker(value)) fileError(file, `line ${line}`, 'end marker before any row, expected at least one row of losses');
        return { line, value, bytes: bytes.slice(s, e) };
      }
      carry = bytes.slice(consumed);
      if (carry.length > MAX_JSONL_LINE_BYTES) fileError(file, `line ${line + 1}`, `longer than ${MAX_JSONL_LINE_BYTES} bytes without a newline, the longest line rdm2 reads`);
    }
    return null;
  }

  static async start(fh: FileHandle, file: string, from?: FollowPosition): Promise<JsonlFollower | null> {
    const head = await JsonlFollower.head(fh, file);
    if (!head) {
      if (from) fileError(file, '', 'holds no complete row, but this watch had read some (truncated or replaced): start over with --restart');
      return null;
    }
    const { mode, cols } = jsonlModeOf(head.value, file, head.line);
    const headHash = sha256(head.bytes);
    if (from) {
      // The tail is the last line delivered, newline excluded; find its start by scanning back.
      let tailStart = 0;
      if (from.rows > 0) {
        const back = Math.min(from.byte, MAX_JSONL_LINE_BYTES + 2);
        const bytes = new Uint8Array(back);
        await readExactly(fh, bytes, from.byte - back, file);
        const nl = bytes.lastIndexOf(0x0a, bytes.length - 2);
        tailStart = from.byte - back + nl + 1;
      }
      await checkResume(fh, file, { ...from, byte: from.rows > 0 ? from.byte - 1 : from.byte }, headHash, tailStart);
      return new JsonlFollower(fh, file, mode, cols, head.line, { ...from });
    }
    return new JsonlFollower(fh, file, mode, cols, head.line, { byte: 0, rows: 0, lines: 0, lastStep: -1, headHash, tailHash: '' });
  }

  position(): FollowPosition {
    return { ...this.pos };
  }

  async poll(maxBytes: number): Promise<FollowBatch> {
    this.size = await sizeOf(this.fh, this.file);
    if (this.size < this.pos.byte) fileError(this.file, '', `shrank to ${this.size} bytes below the ${this.pos.byte} already read (truncated or replaced while being followed)`);
    const lineNumbers: number[] = [];
    const position = (r: number) => `line ${lineNumbers[r] ?? '?'}`;
    const empty = { data: new Float64Array(0), steps: new Float64Array(0), rows: 0, ended: this.ended, position };
    const avail = this.size - this.pos.byte;
    if (avail === 0 || this.ended) return empty;
    let want = Math.min(avail, Math.max(maxBytes, 1 << 16));
    let bytes = new Uint8Array(want);
    await readExactly(this.fh, bytes, this.pos.byte, this.file);
    let { spans } = lineSpans(bytes);
    // A line longer than the batch: read on until its newline (bounded by the line limit).
    while (spans.length === 0 && want < avail) {
      if (want > MAX_JSONL_LINE_BYTES) fileError(this.file, `line ${this.pos.lines + 1}`, `longer than ${MAX_JSONL_LINE_BYTES} bytes without a newline, the longest line rdm2 reads`);
      want = Math.min(avail, want * 2);
      bytes = new Uint8Array(want);
      await readExactly(this.fh, bytes, this.pos.byte, this.file);
      ({ spans } = lineSpans(bytes));
    }
    if (spans.length === 0) {
      if (avail > MAX_JSONL_LINE_BYTES) fileError(this.file, `line ${this.pos.lines + 1}`, `longer than ${MAX_JSONL_LINE_BYTES} bytes without a newline, the longest line rdm2 reads`);
      return empty;
    }
    const n = this.probes;
    const data = new Float64Array(spans.length * n);
    const steps = new Float64Array(spans.length);
    let rows = 0;
    let line = this.pos.lines;
    let lastStep = this.pos.lastStep;
    let tail: [number, number] | undefined;
    let endAt = -1;
    for (const [s, e] of spans) {
      line++;
      let text = decoder.decode(bytes.subarray(s, e));
      if (this.pos.byte + s === 0) text = text.replace(/^\uFEFF/, '');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') continue;
      const value = parseLine(text, this.file, line);
      if (isJsonlEndMarker(value)) {
        endAt = e + 1;
        break;
      }
      const step = decodeJsonlRow(value, this.mode, n, data, rows * n, { file: this.file, line, firstLine: this.firstLine });
      const at = step ?? this.pos.rows + rows;
      if (step !== undefined && step <= lastStep) fileError(this.file, `line ${line}, step`, `${step} does not come after ${lastStep}, expected strictly increasing steps`);
      lastStep = at;
      steps[rows] = at;
      lineNumbers.push(line);
      tail = [s, e];
      rows++;
    }
    if (endAt >= 0) {
      // Only blank lines may follow the end marker.
      const rest = new Uint8Array(this.size - (this.pos.byte + endAt));
      await readExactly(this.fh, rest, this.pos.byte + endAt, this.file);
      if (decoder.decode(rest).trim() !== '') fileError(this.file, `line ${line + 1}`, `follows the end marker on line ${line}, expected nothing after it`);
      this.ended = true;
    }
    // Consume up to the last row delivered: the position always follows a row line, so a resumed
    // watch can check that line (blank lines after it are read again next time, harmlessly).
    if (rows > 0) {
      this.pos.byte += tail![1] + 1;
      this.pos.tailHash = sha256(bytes.subarray(tail![0], tail![1]));
      this.pos.lines = lineNumbers[rows - 1]!;
      this.pos.lastStep = lastStep;
      this.pos.rows += rows;
    }
    return { data: data.subarray(0, rows * n), steps: steps.subarray(0, rows), rows, ended: this.ended, position };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
