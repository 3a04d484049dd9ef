// The in-memory loss array every reader produces, and the conversions to what the analysis takes.
import type { LossView } from '../loss_matrix.js';
import type { LossMatrix } from '../types.js';

/**
 * A loss array read from a file: `[T, n]` losses in the file's order (row-major 'C' or, for a
 * Fortran-order .npy, column-major 'F'), or `[T, K, n]` perturbation blocks (row-major). It is a
 * {@link LossInput}: `analyze(lossFile.losses, opts)` reads either order in place.
 */
export type LossArray =
  | { data: Float32Array | Float64Array; shape: [number, number]; order: 'C' | 'F' }
  | { data: Float32Array | Float64Array; shape: [number, number, number]; order: 'C' };

/** The file formats rdm2 reads. */
export type LossFormat = 'npy' | 'npz' | 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'arrow' | 'hdf5' | 'rows';

/** The 2-D view the native core takes: `[T, n]`, or `[T*K, n]` for perturbation blocks. Never copies. */
export function lossView(a: LossArray): LossView {
  const n = a.shape[a.shape.length - 1]!;
  const rows = a.shape.length === 3 ? a.shape[0] * a.shape[1] : a.shape[0];
  if (a.order === 'F') return { data: a.data, rows, cols: n, rowStride: 1, colStride: rows };
  return { data: a.data, rows, cols: n, rowStride: n, colStride: 1 };
}

/**
 * A row-major copy of a loss array, for code that indexes `data[t * n + i]` itself: the array
 * itself when it is row-major, a transposed copy when it is column-major; 3-D arrays give their
 * `[T*K, n]` rows. `analyze` and the statistics do not need it: they take a {@link LossArray}
 * in either order as it is.
 *
 * @example
 * ```ts
 * const { losses } = await readLossFile('fortran.npy');
 * const m = toLossMatrix(losses); // m.data[t * n + i], whatever the file's order
 * ```
 */
export function toLossMatrix(a: LossArray): LossMatrix {
  const v = lossView(a);
  if (a.order === 'C') return { data: a.data, shape: [v.rows, v.cols] };
  const out = new (a.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(v.rows * v.cols);
  for (let c = 0; c < v.cols; c++) {
    const base = c * v.colStride;
    for (let r = 0; r < v.rows; r++) out[r * v.cols + c] = a.data[base + r]!;
  }
  return { data: out, shape: [v.rows, v.cols] };
}
