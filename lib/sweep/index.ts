// Sweeps: many runs analysed, resumable and shardable, and their summaries merged.
export { DEFAULT_PATTERN, discoverRuns, type DiscoverOptions } from './discover.js';
export { globToRegExp } from './glob.js';
export { mergeShards, mergeSummaries } from './merge.js';
export { BarProgress, LogProgress, progressFor, silentProgress, type SweepProgress } from './progress.js';
export type { FailedRecord, OkRecord, RunRecord } from './run_record.js';
export { sweep, type SweepOptions, type SweepOutcome } from './runner.js';
export { parseShard, selectShard, shardFromEnv, shardOf, type Shard } from './shard.js';
export { readSummaryFile, summaryCsv, type SweepRunOptions, type SweepSummary } from './summary_files.js';
