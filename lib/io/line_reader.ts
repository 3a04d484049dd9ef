// Reads a UTF-8 text file line by line in bounded memory (for CSV/TSV and JSONL loss files).
// Time is linear in the file's length however long its lines: each chunk is searched once for
// line ends, and the pieces of a line longer than a chunk are joined once, when it ends.
import type { FileHandle } from 'node:fs/promises';
import { fileError, fsError } from './file_error.js';
import { openInputFile } from './input_file.js';

const CHUNK = 1 << 20;

/** The longest line read, in UTF-16 code units (a quarter of what V8 can hold in one string). */
export const MAX_LINE_LENGTH = 2 ** 27;

/**
 * Lines of a text file, without their endings and without a leading BOM. A line ends at `\n`,
 * `\r\n` or a lone `\r` (old Mac files), as Python's universal newlines read them.
 */
export class LineReader {
  /** 1-based number of the line last returned by {@link next}. */
  lineNo = 0;
  private pending: string[] = [];
  private index = 0;
  /** Pieces of the line being read that the chunks so far did not end. */
  private partial: string[] = [];
  private partialLength = 0;
  /** The last chunk ended with '\r': a '\n' opening the next one belongs to that line end. */
  private afterCR = false;
  private done = false;
  private position = 0;
  private first = true;
  private readonly buf = new Uint8Array(CHUNK);
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(
    private readonly fh: FileHandle,
    /** Bytes in the file when it was opened; nothing after them is read. */
    readonly size: number,
    readonly file: string,
  ) {}

  /** Opens a regular file (see openInputFile). */
  static async open(path: string): Promise<LineReader> {
    const { fh, size } = await openInputFile(path);
    return new LineReader(fh, size, path);
  }

  /** The next line, or undefined at the end of the file. */
  async next(): Promise<string | undefined> {
    while (this.index >= this.pending.length) {
      if (this.done) return undefined;
      await this.fill();
    }
    this.lineNo++;
    return this.pending[this.index++];
  }

  private async fill(): Promise<void> {
    let bytesRead = 0;
    // The file is read up to the size it had when opened: a file that grows is not followed.
    const want = Math.min(CHUNK, this.size - this.position);
    if (want > 0) {
      try {
        ({ bytesRead } = await this.fh.read(this.buf, 0, want, this.position));
      } catch (err) {
        fsError(this.file, err);
      }
    }
    this.position += bytesRead;
    let text = this.decoder.decode(this.buf.subarray(0, bytesRead), { stream: bytesRead > 0 });
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const lines: string[] = [];
    let start = 0;
    if (this.afterCR && text.charCodeAt(0) === 0x0a) start = 1;
    this.afterCR = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      lines.push(this.take(text.slice(start, i)));
      if (c === 0x0d) {
        if (i + 1 === text.length) this.afterCR = true;
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    const rest = text.slice(start);
    if (bytesRead === 0) {
      this.done = true;
      if (rest.length > 0 || this.partialLength > 0) lines.push(this.take(rest));
    } else if (rest.length > 0) {
      this.partialLength += rest.length;
      if (this.partialLength > MAX_LINE_LENGTH) {
        fileError(this.file, `line ${this.lineNo + lines.length + 1}`, `longer than ${MAX_LINE_LENGTH} characters, the longest line rdm2 reads`);
      }
      this.partial.push(rest);
    }
    this.pending = lines;
    this.index = 0;
  }

  /** The line ending with `tail`, joined with the pieces earlier chunks left. */
  private take(tail: string): string {
    if (this.partial.length === 0) return tail;
    this.partial.push(tail);
    const line = this.partial.join('');
    this.partial = [];
    this.partialLength = 0;
    return line;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
