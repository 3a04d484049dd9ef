// A loss file read row by row (checkpoint by checkpoint), for analyses that never hold the whole file.
import type { LossFormat } from './loss_array.js';

/**
 * Sequential row reader over one loss file. Rows are checkpoints (or, for a `[T, K, n]`
 * perturbation file, the T*K flattened sample rows); values are delivered row-major.
 */
export interface RowSource {
  readonly file: string;
  readonly format: LossFormat;
  /** n, the number of probes. */
  readonly cols: number;
  /** Total rows when the format declares them up front (.npy, .npz); undefined for text formats. */
  readonly rows: number | undefined;
  /** At most this many rows: `rows` when declared, else what the file's size can hold (a text row of n values takes at least 2n bytes). */
  readonly maxRows: number;
  /** K for a `[T, K, n]` perturbation file, undefined for a `[T, n]` loss matrix. */
  readonly blockSize: number | undefined;
  /** The element type rows are delivered in. */
  readonly dtype: 'float32' | 'float64';
  /** Probe names from a CSV header, when present. */
  readonly probeNames: string[] | undefined;
  /**
   * Reads up to `count` next rows into `dst` starting at row `at` of `dst` (row-major, `cols`
   * values a row). Returns how many were read: fewer than `count` only at the end of the file.
   * Throws `ERR_RDM2_FILE` on malformed content.
   */
  read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number>;
  /** Skips up to `count` rows (still validating them in text formats); returns how many. */
  skip(count: number): Promise<number>;
  /** Where row `row`, column `col` sits in the file, for messages: `row 5, column 3` or `line 7, column 4`. */
  position(row: number, col: number): string;
  /** Step numbers the file itself carries (a CSV `step` column, JSONL `step` fields); complete once all rows are read. */
  steps(): Float64Array | undefined;
  close(): Promise<void>;
}

/** How a binary source names a value: by row, or by checkpoint and sample in a [T, K, n] file. */
export function binaryPosition(row: number, col: number, blockSize: number | undefined): string {
  if (blockSize === undefined) return `row ${row}, column ${col}`;
  return `checkpoint ${Math.floor(row / blockSize)}, sample ${row % blockSize}, column ${col}`;
}
