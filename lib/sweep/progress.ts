// Sweep progress: a bar with rate and ETA on a terminal (cli-progress), plain log lines otherwise
// (batch logs, CI, Slurm output files).
import cliProgress from 'cli-progress';
import type { RunRecord } from './run_record.js';

/** Where progress is written. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What the sweep reports as it goes. */
export interface SweepProgress {
  /** `total` runs in this shard, of which `skipped` are already complete (--resume). */
  start(info: { discovered: number; total: number; skipped: number; shardLabel: string }): void;
  /** A run finished (ok or failed). */
  done(record: RunRecord): void;
  finish(): void;
}

function seconds(x: number): string {
  if (!Number.isFinite(x)) return '?';
  const s = Math.round(x);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Plain lines: one per finished run, with the count, rate and ETA. */
export class LogProgress implements SweepProgress {
  private total = 0;
  private count = 0;
  private started = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(info: { discovered: number; total: number; skipped: number; shardLabel: string }): void {
    this.total = info.total - info.skipped;
    this.started = this.now();
    const resumed = info.skipped > 0 ? `, ${info.skipped} already complete (--resume)` : '';
    this.stream.write(`rdm2 sweep: ${info.discovered} runs found, ${info.total} in ${info.shardLabel}${resumed}, ${this.total} to analyse\n`);
  }

  done(record: RunRecord): void {
    this.count++;
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.count / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.count) / rate : Infinity;
    const width = String(this.total).length;
    const what = record.status === 'ok' ? `ok      ${record.path}` : `failed  ${record.path}: ${record.error}`;
    this.stream.write(`[${String(this.count).padStart(width)}/${this.total}] ${what} (${rate.toFixed(2)} runs/s, ETA ${seconds(eta)})\n`);
  }

  finish(): void {}
}

/** A progress bar on a terminal: done/total, rate, ETA, failures. */
export class BarProgress implements SweepProgress {
  private bar: cliProgress.SingleBar;
  private failed = 0;
  private count = 0;
  private started = 0;

  constructor(stream: ProgressStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: 'rdm2 sweep [{bar}] {value}/{total} runs | {rate} runs/s | ETA {eta_formatted} | {failed} failed',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(info: { discovered: number; total: number; skipped: number; shardLabel: string }): void {
    this.started = performance.now();
    this.bar.start(info.total - info.skipped, 0, { rate: '0.00', failed: 0 });
  }

  done(record: RunRecord): void {
    this.count++;
    if (record.status === 'failed') this.failed++;
    const elapsed = (performance.now() - this.started) / 1000;
    this.bar.update(this.count, { rate: (elapsed > 0 ? this.count / elapsed : 0).toFixed(2), failed: this.failed });
  }

  finish(): void {
    this.bar.stop();
  }
}

/** Progress that says nothing. */
export const silentProgress: SweepProgress = { start() {}, done() {}, finish() {} };

/** A bar on a terminal, log lines otherwise. */
export function progressFor(stream: ProgressStream): SweepProgress {
  return stream.isTTY ? new BarProgress(stream) : new LogProgress(stream);
}
