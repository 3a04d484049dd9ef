// Reading a loss file of any supported format, chosen by its extension.
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { fileError } from './file_error.js';
import { openCsvRows } from './csv.js';
import { openJsonlRows } from './jsonl.js';
import type { LossArray, LossFormat } from './loss_array.js';
import { MemoryRowSource } from './memory_row_source.js';
import { combineMeta, findSidecar, META_ARRAY_NAMES, metaFromFileSteps, metaFromNpz, readMetaJson, type LossMeta, type SourcedMeta } from './meta.js';
import { lossArrayFromNpy, openNpyRows, readNpy, readNpyHeader } from './npy.js';
import { decodeNpz, npzArrayHeader, npzEntryLabel, npzNames, readNpzBytes } from './npz.js';
import { openRowStreamRows } from './row_stream.js';
import type { RowSource } from './row_source.js';

const EXTENSIONS: Record<string, LossFormat> = {
  '.npy': 'npy',
  '.npz': 'npz',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.rows': 'rows',
};

/** The file extensions rdm2 reads losses from. */
export const LOSS_FILE_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/** The format of a loss file, from its extension (case-insensitive). */
export function lossFormatOf(path: string): LossFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (!format) {
    fileError(path, '', `unsupported file type '${ext || '(no extension)'}', expected one of ${LOSS_FILE_EXTENSIONS.join(', ')}`);
  }
  return format;
}

/** The array of an .npz that holds the losses: `losses`, else the only array that is not metadata. */
export function pickNpzLossArray(names: string[], file: string): string {
  if (names.includes('losses')) return 'losses';
  const candidates = names.filter((n) => !META_ARRAY_NAMES.includes(n));
  if (candidates.length === 1) return candidates[0]!;
  fileError(
    file,
    '',
    candidates.length === 0
      ? `holds no loss array (arrays: ${names.join(', ') || 'none'}), expected one named 'losses'`
      : `holds several arrays (${candidates.join(', ')}), expected one named 'losses' (or a single array besides ${META_ARRAY_NAMES.join(', ')})`,
  );
}

/** A loss file opened for row-by-row reading, with the metadata found inside it (.npz arrays). */
export interface OpenedLossFile {
  source: RowSource;
  /** Metadata carried inside the container (.npz arrays); the file's own step column comes from `source.steps()`. */
  embedded: SourcedMeta;
  /** The full shape as the file declares it, when known before reading (.npy, .npz). */
  shape: number[] | undefined;
}

/**
 * Opens a loss file of any supported format for row-by-row reading. `.npy`, `.rows`, CSV/TSV and
 * JSONL are streamed (bounded memory); an `.npz` loss array is decompressed into memory.
 */
export async function openLossRows(path: string): Promise<OpenedLossFile> {
  const format = lossFormatOf(path);
  const empty: SourcedMeta = { meta: {}, sources: {} };
  if (format === 'npy') {
    const source = await openNpyRows(path);
    return { source, embedded: empty, shape: shapeOf(source) };
  }
  if (format === 'csv' || format === 'tsv') return { source: await openCsvRows(path, format), embedded: empty, shape: undefined };
  if (format === 'jsonl') return { source: await openJsonlRows(path), embedded: empty, shape: undefined };
  if (format === 'rows') {
    const source = await openRowStreamRows(path);
    return { source, embedded: empty, shape: shapeOf(source) };
  }
  const bytes = await readNpzBytes(path);
  const name = pickNpzLossArray(npzNames(bytes, path), path);
  const arrays = decodeNpz(bytes, path, (n) => n === name || META_ARRAY_NAMES.includes(n));
  const losses = lossArrayFromNpy(arrays.get(name)!, npzEntryLabel(path, name));
  const source = new MemoryRowSource(losses, npzEntryLabel(path, name), 'npz');
  return { source, embedded: metaFromNpz(arrays, path), shape: losses.shape.slice() };
}

/**
 * Whether a loss file holds `[T, K, n]` perturbation blocks (3) or `[T, n]` losses (2), read
 * from its header alone (text formats are always 2-D); undefined when the header cannot be read
 * (the file's own analysis then says why).
 */
export async function lossFileDims(path: string): Promise<2 | 3 | undefined> {
  try {
    const format = lossFormatOf(path);
    if (format === 'npy') return (await readNpyHeader(path)).shape.length === 3 ? 3 : 2;
    if (format === 'npz') {
      const bytes = await readNpzBytes(path);
      return npzArrayHeader(bytes, path, pickNpzLossArray(npzNames(bytes, path), path)).shape.length === 3 ? 3 : 2;
    }
    return 2;
  } catch (err) {
    if (err instanceof Rdm2Error) return undefined;
    throw err;
  }
}

function shapeOf(s: RowSource): number[] | undefined {
  if (s.rows === undefined) return undefined;
  return s.blockSize === undefined ? [s.rows, s.cols] : [s.rows / s.blockSize, s.blockSize, s.cols];
}

/**
 * The run's metadata: what the file carries (CSV step column, JSONL steps, .npz arrays) combined
 * with its sidecar meta.json (see {@link findSidecar}), checked against T checkpoints and n probes.
 */
export async function resolveRunMeta(
  path: string,
  parts: SourcedMeta[],
  checkpoints: number,
  probes: number,
  opts: { sidecar?: boolean } = {},
): Promise<SourcedMeta> {
  const all = [...parts];
  if (opts.sidecar ?? true) {
    const sidecar = await findSidecar(path);
    if (sidecar) all.push(await readMetaJson(sidecar));
  }
  return combineMeta(all, checkpoints, probes);
}

/** A whole loss file in memory. */
export interface LossFile {
  path: string;
  format: LossFormat;
  losses: LossArray;
  /** Probe names from a CSV header. */
  probeNames?: string[];
  meta: LossMeta;
  /** Where each metadata field came from. */
  metaSources: SourcedMeta['sources'];
}

/** Options of {@link readLossFile}. */
export interface ReadLossFileOptions {
  /** Read the sidecar meta.json when present. Default true. */
  sidecar?: boolean;
}

/**
 * Reads a whole loss file into memory: `.npy` (2-D `[T, n]` or 3-D `[T, K, n]`, any byte order,
 * C or Fortran order), `.npz`, `.csv`, `.tsv`, `.jsonl`, `.rows` (row stream); plus its metadata. For files larger than
 * memory use `analyzeFile`, which streams.
 *
 * @example
 * ```ts
 * const f = await readLossFile('runs/seed1/losses.npy');
 * const a = await analyze(f.losses, { window: 32 }); // C or Fortran order, used in place
 * ```
 */
export async function readLossFile(path: string, opts: ReadLossFileOptions = {}): Promise<LossFile> {
  const format = lossFormatOf(path);
  let losses: LossArray;
  let probeNames: string[] | undefined;
  const parts: SourcedMeta[] = [];
  if (format === 'npy') {
    losses = lossArrayFromNpy(await readNpy(path), path);
  } else {
    const { source, embedded } = await openLossRows(path);
    try {
      losses = await drain(source);
      probeNames = source.probeNames;
      parts.push(embedded, metaFromFileSteps(source.steps(), path));
    } finally {
      await source.close();
    }
  }
  const T = losses.shape[0];
  const n = losses.shape[losses.shape.length - 1]!;
  const { meta, sources } = await resolveRunMeta(path, parts, T, n, opts);
  return { path, format, losses, ...(probeNames ? { probeNames } : {}), meta, metaSources: sources };
}

async function drain(source: RowSource): Promise<LossArray> {
  const n = source.cols;
  if (source instanceof MemoryRowSource || source.rows !== undefined) {
    const rows = source.rows!;
    const data = source.dtype === 'float32' ? new Float32Array(rows * n) : new Float64Array(rows * n);
    await source.read(data, 0, rows);
    const K = source.blockSize;
    return K === undefined ? { data, shape: [rows, n], order: 'C' } : { data, shape: [rows / K, K, n], order: 'C' };
  }
  // Start at about 1 MiB of rows and double: a wide first row must not reserve 1024 rows of it.
  let data = allocateRows(Math.max(1, Math.floor(2 ** 17 / n)), n, source.file);
  let rows = 0;
  for (;;) {
    const capacity = data.length / n;
    if (rows === capacity) {
      const grown = allocateRows(capacity * 2, n, source.file);
      grown.set(data);
      data = grown;
    }
    const got = await source.read(data, rows, data.length / n - rows);
    if (got === 0) break;
    rows += got;
  }
  return { data: data.slice(0, rows * n), shape: [rows, n], order: 'C' };
}

function allocateRows(rows: number, n: number, file: string): Float64Array {
  try {
    return new Float64Array(rows * n);
  } catch (err) {
    fileError(file, '', `cannot hold ${rows} rows of ${n} losses in memory (${(err as Error).message}); analyzeFile reads a file in chunks`, err);
  }
}
