// CSV / TSV loss files: one line per checkpoint, one field per probe. Optional header line of
// probe names, optional `step` column, optional unnamed leading index column (pandas' to_csv).
import { showValue } from '../show_value.js';
import { fileError } from './file_error.js';
import { LineReader } from './line_reader.js';
import type { RowSource } from './row_source.js';
import { TextRowSource, parseNumberCell } from './text_row_source.js';

/** Splits one line into fields; `"..."` quoting with `""` escapes as RFC 4180 (no embedded newlines). */
export function splitCsvLine(line: string, delimiter: string): string[] | undefined {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      while (i < line.length && line[i] !== delimiter) {
        if (line[i] !== ' ') return undefined; // text after a closing quote
        i++;
      }
    } else {
      const end = line.indexOf(delimiter, i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // delimiter
  }
}

function isDefaultLabels(cells: string[]): boolean {
  return cells.every((c, i) => c.trim() === String(i));
}

interface Layout {
  fields: number;
  indexColumn: boolean;
  stepColumn: number; // -1 when absent
  names: string[] | undefined; // probe names from the header
  headerLine: number; // 0 when there is no header
  firstLine: number; // the first non-blank line
}

class CsvRowSource extends TextRowSource {
  readonly cols: number;
  readonly probeNames: string[] | undefined;
  private firstData: { line: number; cells: string[] } | undefined;

  constructor(
    lines: LineReader,
    file: string,
    readonly format: 'csv' | 'tsv',
    private readonly delimiter: string,
    private readonly layout: Layout,
    firstData: { line: number; cells: string[] } | undefined,
  ) {
    super(lines, file, layout.stepColumn >= 0);
    this.cols = layout.fields - (layout.indexColumn ? 1 : 0) - (layout.stepColumn >= 0 ? 1 : 0);
    this.probeNames = layout.names;
    this.firstData = firstData;
  }

  private fieldOf(col: number): number {
    let f = col + (this.layout.indexColumn ? 1 : 0);
    if (this.layout.stepColumn >= 0 && f >= this.layout.stepColumn) f++;
    return f;
  }

  protected describe(line: number, col: number): string {
    const name = this.probeNames?.[col];
    return `line ${line}, field ${this.fieldOf(col) + 1}${name !== undefined ? ` (probe '${name}')` : ''}`;
  }

  /** The next non-blank line: split into cells when it has quotes, else as text (split while parsing). */
  private async nextLine(): Promise<{ line: number; cells?: string[]; text?: string } | undefined> {
    if (this.firstData) {
      const d = this.firstData;
      this.firstData = undefined;
      return d;
    }
    for (;;) {
      const text = await this.lines.next();
      if (text === undefined) return undefined;
      if (text.trim() === '') continue;
      if (!text.includes('"')) return { line: this.lines.lineNo, text };
      const cells = splitCsvLine(text, this.delimiter);
      if (!cells) fileError(this.file, `line ${this.lines.lineNo}`, 'unterminated or misplaced quote, expected "..." around a whole field');
      return { line: this.lines.lineNo, cells };
    }
  }

  private checkFieldCount(count: number, line: number): void {
    const L = this.layout;
    if (count !== L.fields) {
      const like = L.headerLine ? `the header on line ${L.headerLine}` : `line ${L.firstLine}`;
      fileError(this.file, `line ${line}`, `${count} fields, expected ${L.fields} like ${like}`);
    }
  }

  private stepOf(text: string, line: number): number {
    const step = parseNumberCell(text);
    if (step === undefined || !Number.isFinite(step)) {
      fileError(this.file, `line ${line}, field ${this.layout.stepColumn + 1} (step)`, `${showValue(text)} is not a step number, expected a finite number`);
    }
    return step;
  }

  private lossOf(text: string, line: number, c: number): number {
    // An empty field is a missing value (pandas writes NaN as ''): NaN, handled by the nonFinite policy.
    const v = text.trim() === '' ? NaN : parseNumberCell(text);
    if (v === undefined) fileError(this.file, this.describe(line, c), `${showValue(text)} is not a number, expected a loss (decimal, or NaN/inf)`);
    return v;
  }

  protected async nextRow(dst: Float32Array | Float64Array, offset: number): Promise<boolean> {
    const got = await this.nextLine();
    if (!got) return false;
    const { line } = got;
    const L = this.layout;
    let step: number | undefined;
    if (got.cells) {
      const cells = got.cells;
      this.checkFieldCount(cells.length, line);
      if (L.stepColumn >= 0) step = this.stepOf(cells[L.stepColumn]!, line);
      for (let c = 0; c < this.cols; c++) dst[offset + c] = this.lossOf(cells[this.fieldOf(c)]!, line, c);
    } else {
      // Unquoted: fields are parsed where they lie, without an array of a million cell strings.
      const text = got.text!;
      const d = this.delimiter;
      let count = 1;
      for (let i = text.indexOf(d); i >= 0; i = text.indexOf(d, i + 1)) count++;
      this.checkFieldCount(count, line);
      const skipped = L.indexColumn ? 1 : 0;
      let start = 0;
      let c = 0;
      for (let f = 0; f < count; f++) {
        const end = f + 1 < count ? text.indexOf(d, start) : text.length;
        const cell = text.slice(start, end);
        start = end + 1;
        if (f === L.stepColumn) step = this.stepOf(cell, line);
        else if (f >= skipped) dst[offset + c] = this.lossOf(cell, line, c++);
      }
    }
    this.record(line, step);
    return true;
  }
}

/**
 * Opens a CSV (`.csv`, comma) or TSV (`.tsv`, tab) loss file for row-by-row reading. The first
 * non-blank line is a header when any of its fields is not a number (or when it is exactly
 * 0, 1, ..., n-1, pandas' default column labels, possibly after an empty index label; an empty
 * field is a missing value, not a name); a header field named `step` (any case) is the
 * step column; an empty first header field marks an index column, which is ignored.
 */
export async function openCsvRows(path: string, format: 'csv' | 'tsv'): Promise<RowSource> {
  const delimiter = format === 'tsv' ? '\t' : ',';
  const lines = await LineReader.open(path);
  try {
    let first: string | undefined;
    do first = await lines.next();
    while (first !== undefined && first.trim() === '');
    if (first === undefined) fileError(path, 'line 1', 'empty file, expected a header or a line of losses');
    const firstLine = lines.lineNo;
    const cells = splitCsvLine(first, delimiter);
    if (!cells) fileError(path, `line ${firstLine}`, 'unterminated or misplaced quote, expected "..." around a whole field');
    // An empty field is a missing value (NaN), not a name: a header has a field that is text, or
    // is exactly pandas' default labels 0..n-1 (after an empty index-column label).
    const isHeader =
      cells.some((c) => c.trim() !== '' && parseNumberCell(c) === undefined) ||
      isDefaultLabels(cells) ||
      (cells.length > 1 && cells[0]!.trim() === '' && isDefaultLabels(cells.slice(1)));
    let layout: Layout;
    if (isHeader) {
      const names = cells.map((c) => c.trim());
      const indexColumn = names[0] === '';
      const stepColumn = names.findIndex((c, i) => c.toLowerCase() === 'step' && !(indexColumn && i === 0));
      const probeNames = names.filter((_, i) => i !== stepColumn && !(indexColumn && i === 0));
      if (probeNames.length === 0) fileError(path, `line ${firstLine}`, 'the header names no probe columns, expected at least one');
      layout = { fields: cells.length, indexColumn, stepColumn, names: probeNames, headerLine: firstLine, firstLine };
      return new CsvRowSource(lines, path, format, delimiter, layout, undefined);
    }
    layout = { fields: cells.length, indexColumn: false, stepColumn: -1, names: undefined, headerLine: 0, firstLine };
    return new CsvRowSource(lines, path, format, delimiter, layout, { line: firstLine, cells });
  } catch (err) {
    await lines.close();
    throw err;
  }
}
