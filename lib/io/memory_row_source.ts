// A RowSource over a loss array already in memory (an .npz entry, or arrays handed over directly).
import { lossView, type LossArray, type LossFormat } from './loss_array.js';
import { binaryPosition, type RowSource } from './row_source.js';

/** Reads rows of an in-memory loss array, in either storage order. */
export class MemoryRowSource implements RowSource {
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number | undefined;
  readonly dtype: 'float32' | 'float64';
  readonly probeNames = undefined;
  private pos = 0;

  constructor(
    private readonly array: LossArray,
    readonly file: string,
    readonly format: LossFormat,
  ) {
    const v = lossView(array);
    this.rows = v.rows;
    this.cols = v.cols;
    this.blockSize = array.shape.length === 3 ? array.shape[1] : undefined;
    this.dtype = array.data instanceof Float32Array ? 'float32' : 'float64';
  }

  async read(dst: Float32Array | Float64Array, at: number, count: number): Promise<number> {
    const take = Math.max(0, Math.min(count, this.rows - this.pos));
    const { data, rowStride, colStride } = lossView(this.array);
    const n = this.cols;
    if (colStride === 1) {
      dst.set(data.subarray(this.pos * n, (this.pos + take) * n), at * n);
    } else {
      for (let r = 0; r < take; r++) for (let c = 0; c < n; c++) dst[(at + r) * n + c] = data[(this.pos + r) * rowStride + c * colStride]!;
    }
    this.pos += take;
    return take;
  }

  async skip(count: number): Promise<number> {
    const take = Math.max(0, Math.min(count, this.rows - this.pos));
    this.pos += take;
    return take;
  }

  get maxRows(): number {
    return this.rows;
  }

  position(row: number, col: number): string {
    return binaryPosition(row, col, this.blockSize);
  }

  steps(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
