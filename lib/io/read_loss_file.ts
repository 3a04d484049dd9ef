// Reading a loss file of any supported format, chosen by its extension (lib/io/format_registry.ts).
import { Rdm2Error } from '../errors.js';
import { fileError } from './file_error.js';
import { LOSS_FILE_EXTENSIONS, lossFileOnDisk, resolveLossPath, type OpenedLossFile } from './format_registry.js';
import type { LossArray, LossFormat } from './loss_array.js';
import { MemoryRowSource } from './memory_row_source.js';
import { combineMeta, findSidecar, metaFromFileSteps, readMetaJson, type LossMeta, type SourcedMeta } from './meta.js';
import { lossArrayFromNpy, readNpy, readNpyHeader } from './npy.js';
import { npzArrayHeader, npzNames, readNpzBytes } from './npz.js';
import { pickNpzLossArray } from './npz_rows.js';
import type { RowSource } from './row_source.js';

export { LOSS_FILE_EXTENSIONS, type OpenedLossFile };
export { pickNpzLossArray } from './npz_rows.js';

/** The format of a loss file, from its extension (case-insensitive). */
export function lossFormatOf(path: string): LossFormat {
  return resolveLossPath(path).reader.format;
}

/**
 * Opens a loss file of any supported format for row-by-row reading. `.npy`, CSV/TSV, JSONL,
 * Parquet, Arrow and HDF5 are streamed (bounded memory); an `.npz` loss array is decompressed
 * into memory.
 */
export async function openLossRows(path: string): Promise<OpenedLossFile> {
  return resolveLossPath(path).reader.open(path);
}

/**
 * Whether a loss file holds `[T, K, n]` perturbation blocks (3) or `[T, n]` losses (2), read
 * from its header alone (text and table formats are always 2-D); undefined when the header
 * cannot be read (the file's own analysis then says why).
 */
export async function lossFileDims(path: string): Promise<2 | 3 | undefined> {
  try {
    const format = lossFormatOf(path);
    if (format === 'npy') return (await readNpyHeader(path)).shape.length === 3 ? 3 : 2;
    if (format === 'npz') {
      const bytes = await readNpzBytes(path);
      return npzArrayHeader(bytes, path, pickNpzLossArray(npzNames(bytes, path), path)).shape.length === 3 ? 3 : 2;
    }
    if (format === 'hdf5') {
      const { source } = await openLossRows(path);
      await source.close();
      return source.blockSize === undefined ? 2 : 3;
    }
    return 2;
  } catch (err) {
    if (err instanceof Rdm2Error) return undefined;
    throw err;
  }
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
    const sidecar = await findSidecar(lossFileOnDisk(path));
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
 * C or Fortran order), `.npz`, `.csv`, `.tsv`, `.jsonl`, Parquet, Arrow IPC, HDF5 (`file.h5:/dataset`);
 * plus its metadata. For files larger than
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
