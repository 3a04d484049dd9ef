// summary.parquet: the rows of summary.csv with typed columns (numbers DOUBLE, flags BOOLEAN,
// text and lists as STRING; a missing value is null), and the sweep's own fields (options,
// counts, failed runs...) as JSON under `rdm2` in the file metadata.
import { encodeParquet, type ParquetColumn } from '../io/result_parquet.js';
import { RESULT_METADATA_KEY } from '../io/result_table.js';
import { flattenRecords, type SweepSummary } from './summary_files.js';

function typedColumn(name: string, values: unknown[]): ParquetColumn {
  const present = values.filter((v) => v !== null && v !== undefined);
  const nullable = present.length < values.length;
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  if (present.length > 0 && present.every((v) => typeof v === 'number')) {
    return { name, schema: [{ name, type: 'DOUBLE', repetition_type }], data: values.map((v) => (v === undefined ? null : v)) as (number | null)[] };
  }
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) {
    return { name, schema: [{ name, type: 'BOOLEAN', repetition_type }], data: values.map((v) => (v === undefined ? null : v)) as (boolean | null)[] };
  }
  const text = values.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)));
  return { name, schema: [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: nullable || present.length === 0 ? 'OPTIONAL' : 'REQUIRED' }], data: text };
}

/** The Parquet bytes of a sweep summary: one row per run. */
export function summaryParquet(summary: SweepSummary): Uint8Array {
  const { columns, rows } = flattenRecords(summary.runs);
  const { runs: _runs, ...fields } = summary;
  return encodeParquet(
    columns.map((c) => typedColumn(c, rows.map((m) => m.get(c)))),
    { [RESULT_METADATA_KEY]: JSON.stringify(fields) },
  );
}
