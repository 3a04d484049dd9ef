// The producer side of docs/row-stream.md for Node training loops: one write per record, an end
// marker on close. (The Python recorder in examples/pytorch writes the same bytes.)
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { fsError } from './file_error.js';
import { optionError } from '../option_schema.js';
import { encodeRowStreamHeader, encodeRowStreamRecord, ROW_STREAM_END_STEP } from './row_stream.js';

/** Options of {@link RowStreamWriter.create}. */
export interface RowStreamWriterOptions {
  /** n, losses per row. */
  probes: number;
  /** Value type of a `.rows` file. Default 'float32'. */
  dtype?: 'float32' | 'float64';
  /** Flush each row to disk (`fsync`): durable across a machine crash. Default false. */
  fsync?: boolean;
}

/**
 * Appends one row of losses per checkpoint to a new `.rows` or `.jsonl` file (by its extension)
 * that `rdm2 watch` can follow while it grows. Each record is one `write` call; `close()` writes
 * the end marker. The file must not exist yet.
 *
 * @example
 * ```ts
 * import { RowStreamWriter } from 'rdm2';
 * const out = await RowStreamWriter.create('runs/seed1/live.rows', { probes: 512 });
 * for (let step = 0; step < 1000; step += 10) await out.append(step, lossesOfProbes());
 * await out.close();
 * ```
 */
export class RowStreamWriter {
  private lastStep = -Infinity;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly format: 'rows' | 'jsonl',
    readonly probes: number,
    readonly dtype: 'float32' | 'float64',
    private readonly fsync: boolean,
  ) {}

  /** Creates the file (refusing an existing one) and, for `.rows`, writes its header. */
  static async create(path: string, opts: RowStreamWriterOptions): Promise<RowStreamWriter> {
    const ext = extname(path).toLowerCase();
    const format = ext === '.rows' ? 'rows' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : optionError(`${path}: expected a .rows or .jsonl file name`);
    const probes = opts.probes;
    if (!Number.isInteger(probes) || probes < 1) optionError(`probes must be an integer >= 1, got ${JSON.stringify(probes)}`);
    const dtype = opts.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') optionError(`dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
    let fh: FileHandle;
    try {
      fh = await open(path, 'ax'); // append-only: every write lands at the end, whoever else appended
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Rdm2Error('ERR_RDM2_FILE', `${path}: exists already, expected a new file`, { cause: err });
      fsError(path, err);
    }
    const w = new RowStreamWriter(fh, path, format, probes, dtype, opts.fsync ?? false);
    if (format === 'rows') await w.write(encodeRowStreamHeader(probes, dtype));
    return w;
  }

  private async write(bytes: Uint8Array): Promise<void> {
    const { bytesWritten } = await this.fh.write(bytes, 0, bytes.length);
    if (bytesWritten !== bytes.length) throw new Rdm2Error('ERR_RDM2_FILE', `${this.path}: short write (${bytesWritten} of ${bytes.length} bytes)`);
    if (this.fsync) await this.fh.sync();
  }

  /** Appends the row of `step` (an integer, after the previous row's step). */
  async append(step: number, losses: ArrayLike<number>): Promise<void> {
    if (this.closed) throw new Rdm2Error('ERR_RDM2_CLOSED', `${this.path}: the writer is closed`);
    if (!Number.isSafeInteger(step) || step < 0 || step <= this.lastStep) optionError(`step must be an integer >= 0 after ${this.lastStep}, got ${step}`);
    if (losses.length !== this.probes) throw new Rdm2Error('ERR_RDM2_SHAPE', `row has ${losses.length} losses, the stream has ${this.probes} probes`);
    const bytes =
      this.format === 'rows'
        ? encodeRowStreamRecord(step, losses, this.dtype)
        : new TextEncoder().encode(`${JSON.stringify({ step, losses: Array.from(losses, (v) => (Number.isFinite(v) ? v : String(v))) }).replace(/"(NaN|Infinity|-Infinity)"/g, '$1')}\n`);
    await this.write(bytes);
    this.lastStep = step;
  }

  /** Closes the file; with `finished` (default true) first writes the end marker. */
  async close(opts: { finished?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (opts.finished ?? true) {
        await this.write(this.format === 'rows' ? encodeRowStreamRecord(ROW_STREAM_END_STEP, new Float64Array(this.probes), this.dtype) : new TextEncoder().encode('{"end": true}\n'));
        await this.fh.sync();
      }
    } finally {
      await this.fh.close();
    }
  }
}
