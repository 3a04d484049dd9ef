// HDF5 loss files (h5py's, any chunking and gzip/shuffle filters), read through h5wasm (the HDF5
// C library compiled to WebAssembly, reading straight from the file system): a 2-D [T, n] or 3-D
// [T, K, n] float dataset named by `file.h5:/path/to/dataset`, read a slab of rows at a time.
import h5wasm from 'h5wasm/node';
import { Rdm2Error } from '../errors.js';
import { fileError } from './file_error.js';
import { splitHdf5Path } from './hdf5_path.js';
import { META_ARRAY_NAMES, type SourcedMeta } from './meta.js';
import { metaFromArrays, type MetaArray } from './meta_arrays.js';
import { openInputFile } from './input_file.js';
import { binaryPosition, type RowSource } from './row_source.js';

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

/** HDF5's type class of floating-point numbers (H5T_FLOAT). */
const H5T_FLOAT = 1;

let ready: Promise<unknown> | undefined;

/** Loads the WebAssembly module once; HDF5 failures then throw (instead of printing to stderr). */
async function hdf5Module(): Promise<void> {
  ready ??= h5wasm.ready.then((m) => {
    (m as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
  });
  await ready;
}

/** The innermost reason of an HDF5 error stack (`... in H5F__super_read(): file signature not found`). */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const reasons = [...text.matchAll(/ in \w+\(\): ([^\n]+)/g)].map((m) => m[1]!.trim());
  return reasons.length > 0 ? reasons[reasons.length - 1]! : text.split('\n')[0]!;
}

function asFileError(file: string, position: string, err: unknown): never {
  if (err instanceof Rdm2Error) throw err;
  fileError(file, position, `not a readable HDF5 file (${hdf5Reason(err)})`, err);
}

function isDataset(x: unknown): x is H5Dataset {
  return x instanceof h5wasm.Dataset;
}

/** The dataset holding the losses: the one named, else `/losses`, else the only float dataset at the root besides the metadata. */
function pickDataset(f: H5File, file: string, name: string | undefined): { ds: H5Dataset; path: string } {
  if (name !== undefined) {
    const ds = f.get(name);
    if (!isDataset(ds)) fileError(file, name, ds ? 'is a group, not a dataset' : `no such dataset (root holds: ${f.keys().join(', ') || 'nothing'})`);
    return { ds, path: name };
  }
  const keys = f.keys();
  if (keys.includes('losses') && isDataset(f.get('losses'))) return { ds: f.get('losses') as H5Dataset, path: '/losses' };
  const candidates = keys.filter((k) => !META_ARRAY_NAMES.includes(k) && isDataset(f.get(k)));
  if (candidates.length === 1) return { ds: f.get(candidates[0]!) as H5Dataset, path: `/${candidates[0]}` };
  fileError(
    file,
    '/',
    candidates.length === 0
      ? `holds no dataset at its root (${keys.join(', ') || 'empty'}), expected one named 'losses' or a path: ${file}:/group/losses`
      : `holds several datasets (${candidates.join(', ')}), expected one named 'losses' or a path: ${file}:/${candidates[0]}`,
  );
}

/** `steps`, `groups` and `transition` datasets next to the loss dataset. */
function siblingMeta(f: H5File, lossPath: string, file: string): SourcedMeta {
  const dir = lossPath.slice(0, lossPath.lastIndexOf('/')) || '';
  const arrays = new Map<string, MetaArray>();
  for (const name of META_ARRAY_NAMES) {
    const path = `${dir}/${name}`;
    let ds: unknown;
    try {
      ds = f.get(path);
    } catch {
      ds = null;
    }
    if (!isDataset(ds)) continue;
    const label = `${file}:${path}`;
    try {
      const value = ds.value as unknown;
      const shape = ds.shape ?? [];
      arrays.set(name, { label, shape, values: Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>) : [value] });
    } catch (err) {
      asFileError(label, '', err);
    }
  }
  return metaFromArrays(arrays);
}

class Hdf5RowSource implements RowSource {
  readonly format = 'hdf5' as const;
  readonly probeNames = undefined;
  readonly cols: number;
  readonly rows: number;
  readonly blockSize: number | undefined;
  readonly dtype: 'float32' | 'float64';
  private pos = 0;

  constructor(
    private readonly f: H5File,
    private readonly ds: H5Dataset,
    readonly file: string,
    private readonly shape: number[],
    itemSize: number,
  ) {
    this.cols = shape[shape.length - 1]!;
    this.blockSize = shape.length === 3 ? shape[1] : undefined;
    this.rows = shape.length === 3 ? shape[0]! * shape[1]! : shape[0]!;
    this.dtype = itemSize === 4 ? 'float32' : 'float64';
  }

  get maxRows(): number {
    return this.rows;
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    const take = Math.min(count, this.rows - this.pos);
    if (take <= 0) return 0;
    const n = this.cols;
    const K = this.blockSize ?? 1;
    const t0 = Math.floor(this.pos / K);
    const t1 = Math.floor((this.pos + take - 1) / K) + 1;
    const ranges = this.shape.map((_, axis) => (axis === 0 ? [t0, t1] : [])) as Parameters<H5Dataset['slice']>[0];
    let slab: Float32Array | Float64Array;
    try {
      slab = this.ds.slice(ranges) as Float32Array | Float64Array;
    } catch (err) {
      asFileError(this.file, `rows ${this.pos}-${this.pos + take - 1}`, err);
    }
    const from = (this.pos - t0 * K) * n;
    dst.set(slab.subarray(from, from + take * n), at * n);
    this.pos += take;
    return take;
  }

  async skip(count: number): Promise<number> {
    const take = Math.max(0, Math.min(count, this.rows - this.pos));
    this.pos += take;
    return take;
  }

  position(row: number, col: number): string {
    return binaryPosition(row, col, this.blockSize);
  }

  steps(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.f.close();
  }
}

/**
 * Opens an HDF5 loss dataset (`file.h5`, or `file.h5:/path/to/dataset`) for row-by-row
 * reading, with the `steps` / `groups` / `transition` datasets beside it as metadata.
 */
export async function openHdf5Rows(spec: string): Promise<{ source: RowSource; embedded: SourcedMeta }> {
  const { file, dataset } = splitHdf5Path(spec);
  const { fh, size } = await openInputFile(file);
  const head = new Uint8Array(8);
  try {
    await fh.read(head, 0, Math.min(8, size), 0);
  } finally {
    await fh.close();
  }
  // The HDF5 signature; a user block can move it to byte 512, 1024, ... (the library finds it there).
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (size < 8 || (!signature.every((b, i) => head[i] === b) && size < 520)) fileError(file, 'byte 0', 'not an HDF5 file: no HDF5 signature');
  await hdf5Module();
  let f: H5File;
  try {
    f = new h5wasm.File(file, 'r');
  } catch (err) {
    asFileError(file, 'superblock', err);
  }
  try {
    const { ds, path } = pickDataset(f, file, dataset);
    const label = `${file}:${path}`;
    let md: ReturnType<() => H5Dataset['metadata']>;
    try {
      md = ds.metadata;
    } catch (err) {
      asFileError(label, 'header', err);
    }
    const shape = md.shape ?? [];
    if (md.type !== H5T_FLOAT || (md.size !== 4 && md.size !== 8)) {
      fileError(label, 'header', `dtype ${ds.dtype} (${md.size}-byte ${md.type === H5T_FLOAT ? 'float' : 'non-float'}), expected float32 or float64 losses`);
    }
    if (shape.length !== 2 && shape.length !== 3) fileError(label, 'header', `shape (${shape.join(', ')}), expected 2-D (T, n) losses or 3-D (T, K, n) perturbation blocks`);
    if (shape.some((d) => d === 0)) fileError(label, 'header', `shape (${shape.join(', ')}) has an empty axis, expected at least one checkpoint and one probe`);
    const embedded = siblingMeta(f, path, file);
    return { source: new Hdf5RowSource(f, ds, label, shape, md.size), embedded };
  } catch (err) {
    f.close();
    throw err;
  }
}
