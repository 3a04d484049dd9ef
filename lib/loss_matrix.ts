// Normalising and checking loss matrices before they reach the native core.
import { Rdm2Error } from './errors.js';
import { showValue } from './show_value.js';
import type { LossInput, LossTransform } from './types.js';

/** A validated view of a loss matrix; strides in elements (column-major files are read in place). */
export interface LossView {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  rowStride: number;
  colStride: number;
}

function isLossMatrix(x: unknown): x is { data: unknown; shape: unknown } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'shape' in x;
}

/** Accepts `{ data, shape, order? }` or `number[][]`; returns a strided view, copying only nested arrays. */
export function toLossView(input: LossInput, what = 'losses'): LossView {
  if (Array.isArray(input)) return fromNested(input as readonly (readonly number[])[], what);
  if (!isLossMatrix(input)) {
    throw new Rdm2Error('ERR_RDM2_DTYPE', `${what} must be { data: Float32Array | Float64Array, shape: [T, n] } or number[][]`);
  }
  const { data, shape } = input;
  const order = Object.hasOwn(input, 'order') ? (input as { order?: unknown }).order : undefined;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    const got = data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data;
    throw new Rdm2Error('ERR_RDM2_DTYPE', `${what}.data must be a Float32Array or Float64Array, got ${got}`);
  }
  if (Array.isArray(shape) && shape.length === 3) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} is [T, K, n] perturbation blocks (shape ${showValue(shape)}): analyse them with gram2rdm (or analyzeFile), not as [T, n] losses`);
  }
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}.shape must be [T, n] with positive integers, got ${showValue(shape)}`);
  }
  if (order !== undefined && order !== 'C' && order !== 'F') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what}.order must be 'C' (row-major) or 'F' (column-major), got ${showValue(order)}`);
  }
  const [rows, cols] = shape as [number, number];
  if (data.length !== rows * cols) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}.data has ${data.length} values but shape [${rows}, ${cols}] needs ${rows * cols}`);
  }
  // Column-major data is read in place through strides (a Fortran-order .npy as readLossFile gives it).
  if (order === 'F') return { data, rows, cols, rowStride: 1, colStride: rows };
  return { data, rows, cols, rowStride: cols, colStride: 1 };
}

function fromNested(rowsIn: readonly (readonly number[])[], what: string): LossView {
  const rows = rowsIn.length;
  if (rows === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} has no rows`);
  const first = rowsIn[0];
  if (!Array.isArray(first)) throw new Rdm2Error('ERR_RDM2_DTYPE', `${what}[0] must be an array of numbers`);
  const cols = first.length;
  if (cols === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}[0] has no values`);
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = rowsIn[r];
    if (!Array.isArray(row)) throw new Rdm2Error('ERR_RDM2_DTYPE', `${what}[${r}] must be an array of numbers`);
    if (row.length !== cols) {
      throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}[${r}] has ${row.length} values, expected ${cols} like row 0`);
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number') throw new Rdm2Error('ERR_RDM2_DTYPE', `${what}[${r}][${c}] is ${typeof v}, expected a number`);
      data[r * cols + c] = v;
    }
  }
  return { data, rows, cols, rowStride: cols, colStride: 1 };
}

/**
 * Index of the first value of `data[from, to)` the analysis cannot use (NaN or infinite, or not
 * > 0 under the log transform), or -1. The one scan in TypeScript: the monitor runs it on every
 * push and analyzeFile on every row it reads (the native core scans batch inputs itself).
 */
export function firstBadLoss(data: ArrayLike<number>, from: number, to: number, transform: LossTransform): number {
  let i = from;
  // One comparison covers NaN and +-Infinity (v - v is NaN for both).
  if (transform === 'log') while (i < to && data[i]! > 0 && data[i]! < Infinity) i++;
  else while (i < to && data[i]! - data[i]! === 0) i++;
  return i < to ? i : -1;
}

/** Why a loss cannot be analysed (not finite, or not > 0 under the log transform), or null when it can. */
export function badLossReason(v: number, transform: LossTransform): string | null {
  if (v - v !== 0) return `${v} is not finite, expected a finite loss`;
  if (transform === 'log' && !(v > 0)) return `${v} is not > 0, which the log transform needs`;
  return null;
}

/** The ERR_RDM2_NON_FINITE error naming the first bad value's row and column. */
export function nonFiniteError(where: string, row: number, column: number, reason: string): Rdm2Error {
  return new Rdm2Error(
    'ERR_RDM2_NON_FINITE',
    `${where}row ${row}, column ${column}: ${reason} (use nonFinite: 'skip-window' to mark windows containing such rows degenerate)`,
  );
}
