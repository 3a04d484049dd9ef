// The status line a watch keeps on stderr: rows read, windows analysed, last step, lag.
import type { WatchProgress } from './watch.js';

function bytes(x: number): string {
  if (x < 1024) return `${x} B`;
  if (x < 1024 ** 2) return `${(x / 1024).toFixed(1)} KiB`;
  if (x < 1024 ** 3) return `${(x / 1024 ** 2).toFixed(1)} MiB`;
  return `${(x / 1024 ** 3).toFixed(1)} GiB`;
}

function seconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * One status line.
 *
 * @example
 * ```ts
 * watchStatusLine(p); // 'following live.rows: 1200 rows, 1181 windows, last step 11990, 1 warning; lag 0 rows; file grew 1 s ago'
 * ```
 */
export function watchStatusLine(p: WatchProgress): string {
  if (p.phase === 'waiting') return p.file ? `waiting for the first row of ${p.file} (${seconds(p.idleMs)})` : 'waiting for a .rows or .jsonl file to appear';
  const what = `${p.rows} rows, ${p.windows} windows, last step ${Number.isNaN(p.lastStep) ? '-' : p.lastStep}, ${p.warnings} warning${p.warnings === 1 ? '' : 's'}`;
  const lag = p.lagRows !== undefined ? `${p.lagRows} row${p.lagRows === 1 ? '' : 's'}${p.lagBytes > 0 && p.lagRows === 0 ? ` (${bytes(p.lagBytes)} of a row being written)` : ''}` : bytes(p.lagBytes);
  const verb = p.phase === 'following' ? 'following' : p.phase === 'ended' ? 'ended' : p.phase === 'idle' ? 'idle, stopped' : 'stopped';
  if (p.phase === 'ended') return `${verb} ${p.file}: ${what}`;
  return `${verb} ${p.file}: ${what}; lag ${lag}; file grew ${seconds(p.idleMs)} ago`;
}
