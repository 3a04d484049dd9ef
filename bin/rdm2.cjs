#!/usr/bin/env node
// The `rdm2` command. This stub is CommonJS on purpose: Node loads a CommonJS main
// synchronously, before anything uses libuv's thread pool, so the pool size set by
// threadpool.cjs still takes effect (an ES module entry is too late: loading it
// already started the pool).
'use strict';
require('./threadpool.cjs');

import('../dist/cli.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
