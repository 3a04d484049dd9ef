// Parquet loss files (wide or long, see table_rows.ts), read one row group at a time with
// hyparquet (pure JavaScript, no native code) and hyparquet-compressors (every Parquet codec).
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { Rdm2Error } from '../errors.js';
import { fileError } from './file_error.js';
import { openInputFile } from './input_file.js';
import { openTableRows, type TableBatch, type TableColumn, type TableColumnKind, type TableFile, type TableValues } from './table_rows.js';
import type { RowSource } from './row_source.js';

/** The most values rdm2 decodes from one row group at once (2 GiB of float64). */
const MAX_GROUP_VALUES = 2 ** 28;
/** About how many bytes of values one hyparquet read decodes (whole columns of one row group). */
const DECODE_BYTES = 2 * 2 ** 20;

/** Byte ranges of the file, read on demand (hyparquet's AsyncBuffer); a short read is a truncated file. */
class FileRange implements AsyncBuffer {
  constructor(
    private readonly fh: FileHandle,
    readonly byteLength: number,
    private readonly file: string,
  ) {}

  async slice(start: number, end: number = this.byteLength): Promise<ArrayBuffer> {
    if (start < 0 || end > this.byteLength || end < start) {
      fileError(this.file, `byte ${start}`, `a read of bytes ${start}-${end} lies outside the file (${this.byteLength} bytes): the metadata points past the end of the file`);
    }
    const out = new Uint8Array(end - start);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await this.fh.read(out, done, out.length - done, start + done);
      if (bytesRead === 0) fileError(this.file, `byte ${start + done}`, 'truncated: the file ended while reading');
      done += bytesRead;
    }
    return out.buffer;
  }
}

/** Turns a library failure into ERR_RDM2_FILE at `position`; our own errors pass through. */
function asFileError(file: string, position: string, err: unknown): never {
  if (err instanceof Rdm2Error) throw err;
  const why = err instanceof Error ? err.message : String(err);
  fileError(file, position, `not a readable Parquet file (${why})`, err);
}

function kindOf(node: SchemaTree): { kind: TableColumnKind; type: string } {
  const e = node.element;
  const logical = e.logical_type?.type;
  const type = [e.type ?? 'GROUP', logical ?? e.converted_type].filter(Boolean).join(' ');
  if (node.children.length > 0 || e.repetition_type === 'REPEATED') return { kind: 'other', type: `${type} (nested)` };
  if (e.type === 'DOUBLE') return { kind: 'float64', type };
  if (e.type === 'FLOAT') return { kind: 'float32', type };
  if (e.type === 'FIXED_LEN_BYTE_ARRAY' && logical === 'FLOAT16') return { kind: 'float32', type };
  if ((e.type === 'INT32' || e.type === 'INT64') && (logical === undefined || logical === 'INTEGER') && (e.converted_type === undefined || /^U?INT_/.test(e.converted_type))) {
    return { kind: 'integer', type };
  }
  if (e.type === 'BYTE_ARRAY' && (logical === 'STRING' || e.converted_type === 'UTF8')) return { kind: 'string', type };
  return { kind: 'other', type };
}

/** Checks what the footer says against the file itself before any row group is read. */
function checkLayout(md: FileMetaData, bytes: number, file: string): void {
  let total = 0;
  md.row_groups.forEach((rg, g) => {
    const rows = Number(rg.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0) fileError(file, `row group ${g}`, `declares ${rg.num_rows} rows, expected a count`);
    total += rows;
    for (const c of rg.columns) {
      const m = c.meta_data;
      if (!m) continue;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      const end = start + Number(m.total_compressed_size);
      if (!(start >= 0 && end <= bytes && end >= start)) {
        fileError(file, `row group ${g}, column '${m.path_in_schema.join('.')}'`, `its data at bytes ${start}-${end} lies outside the file (${bytes} bytes): truncated or corrupt`);
      }
    }
  });
  if (total !== Number(md.num_rows)) fileError(file, 'footer', `declares ${md.num_rows} rows but its row groups hold ${total}`);
}

class ParquetTable implements TableFile {
  readonly format = 'parquet' as const;
  readonly rows: number;
  readonly columns: TableColumn[];

  constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly range: FileRange,
    private readonly md: FileMetaData,
  ) {
    this.rows = Number(md.num_rows);
    this.columns = parquetSchema(md).children.map((node) => ({ name: node.element.name, ...kindOf(node) }));
  }

  async *batches(indices: number[]): AsyncGenerator<TableBatch> {
    const names = indices.map((i) => this.columns[i]!.name);
    const floats = indices.map((i) => this.columns[i]!.kind.startsWith('float'));
    let start = 0;
    // One set of float columns, reused by every row group (sized for the largest): the caller has
    // copied a batch out before it asks for the next one.
    const largest = Math.max(0, ...this.md.row_groups.map((rg) => Number(rg.num_rows)));
    const floatColumns = floats.map((f) => (f && largest * names.length <= MAX_GROUP_VALUES ? new Float64Array(largest) : undefined));
    for (let g = 0; g < this.md.row_groups.length; g++) {
      const rows = Number(this.md.row_groups[g]!.num_rows);
      const where = `row group ${g} (rows ${start}-${start + rows - 1})`;
      if (rows * names.length > MAX_GROUP_VALUES) {
        fileError(this.file, where, `${rows} rows x ${names.length} columns is more than rdm2 decodes at once (${MAX_GROUP_VALUES} values): write smaller row groups (row_group_size)`);
      }
      if (rows === 0) continue;
      // Floats go straight into typed arrays (a missing value is NaN); steps and probe ids stay as read.
      const columns: (Float64Array | unknown[])[] = floatColumns.map((c) => (c ? c.subarray(0, rows).fill(NaN) : new Array<unknown>(rows)));
      const filled = new Float64Array(names.length);
      const groupStart = start;
      // A few columns per read: hyparquet's decoding garbage (definition levels, boxed arrays) then
      // stays a fraction of the row group instead of several times it.
      const perRead = Math.max(1, Math.floor(DECODE_BYTES / (rows * 8)));
      try {
        for (let first = 0; first < names.length; first += perRead) {
          await parquetRead({
            file: this.range,
            metadata: this.md,
            columns: names.slice(first, first + perRead),
            rowStart: groupStart,
            rowEnd: groupStart + rows,
            compressors,
            onChunk: (chunk) => {
              const c = names.indexOf(chunk.columnName);
              const from = chunk.rowStart - groupStart;
              if (c < 0 || from < 0 || chunk.rowEnd - groupStart > rows) return;
              const dst = columns[c]!;
              const src = chunk.columnData as ArrayLike<unknown>;
              if (dst instanceof Float64Array) {
                for (let r = 0; r < src.length; r++) {
                  const v = src[r];
                  dst[from + r] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
                }
              } else {
                for (let r = 0; r < src.length; r++) dst[from + r] = src[r];
              }
              filled[c] += src.length;
            },
          });
        }
      } catch (err) {
        asFileError(this.file, where, err);
      }
      for (let c = 0; c < names.length; c++) {
        if (filled[c] !== rows) fileError(this.file, `${where}, column '${names[c]}'`, `holds ${filled[c]} values, expected ${rows}`);
      }
      start += rows;
      yield { rows, columns: columns as TableValues[] };
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Opens a Parquet loss file for row-by-row reading: wide (an optional `step` column and one
 * float column per probe) or long (`step`, `probe`, `loss`). Holds one row group at a time.
 */
export async function openParquetRows(path: string): Promise<RowSource> {
  const { fh, size } = await openInputFile(path);
  let md: FileMetaData;
  const range = new FileRange(fh, size, path);
  try {
    if (size < 12) fileError(path, `byte ${size}`, `truncated: ${size} bytes, a Parquet file holds at least 12 (PAR1 ... footer PAR1)`);
    const head = new Uint8Array(await range.slice(0, 4));
    const tail = new Uint8Array(await range.slice(size - 4, size));
    const magic = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31;
    if (!magic(head)) fileError(path, 'byte 0', "not a Parquet file: it does not start with 'PAR1'");
    if (!magic(tail)) fileError(path, `byte ${size - 4}`, "truncated or not a Parquet file: it does not end with 'PAR1'");
    try {
      md = await parquetMetadataAsync(range);
    } catch (err) {
      asFileError(path, 'footer', err);
    }
    checkLayout(md, size, path);
  } catch (err) {
    await fh.close();
    throw err;
  }
  return openTableRows(new ParquetTable(fh, path, range, md));
}
