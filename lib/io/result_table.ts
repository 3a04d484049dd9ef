// A result as a table for the columnar formats (Parquet, Arrow): one row per window, the
// eigenvalues and eigenvectors as list columns, everything else (options, input, metadata,
// summary) as one JSON document in the file's key-value metadata under `rdm2`.
import { OBSERVABLE_NAMES } from '../observables.js';
import { rdm2Version } from './producer.js';
import type { ResultSource } from './result_json.js';

/** One column of a result table. */
export type ResultColumn =
  | { name: string; type: 'int32'; values: Int32Array }
  | { name: string; type: 'float64'; values: Float64Array }
  | { name: string; type: 'bool'; values: Uint8Array }
  /** `values` holds `per` consecutive entries for each row. */
  | { name: string; type: 'list<float64>'; values: Float64Array; per: number }
  /** `values` holds `outer` lists of `inner` entries for each row. */
  | { name: string; type: 'list<list<float32>>'; values: Float32Array; outer: number; inner: number };

/** The key of the JSON document in the file metadata. */
export const RESULT_METADATA_KEY = 'rdm2';

/** The table of a result: its rows, its columns and its metadata document. */
export interface ResultTable {
  rows: number;
  columns: ResultColumn[];
  /** JSON text: `{ version, kind: 'analysis', options, windows, eigenCount, rows, probes, input?, groups?, transition?, probeNames?, summary? }`. */
  metadata: string;
}

/** Builds the table of a result (the arrays are the analysis's own, not copies). */
export function resultTable(r: ResultSource): ResultTable {
  const a = r.analysis;
  const columns: ResultColumn[] = [
    { name: 'window', type: 'int32', values: Int32Array.from({ length: a.windows }, (_, j) => j) },
    { name: 't', type: 'int32', values: a.t },
  ];
  if (r.windowSteps) columns.push({ name: 'step', type: 'float64', values: r.windowSteps });
  for (const name of OBSERVABLE_NAMES) columns.push({ name, type: 'float64', values: a[name] });
  columns.push({ name: 'degenerate', type: 'bool', values: a.degenerate });
  columns.push({ name: 'eigenvalues', type: 'list<float64>', values: a.eigenvalues, per: a.eigenCount });
  if (a.eigenvectors) columns.push({ name: 'eigenvectors', type: 'list<list<float32>>', values: a.eigenvectors, outer: a.options.topK, inner: a.probes });
  const doc = {
    version: rdm2Version(),
    kind: 'analysis',
    options: a.options,
    windows: a.windows,
    eigenCount: a.eigenCount,
    rows: a.rows,
    probes: a.probes,
    ...(r.input ? { input: r.input } : {}),
    ...(r.meta?.groups ? { groups: r.meta.groups } : {}),
    ...(r.meta?.transition !== undefined ? { transition: r.meta.transition } : {}),
    ...(r.probeNames ? { probeNames: r.probeNames } : {}),
    ...(r.summary !== undefined ? { summary: r.summary } : {}),
  };
  return { rows: a.windows, columns, metadata: JSON.stringify(doc) };
}
