// Reads a UTF-8 text file line by line in bounded memory (for CSV/TSV and JSONL loss files).
import { open, type FileHandle } from 'node:fs/promises';
import { fsError } from './file_error.js';

const CHUNK = 1 << 20;

/** Lines of a text file, without their `\n` / `\r\n` endings and without a leading BOM. */
export class LineReader {
  /** 1-based number of the line last returned by {@link next}. */
  lineNo = 0;
  private pending: string[] = [];
  private index = 0;
  private rest = '';
  private done = false;
  private position = 0;
  private readonly buf = new Uint8Array(CHUNK);
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(
    private readonly fh: FileHandle,
    readonly file: string,
  ) {}

  static async open(path: string): Promise<LineReader> {
    try {
      const fh = await open(path, 'r');
      try {
        if ((await fh.stat()).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      } catch (err) {
        await fh.close();
        throw err;
      }
      return new LineReader(fh, path);
    } catch (err) {
      fsError(path, err);
    }
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
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.fh.read(this.buf, 0, CHUNK, this.position));
    } catch (err) {
      fsError(this.file, err);
    }
    this.position += bytesRead;
    let text = this.rest + this.decoder.decode(this.buf.subarray(0, bytesRead), { stream: bytesRead > 0 });
    if (this.position === bytesRead && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const parts = text.split('\n');
    if (bytesRead === 0) {
      this.done = true;
      if (parts[parts.length - 1] === '') parts.pop();
      this.rest = '';
    } else {
      this.rest = parts.pop()!;
    }
    this.pending = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    this.index = 0;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
