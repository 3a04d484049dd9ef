// What the text loss formats (CSV/TSV, JSONL) share: line bookkeeping, step columns, number cells.
import type { LossFormat } from './loss_array.js';
import type { LineReader } from './line_reader.js';
import type { RowSource } from './row_source.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE: Record<string, number> = {
  nan: NaN, '+nan': NaN, '-nan': NaN,
  inf: Infinity, '+inf': Infinity, '-inf': -Infinity,
  infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity,
};

/**
 * Parses a numeric cell: decimal or scientific notation, or NaN/inf/-inf/Infinity in any case
 * (as Python and NumPy write them). Returns undefined when the text is not a number.
 */
export function parseNumberCell(text: string): number | undefined {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  return NON_FINITE[t.toLowerCase()];
}

/** A text format read row by row; subclasses parse one data row at a time. */
export abstract class TextRowSource implements RowSource {
  readonly rows = undefined;
  readonly blockSize = undefined;
  readonly dtype = 'float64' as const;
  abstract readonly format: LossFormat;
  abstract readonly cols: number;
  abstract readonly probeNames: string[] | undefined;
  /** Rows delivered so far. */
  protected count = 0;
  private lineOf = new Int32Array(1024);
  private stepLog: Float64Array | undefined;
  private scratch: Float64Array | undefined;

  /** A row of n values takes at least 2n bytes (n digits, n - 1 separators and a line end; `[0]` and a newline for JSONL). */
  get maxRows(): number {
    return Math.floor(this.lines.size / (2 * this.cols)) + 1;
  }

  protected constructor(
    protected readonly lines: LineReader,
    readonly file: string,
    protected readonly hasSteps: boolean,
  ) {
    if (hasSteps) this.stepLog = new Float64Array(1024);
  }

  /** Parses the next data row into `dst` from `offset`; false at the end of the file. */
  protected abstract nextRow(dst: Float32Array | Float64Array, offset: number): Promise<boolean>;

  /** How column `col` (a probe index) of data line `line` is named in messages. */
  protected abstract describe(line: number, col: number): string;

  /** Records the line (and step) of the row just parsed. */
  protected record(line: number, step?: number): void {
    if (this.count >= this.lineOf.length) {
      const grown = new Int32Array(this.lineOf.length * 2);
      grown.set(this.lineOf);
      this.lineOf = grown;
    }
    this.lineOf[this.count] = line;
    if (this.stepLog) {
      if (this.count >= this.stepLog.length) {
        const grown = new Float64Array(this.stepLog.length * 2);
        grown.set(this.stepLog);
        this.stepLog = grown;
      }
      this.stepLog[this.count] = step!;
    }
    this.count++;
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    let k = 0;
    while (k < count && (await this.nextRow(dst, (at + k) * this.cols))) k++;
    return k;
  }

  async skip(count: number): Promise<number> {
    this.scratch ??= new Float64Array(this.cols);
    let k = 0;
    while (k < count && (await this.nextRow(this.scratch, 0))) k++;
    return k;
  }

  position(row: number, col: number): string {
    return this.describe(this.lineOf[row]!, col);
  }

  steps(): Float64Array | undefined {
    return this.stepLog?.slice(0, this.count);
  }

  async close(): Promise<void> {
    await this.lines.close();
  }
}
