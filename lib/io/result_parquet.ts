// Results as Parquet (hyparquet-writer): the result table of result_table.ts, snappy-compressed,
// with the `rdm2` JSON document in the file's key-value metadata. pandas, polars and DuckDB read
// it as it is: pd.read_parquet(f), pl.read_parquet(f), SELECT * FROM 'f.parquet'.
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic } from './atomic_write.js';
import { rdm2Version } from './producer.js';
import type { ResultSource } from './result_json.js';
import { RESULT_METADATA_KEY, resultTable, type ResultColumn } from './result_table.js';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];
type ColumnSource = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number];

/** A Parquet table: flat columns and their schema elements (lists in the standard 3-level layout). */
export interface ParquetColumn {
  name: string;
  /** The column's schema elements, its own first (a list adds its `list` and `element` levels). */
  schema: SchemaElement[];
  data: ColumnSource['data'];
}

function listSchema(name: string, leaf: SchemaElement[], depth: number): SchemaElement[] {
  if (depth === 0) return leaf;
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...listSchema('element', leaf, depth - 1),
  ];
}

function chunks<T>(values: ArrayLike<T>, size: number, count: number): T[][] {
  return Array.from({ length: count }, (_, j) => Array.from({ length: size }, (_, i) => values[j * size + i]!));
}

function parquetColumn(c: ResultColumn, rows: number): ParquetColumn {
  switch (c.type) {
    case 'int32':
      return { name: c.name, schema: [{ name: c.name, type: 'INT32', repetition_type: 'REQUIRED' }], data: c.values };
    case 'float64':
      return { name: c.name, schema: [{ name: c.name, type: 'DOUBLE', repetition_type: 'REQUIRED' }], data: c.values };
    case 'bool':
      return { name: c.name, schema: [{ name: c.name, type: 'BOOLEAN', repetition_type: 'REQUIRED' }], data: Array.from(c.values, (v) => v !== 0) };
    case 'list<float64>':
      return { name: c.name, schema: listSchema(c.name, [{ name: 'element', type: 'DOUBLE', repetition_type: 'REQUIRED' }], 1), data: chunks(c.values, c.per, rows) };
    case 'list<list<float32>>': {
      const vectors = chunks(c.values, c.inner, rows * c.outer);
      const data = Array.from({ length: rows }, (_, j) => vectors.slice(j * c.outer, (j + 1) * c.outer));
      return { name: c.name, schema: listSchema(c.name, [{ name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' }], 2), data };
    }
  }
}

/** Encodes flat and list columns as one Parquet file with key-value metadata. */
export function encodeParquet(columns: ParquetColumn[], metadata: Record<string, string>): Uint8Array {
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }, ...columns.flatMap((c) => c.schema)];
  const buffer = parquetWriteBuffer({
    columnData: columns.map((c) => ({ name: c.name, data: c.data })),
    schema,
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: `rdm2 version ${rdm2Version()}`,
  });
  return new Uint8Array(buffer);
}

/** The Parquet bytes of a result: one row per window. */
export function resultParquet(r: ResultSource): Uint8Array {
  const table = resultTable(r);
  return encodeParquet(
    table.columns.map((c) => parquetColumn(c, table.rows)),
    { [RESULT_METADATA_KEY]: table.metadata },
  );
}

/** Writes the Parquet result atomically. */
export async function writeResultParquet(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, resultParquet(r));
}
