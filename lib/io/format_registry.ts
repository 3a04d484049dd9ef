// The one list of file formats rdm2 reads losses from and writes results to. A new reader or
// writer is one file under lib/io and one entry here; the CLI's help, sweep discovery, the
// default sweep pattern and the extension checks all come from these lists. The columnar
// formats' libraries (hyparquet, apache-arrow, h5wasm) load on first use, not with rdm2.
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { openCsvRows } from './csv.js';
import { fileError } from './file_error.js';
import { splitHdf5Path } from './hdf5_path.js';
import { openJsonlRows } from './jsonl.js';
import type { LossFormat } from './loss_array.js';
import type { SourcedMeta } from './meta.js';
import { openNpyRows } from './npy.js';
import { openNpzRows } from './npz_rows.js';
import { writeResultCsv } from './result_csv.js';
import { writeResultJson, type ResultSource } from './result_json.js';
import { writeResultNpz } from './result_npz.js';
import type { RowSource } from './row_source.js';
import { openRowStreamRows } from './row_stream.js';

/** A loss file opened for row-by-row reading, with the metadata found inside it. */
export interface OpenedLossFile {
  source: RowSource;
  /** Metadata carried inside the container (.npz arrays, HDF5 datasets); the file's own step column comes from `source.steps()`. */
  embedded: SourcedMeta;
  /** The full shape as the file declares it, when known before reading (.npy, .npz, HDF5). */
  shape: number[] | undefined;
}

/** A format rdm2 reads losses from. */
export interface LossReader {
  readonly format: LossFormat;
  /** File name extensions, lower case with the dot (the first is the one documented). */
  readonly extensions: readonly string[];
  /** One line for --help and the docs. */
  readonly description: string;
  /** Splits `file:member` (e.g. `runs.h5:/seed1/losses`) when the format has members inside a file. */
  splitMember?(spec: string): { file: string; member: string | undefined };
  /** Opens the file (or `file:member`) for reading row by row. */
  open(spec: string): Promise<OpenedLossFile>;
}

/** A format rdm2 writes analysis results to. */
export interface ResultWriter {
  readonly format: ResultFormat;
  readonly extensions: readonly string[];
  readonly description: string;
  /** Writes the result atomically (nothing half-written on a crash). */
  write(path: string, r: ResultSource): Promise<void>;
}

/** The result formats, by name. */
export type ResultFormat = 'json' | 'csv' | 'npz' | 'parquet' | 'arrow';

const NO_META: SourcedMeta = { meta: {}, sources: {} };

function shapeOf(s: RowSource): number[] | undefined {
  if (s.rows === undefined) return undefined;
  return s.blockSize === undefined ? [s.rows, s.cols] : [s.rows / s.blockSize, s.blockSize, s.cols];
}

/** Wraps a plain row-source opener: no embedded metadata, the shape when the source knows it. */
function rowsOnly(open: (path: string) => Promise<RowSource>): (path: string) => Promise<OpenedLossFile> {
  return async (path) => {
    const source = await open(path);
    return { source, embedded: NO_META, shape: shapeOf(source) };
  };
}

/**
 * Every loss format, in the order the docs list them.
 *
 * @example
 * ```ts
 * import { LOSS_READERS } from 'rdm2';
 * for (const r of LOSS_READERS) console.log(r.format, r.extensions.join(' '), r.description);
 * ```
 */
export const LOSS_READERS: readonly LossReader[] = [
  { format: 'npy', extensions: ['.npy'], description: 'NumPy array, [T, n] or [T, K, n], float32/float64', open: rowsOnly(openNpyRows) },
  { format: 'npz', extensions: ['.npz'], description: "NumPy archive: 'losses' plus optional steps/groups/transition", open: openNpzRows },
  { format: 'csv', extensions: ['.csv'], description: 'one line per checkpoint, optional header and step column', open: rowsOnly((p) => openCsvRows(p, 'csv')) },
  { format: 'tsv', extensions: ['.tsv'], description: 'as CSV, tab-separated', open: rowsOnly((p) => openCsvRows(p, 'tsv')) },
  { format: 'jsonl', extensions: ['.jsonl', '.ndjson'], description: 'one JSON object or array per checkpoint', open: rowsOnly(openJsonlRows) },
  { format: 'rows', extensions: ['.rows'], description: 'binary row stream a training run appends to (docs/row-stream.md)', open: rowsOnly(openRowStreamRows) },
  {
    format: 'parquet',
    extensions: ['.parquet', '.pq'],
    description: 'wide (step + a float column per probe) or long (step, probe, loss)',
    open: rowsOnly(async (p) => (await import('./parquet.js')).openParquetRows(p)),
  },
  {
    format: 'arrow',
    extensions: ['.arrow', '.feather', '.arrows', '.ipc'],
    description: 'Arrow IPC file (Feather v2) or stream; wide or long as Parquet',
    open: rowsOnly(async (p) => (await import('./arrow_ipc.js')).openArrowRows(p)),
  },
  {
    format: 'hdf5',
    extensions: ['.h5', '.hdf5'],
    description: "HDF5 dataset (file.h5:/path; default /losses), [T, n] or [T, K, n]",
    splitMember: (spec) => {
      const { file, dataset } = splitHdf5Path(spec);
      return { file, member: dataset };
    },
    open: async (spec) => {
      const { source, embedded } = await (await import('./hdf5.js')).openHdf5Rows(spec);
      return { source, embedded, shape: shapeOf(source) };
    },
  },
];

/**
 * Every result format.
 *
 * @example
 * ```ts
 * import { RESULT_WRITERS } from 'rdm2';
 * console.log(RESULT_WRITERS.map((w) => w.extensions).flat()); // ['.json', '.csv', '.npz', '.parquet', '.arrow', '.feather']
 * ```
 */
export const RESULT_WRITERS: readonly ResultWriter[] = [
  { format: 'json', extensions: ['.json'], description: 'columnar arrays, options, input, metadata, summary', write: writeResultJson },
  { format: 'csv', extensions: ['.csv'], description: 'one row per window, eigenvalues as lambda_k columns', write: writeResultCsv },
  { format: 'npz', extensions: ['.npz'], description: 'one NumPy array per observable', write: writeResultNpz },
  { format: 'parquet', extensions: ['.parquet'], description: 'one row per window, eigen* as list columns, options in metadata', write: async (p, r) => (await import('./result_parquet.js')).writeResultParquet(p, r) },
  { format: 'arrow', extensions: ['.arrow', '.feather'], description: 'Arrow IPC file (Feather v2), the same table as Parquet', write: async (p, r) => (await import('./result_arrow.js')).writeResultArrow(p, r) },
];

/** The file extensions rdm2 reads losses from. */
export const LOSS_FILE_EXTENSIONS: readonly string[] = LOSS_READERS.flatMap((r) => r.extensions);

/** A loss path resolved to its reader: the file on disk and the member inside it (HDF5 dataset), if any. */
export interface ResolvedLossPath {
  reader: LossReader;
  file: string;
  member: string | undefined;
}

/**
 * Finds the reader of a loss path by its extension (case-insensitive); `file.h5:/dataset` names a
 * member. Throws `ERR_RDM2_FILE` for an extension no reader takes.
 *
 * @example
 * ```ts
 * import { resolveLossPath } from 'rdm2';
 * const { reader, file, member } = resolveLossPath('runs.h5:/seed1/losses'); // 'hdf5', 'runs.h5', '/seed1/losses'
 * const opened = await reader.open('runs.h5:/seed1/losses');
 * ```
 */
export function resolveLossPath(spec: string): ResolvedLossPath {
  for (const reader of LOSS_READERS) {
    if (!reader.splitMember) continue;
    const { file, member } = reader.splitMember(spec);
    if (member !== undefined) return { reader, file, member };
  }
  const ext = extname(spec).toLowerCase();
  const reader = LOSS_READERS.find((r) => r.extensions.includes(ext));
  if (!reader) fileError(spec, '', `unsupported file type '${ext || '(no extension)'}', expected one of ${LOSS_FILE_EXTENSIONS.join(', ')}`);
  return { reader, file: spec, member: undefined };
}

/**
 * The result writer of an output path, by its extension; throws `ERR_RDM2_OPTION` for an unknown one.
 *
 * @example
 * ```ts
 * import { analyzeFile, resultWriterFor } from 'rdm2';
 * await resultWriterFor('out/result.parquet').write('out/result.parquet', await analyzeFile('losses.npy', { window: 32 }));
 * ```
 */
export function resultWriterFor(path: string): ResultWriter {
  const ext = extname(path).toLowerCase();
  const writer = RESULT_WRITERS.find((w) => w.extensions.includes(ext));
  if (!writer) {
    const all = RESULT_WRITERS.flatMap((w) => w.extensions);
    throw new Rdm2Error('ERR_RDM2_OPTION', `cannot write a result to ${path}: unknown extension '${ext || '(none)'}', expected ${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`);
  }
  return writer;
}

/** The result writer of a format name (`--format`). */
export function resultWriterNamed(format: string): ResultWriter | undefined {
  return RESULT_WRITERS.find((w) => w.format === format);
}

/** The file on disk of a loss path (`runs.h5` of `runs.h5:/seed1/losses`); never throws. */
export function lossFileOnDisk(spec: string): string {
  for (const reader of LOSS_READERS) {
    const member = reader.splitMember?.(spec);
    if (member?.member !== undefined) return member.file;
  }
  return spec;
}
