// Sizes libuv's thread pool for the rdm2 command (CommonJS, loaded before anything
// touches the pool; see rdm2.cjs). Native analyses run on that pool, 4 threads by
// default, and `rdm2 sweep --jobs N` needs N of them at once, plus room for the file
// reads and writes that share the pool. A size the user set is left alone.
'use strict';
const { availableParallelism } = require('node:os');

if (!process.env.UV_THREADPOOL_SIZE) {
  const args = process.argv.slice(2);
  let jobs = 0;
  for (let i = 0; i < args.length; i++) {
    const m = /^--jobs(?:=(.*))?$/.exec(args[i]);
    if (m) jobs = Number(m[1] ?? args[i + 1]) || 0;
  }
  // The sweep caps --jobs at 4 per core, at least 8 (maxSweepJobs in lib/sweep/runner.ts).
  jobs = Math.min(jobs, Math.max(8, 4 * availableParallelism()));
  process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, Math.max(4, availableParallelism(), jobs) + 2));
}
