// The row means an analysis of a file took while reading it (lib/row_summary.ts), kept beside
// its FileAnalysis (not in it: results and their JSON stay as they were), so the scalar
// baselines need not read the file a second time.
import type { RowSummary } from '../row_summary.js';
import type { FileAnalysis } from './analyze_file.js';

const remembered = new WeakMap<FileAnalysis, RowSummary>();

/** Records that `summary` saw every row of the file `fa` analysed, in order. */
export function rememberRowMeans(fa: FileAnalysis, summary: RowSummary): void {
  remembered.set(fa, summary);
}

/** The summary of every row of `fa`'s file, when its analysis took one. */
export function rememberedRowMeans(fa: FileAnalysis): RowSummary | undefined {
  return remembered.get(fa);
}
