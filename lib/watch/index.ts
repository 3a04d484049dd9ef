// Following a run while it trains: every public name of lib/watch.
export { watch, WATCH_STATE_FILES, type LiveWatch, type WatchProgress, type WatchResult } from './watch.js';
export { WATCH_OPTIONS, type WatchOptions } from './watch_options.js';
export { openFollower, type FollowBatch, type FollowFormat, type FollowPosition, type RowFollower } from './follower.js';
export { startLiveServer, type LiveServer, type LiveServerOptions } from './live_server.js';
export { runWarningCommand, type CommandOutcome } from './on_warning.js';
export { warningDocument, warningLine } from './warning_report.js';
export type { WatchAnalysisOptions, WatchWarning } from './watch_state.js';
