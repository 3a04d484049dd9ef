// Arrow IPC loss files (the file format, alias Feather v2, and the stream format), wide or long
// (see table_rows.ts), read one record batch at a time with apache-arrow. Compressed batches
// (pyarrow's Feather default is LZ4, ZSTD on request) are decoded by lz4js / fzstd.
import type { FileHandle } from 'node:fs/promises';
import { RecordBatchReader, Type, type DataType, type RecordBatch, type Vector } from 'apache-arrow';
import { Rdm2Error } from '../errors.js';
import { fileError } from './file_error.js';
import { registerArrowCodecs } from './arrow_codecs.js';
import { openInputFile } from './input_file.js';
import type { RowSource } from './row_source.js';
import { openTableRows, type TableBatch, type TableColumn, type TableColumnKind, type TableFile, type TableValues } from './table_rows.js';

function asFileError(file: string, position: string, err: unknown): never {
  if (err instanceof Rdm2Error) throw err;
  const why = err instanceof Error ? err.message : String(err);
  fileError(file, position, `not a readable Arrow IPC file (${why})`, err);
}

function kindOf(type: DataType): TableColumnKind {
  switch (type.typeId) {
    case Type.Float:
      return (type as unknown as { precision: number }).precision === 2 ? 'float64' : 'float32';
    case Type.Int:
      return 'integer';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'string';
    case Type.Dictionary: {
      const value = (type as unknown as { dictionary: DataType }).dictionary;
      return value.typeId === Type.Utf8 || value.typeId === Type.LargeUtf8 ? 'string' : 'other';
    }
    default:
      return 'other';
  }
}

/** A column's values: the typed array itself when it has no nulls, NaN / null for missing values otherwise. */
function valuesOf(v: Vector, kind: TableColumnKind): TableValues {
  if (kind === 'float32' || kind === 'float64') {
    const data = v.data[0]!;
    const values = data.values as Float32Array | Float64Array | Uint16Array;
    if (values instanceof Uint16Array || data.nullCount > 0) {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v.get(i) as number | null;
        out[i] = x === null ? NaN : x;
      }
      return out;
    }
    return values.subarray(data.offset, data.offset + data.length);
  }
  return v.toArray() as TableValues;
}

class ArrowTable implements TableFile {
  readonly format = 'arrow' as const;
  readonly rows = undefined;
  readonly columns: TableColumn[];

  constructor(
    private readonly fh: FileHandle,
    readonly file: string,
    private readonly reader: AsyncIterable<RecordBatch> & { schema: { fields: { name: string; type: DataType }[] } },
  ) {
    this.columns = reader.schema.fields.map((f) => ({ name: f.name, kind: kindOf(f.type), type: String(f.type) }));
  }

  async *batches(indices: number[]): AsyncGenerator<TableBatch> {
    let b = 0;
    const it = this.reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await it.next();
      } catch (err) {
        asFileError(this.file, `record batch ${b}`, err);
      }
      if (next.done) return;
      const batch = next.value;
      let columns: TableValues[];
      try {
        columns = indices.map((i) => valuesOf(batch.getChildAt(i)!, this.columns[i]!.kind));
      } catch (err) {
        asFileError(this.file, `record batch ${b}`, err);
      }
      b++;
      yield { rows: batch.numRows, columns };
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Opens an Arrow IPC loss file (`.arrow` / `.feather` file format, or `.arrows` stream format)
 * for row-by-row reading: wide or long, one record batch in memory at a time.
 */
export async function openArrowRows(path: string): Promise<RowSource> {
  registerArrowCodecs();
  const { fh, size } = await openInputFile(path);
  let table: ArrowTable;
  try {
    if (size === 0) fileError(path, 'byte 0', 'empty file, expected an Arrow IPC file or stream');
    const head = new Uint8Array(8);
    await fh.read(head, 0, Math.min(8, size), 0);
    if (head[0] === 0x46 && head[1] === 0x45 && head[2] === 0x41 && head[3] === 0x31) {
      fileError(path, 'byte 0', "Feather version 1 (magic 'FEA1'), expected Arrow IPC (Feather version 2): rewrite it with a current pyarrow or pandas");
    }
    let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
    try {
      reader = await RecordBatchReader.from(fh);
      await reader.open();
    } catch (err) {
      asFileError(path, 'schema', err);
    }
    if (!reader.schema) fileError(path, 'byte 0', 'no schema message, expected an Arrow IPC file or stream');
    table = new ArrowTable(fh, path, reader as unknown as ConstructorParameters<typeof ArrowTable>[2]);
  } catch (err) {
    await fh.close();
    throw err;
  }
  return openTableRows(table);
}
