// Loss tables (Parquet, Arrow IPC) read batch by batch as rows of checkpoints. Two layouts:
// wide (an optional `step` column and one float column per probe, one row per checkpoint) and
// long (columns `step`, `probe`, `loss`: one row per checkpoint and probe, grouped by step).
import { showValue } from '../show_value.js';
import { fileError } from './file_error.js';
import type { LossFormat } from './loss_array.js';
import type { RowSource } from './row_source.js';

/** How a column's values come out of its reader. */
export type TableColumnKind = 'float32' | 'float64' | 'integer' | 'string' | 'other';

/** One column of a loss table, as its file declares it. */
export interface TableColumn {
  name: string;
  kind: TableColumnKind;
  /** The type as the file names it, for messages (`DOUBLE`, `Float64`, `BYTE_ARRAY (UTF8)`...). */
  type: string;
}

/** Values of one column of a batch: numbers (null for a missing value), bigints or strings. */
export type TableValues = ArrayLike<number | bigint | string | null | undefined>;

/** Consecutive rows of the table: one value array per requested column, each `rows` long. */
export interface TableBatch {
  rows: number;
  columns: TableValues[];
}

/** What a table format hands to {@link openTableRows}. */
export interface TableFile {
  file: string;
  format: LossFormat;
  columns: TableColumn[];
  /** Total rows when the file declares them (Parquet); undefined when only reading tells (Arrow). */
  rows: number | undefined;
  /**
   * The batches in file order with the values of the columns at `indices` (in that order),
   * each batch at most a bounded size (a Parquet row group, an Arrow record batch).
   */
  batches(indices: number[]): AsyncIterator<TableBatch>;
  close(): Promise<void>;
}

/** pandas writes a non-default index as `__index_level_0__`: not a probe. */
function isPandasIndex(name: string): boolean {
  return /^__index_level_\d+__$/.test(name);
}

function numberOf(v: number | bigint | string | null | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return NaN;
}

/** A step value as a number; undefined when it is missing or not an exact number. */
function stepOf(v: number | bigint | string | null | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') {
    const x = Number(v);
    return Number.isSafeInteger(x) ? x : undefined;
  }
  return undefined;
}

class Steps {
  private log = new Float64Array(1024);
  count = 0;
  push(step: number): void {
    if (this.count === this.log.length) {
      const grown = new Float64Array(this.log.length * 2);
      grown.set(this.log);
      this.log = grown;
    }
    this.log[this.count++] = step;
  }
  at(i: number): number {
    return this.log[i]!;
  }
  values(): Float64Array {
    return this.log.slice(0, this.count);
  }
}

/**
 * Opens a loss table for row-by-row reading: the long layout when it has `probe` and `loss`
 * columns, else the wide layout. Memory is one batch plus the caller's buffers.
 */
export async function openTableRows(table: TableFile): Promise<RowSource> {
  try {
    const names = table.columns.map((c) => c.name);
    if (names.includes('probe') && names.includes('loss')) return await LongTableRows.open(table);
    return WideTableRows.open(table);
  } catch (err) {
    await table.close();
    throw err;
  }
}

function requireColumn(table: TableFile, name: string, kinds: TableColumnKind[], what: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) fileError(table.file, 'schema', `no '${name}' column, expected ${what}`);
  const c = table.columns[i]!;
  if (!kinds.includes(c.kind)) fileError(table.file, `schema, column '${name}'`, `type ${c.type}, expected ${what}`);
  return i;
}

/** Wide: an optional `step` column and one float column per probe; one row per checkpoint. */
class WideTableRows implements RowSource {
  readonly blockSize = undefined;
  readonly cols: number;
  readonly rows: number | undefined;
  readonly dtype: 'float32' | 'float64';
  readonly probeNames: string[];
  private readonly it: AsyncIterator<TableBatch>;
  private readonly stepLog: Steps | undefined;
  private batch: TableBatch | undefined;
  private offset = 0; // next row within `batch`
  private row = 0; // rows delivered so far
  private done = false;
  private scratch: Float64Array | undefined;

  static open(table: TableFile): WideTableRows {
    const stepIndex = table.columns.findIndex((c) => c.name === 'step');
    if (stepIndex >= 0) requireColumn(table, 'step', ['integer', 'float32', 'float64'], 'step numbers (integers or floats)');
    const probes: number[] = [];
    table.columns.forEach((c, i) => {
      if (i === stepIndex || isPandasIndex(c.name)) return;
      if (c.kind !== 'float32' && c.kind !== 'float64') {
        fileError(
          table.file,
          `schema, column '${c.name}'`,
          `type ${c.type}, expected float32 or float64 losses (a wide table holds an optional 'step' column and one float column per probe; a long table holds 'step', 'probe' and 'loss')`,
        );
      }
      probes.push(i);
    });
    if (probes.length === 0) fileError(table.file, 'schema', 'no probe columns, expected one float column per probe (or the long layout: step, probe, loss)');
    return new WideTableRows(table, probes, stepIndex);
  }

  private constructor(
    private readonly table: TableFile,
    probeColumns: number[],
    stepColumn: number,
  ) {
    this.cols = probeColumns.length;
    this.rows = table.rows;
    this.dtype = probeColumns.every((i) => table.columns[i]!.kind === 'float32') ? 'float32' : 'float64';
    this.probeNames = probeColumns.map((i) => table.columns[i]!.name);
    this.stepLog = stepColumn >= 0 ? new Steps() : undefined;
    this.it = table.batches(stepColumn >= 0 ? [...probeColumns, stepColumn] : probeColumns);
  }

  get file(): string {
    return this.table.file;
  }

  get format(): LossFormat {
    return this.table.format;
  }

  /** The declared rows (Parquet); an Arrow file declares none, and compressed batches can hold any number. */
  get maxRows(): number {
    return this.rows ?? Number.MAX_SAFE_INTEGER;
  }

  private async ensureBatch(): Promise<boolean> {
    while (!this.done && (this.batch === undefined || this.offset >= this.batch.rows)) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        this.batch = undefined;
        if (this.rows !== undefined && this.row !== this.rows) {
          fileError(this.file, `row ${this.row}`, `the file declares ${this.rows} rows but its data ends after ${this.row}`);
        }
      } else {
        this.batch = next.value;
        this.offset = 0;
      }
    }
    return !this.done;
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    const n = this.cols;
    let k = 0;
    while (k < count && (await this.ensureBatch())) {
      const b = this.batch!;
      const take = Math.min(count - k, b.rows - this.offset);
      for (let c = 0; c < n; c++) {
        const col = b.columns[c]!;
        for (let r = 0; r < take; r++) dst[(at + k + r) * n + c] = numberOf(col[this.offset + r]);
      }
      this.recordSteps(b, take);
      this.offset += take;
      this.row += take;
      k += take;
    }
    return k;
  }

  private recordSteps(b: TableBatch, take: number): void {
    if (!this.stepLog) return;
    const col = b.columns[this.cols]!;
    for (let r = 0; r < take; r++) {
      const v = col[this.offset + r];
      const step = stepOf(v);
      if (step === undefined) fileError(this.file, `row ${this.row + r}, column 'step'`, `${showValue(v)} is not a step number, expected a finite number`);
      this.stepLog.push(step);
    }
  }

  async skip(count: number): Promise<number> {
    this.scratch ??= new Float64Array(this.cols * 256);
    let k = 0;
    while (k < count) {
      const got = await this.read(this.scratch, 0, Math.min(256, count - k));
      if (got === 0) break;
      k += got;
    }
    return k;
  }

  position(row: number, col: number): string {
    return `row ${row}, column '${this.probeNames[col]}'`;
  }

  steps(): Float64Array | undefined {
    return this.stepLog?.values();
  }

  async close(): Promise<void> {
    await this.table.close();
  }
}

/** A probe id of the long layout: an integer or a string. */
type ProbeId = number | string;

function probeIdOf(v: number | bigint | string | null | undefined): ProbeId | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
  return undefined;
}

/**
 * Long: one row per (step, probe), the rows of each step together, every step with the same
 * probes once each. Probes become columns in sorted order (numbers ascending, strings by code unit).
 */
class LongTableRows implements RowSource {
  readonly blockSize = undefined;
  readonly rows = undefined;
  readonly dtype: 'float32' | 'float64';
  readonly cols: number;
  readonly probeNames: string[];
  private readonly stepLog = new Steps();
  private firstRow: number[] = []; // file row where each delivered step starts (for messages)
  private batch: TableBatch | undefined;
  private offset = 0;
  private fileRow = 0; // file row of batch[offset]
  private done = false;
  private pending: Float64Array | undefined; // the first step, read while finding the probes
  private pendingStep = 0;
  private pendingRow = 0;
  private scratch: Float64Array | undefined;

  static async open(table: TableFile): Promise<LongTableRows> {
    const step = requireColumn(table, 'step', ['integer', 'float32', 'float64'], "step numbers (integers or floats)");
    const probe = requireColumn(table, 'probe', ['integer', 'string'], 'probe ids (integers or strings)');
    const loss = requireColumn(table, 'loss', ['float32', 'float64'], 'float32 or float64 losses');
    for (const c of table.columns) {
      if (!['step', 'probe', 'loss'].includes(c.name) && !isPandasIndex(c.name)) {
        fileError(table.file, `schema, column '${c.name}'`, "unexpected column, expected only 'step', 'probe' and 'loss' in a long table");
      }
    }
    const it = table.batches([step, probe, loss]);
    const source = new LongTableRows(table, it, table.columns[loss]!.kind === 'float32' ? 'float32' : 'float64');
    await source.readFirstStep();
    return source;
  }

  private ids: ProbeId[] = [];
  private indexOf = new Map<ProbeId, number>();

  private constructor(
    private readonly table: TableFile,
    private readonly it: AsyncIterator<TableBatch>,
    dtype: 'float32' | 'float64',
  ) {
    this.dtype = dtype;
    this.cols = 0;
    this.probeNames = [];
  }

  get file(): string {
    return this.table.file;
  }

  get format(): LossFormat {
    return this.table.format;
  }

  /** A checkpoint takes `cols` rows of the table: the declared table rows over that (Parquet), else unbounded (Arrow). */
  get maxRows(): number {
    return this.table.rows === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(this.table.rows / Math.max(1, this.cols));
  }

  private async ensureBatch(): Promise<boolean> {
    while (!this.done && (this.batch === undefined || this.offset >= this.batch.rows)) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        this.batch = undefined;
      } else {
        this.batch = next.value;
        this.offset = 0;
      }
    }
    return !this.done;
  }

  /** The step of the next row, or undefined at the end of the file. */
  private async peekStep(): Promise<number | undefined> {
    if (!(await this.ensureBatch())) return undefined;
    const v = this.batch!.columns[0]![this.offset];
    const step = stepOf(v);
    if (step === undefined) fileError(this.file, `row ${this.fileRow}, column 'step'`, `${showValue(v)} is not a step number, expected a finite number`);
    return step;
  }

  /** Reads the first step's rows to learn the probes (sorted), and keeps its losses. */
  private async readFirstStep(): Promise<void> {
    const first = await this.peekStep();
    if (first === undefined) fileError(this.file, 'row 0', 'no rows, expected at least one checkpoint');
    const ids: ProbeId[] = [];
    const values: number[] = [];
    const seen = new Set<ProbeId>();
    while ((await this.peekStep()) === first) {
      const b = this.batch!;
      const id = probeIdOf(b.columns[1]![this.offset]);
      if (id === undefined) fileError(this.file, `row ${this.fileRow}, column 'probe'`, `${showValue(b.columns[1]![this.offset])} is not a probe id, expected an integer or a string`);
      if (seen.has(id)) fileError(this.file, `row ${this.fileRow}`, `probe ${JSON.stringify(id)} appears twice at step ${first}, expected each probe once per step`);
      seen.add(id);
      ids.push(id);
      values.push(numberOf(b.columns[2]![this.offset]));
      this.offset++;
      this.fileRow++;
    }
    const kinds = new Set(ids.map((x) => typeof x));
    if (kinds.size > 1) fileError(this.file, 'row 0', 'probe ids mix numbers and strings, expected one kind');
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    this.ids = order.map((i) => ids[i]!);
    this.ids.forEach((id, c) => this.indexOf.set(id, c));
    this.pending = Float64Array.from(order, (i) => values[i]!);
    this.pendingStep = first;
    this.pendingRow = 0;
    (this as { cols: number }).cols = this.ids.length;
    (this as { probeNames: string[] }).probeNames = this.ids.map(String);
  }

  /** Reads one step's rows into `dst` at `offset`; false at the end of the file. */
  private async nextStep(dst: Float32Array | Float64Array, offset: number): Promise<boolean> {
    const n = this.cols;
    if (this.pending) {
      for (let c = 0; c < n; c++) dst[offset + c] = this.pending[c]!;
      this.pending = undefined;
      this.stepLog.push(this.pendingStep);
      this.firstRow.push(this.pendingRow);
      return true;
    }
    const step = await this.peekStep();
    if (step === undefined) return false;
    const start = this.fileRow;
    const filled = new Uint8Array(n);
    let count = 0;
    while ((await this.peekStep()) === step) {
      const b = this.batch!;
      const raw = b.columns[1]![this.offset];
      const id = probeIdOf(raw);
      const c = id === undefined ? undefined : this.indexOf.get(id);
      if (c === undefined) fileError(this.file, `row ${this.fileRow}, column 'probe'`, `probe ${showValue(raw)} at step ${step} is not among the ${n} probes of the first step, expected the same probes at every step`);
      if (filled[c]) fileError(this.file, `row ${this.fileRow}`, `probe ${showValue(raw)} appears twice at step ${step}, expected each probe once per step`);
      filled[c] = 1;
      count++;
      dst[offset + c] = numberOf(b.columns[2]![this.offset]);
      this.offset++;
      this.fileRow++;
    }
    if (count < n) {
      const missing = this.ids.find((_, c) => !filled[c]);
      fileError(this.file, `rows ${start}-${this.fileRow - 1}`, `step ${step} has ${count} of the ${n} probes (probe ${JSON.stringify(missing)} is missing), expected every probe at every step; rows of one step must be together`);
    }
    this.stepLog.push(step);
    this.firstRow.push(start);
    return true;
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    let k = 0;
    while (k < count && (await this.nextStep(dst, (at + k) * this.cols))) k++;
    return k;
  }

  async skip(count: number): Promise<number> {
    this.scratch ??= new Float64Array(this.cols);
    let k = 0;
    while (k < count && (await this.nextStep(this.scratch, 0))) k++;
    return k;
  }

  position(row: number, col: number): string {
    const start = this.firstRow[row];
    const where = start === undefined ? `checkpoint ${row}` : `step ${this.stepLog.at(row)} (from row ${start})`;
    return `${where}, probe ${JSON.stringify(this.ids[col])}`;
  }

  steps(): Float64Array {
    return this.stepLog.values();
  }

  async close(): Promise<void> {
    await this.table.close();
  }
}
