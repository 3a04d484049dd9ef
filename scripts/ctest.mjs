#!/usr/bin/env node
// The C++ tests of native/core (no Node), run by `npm test`:
//   node scripts/ctest.mjs              in the native build (build/, from cmake-js), building the
//                                       test binary there if it is missing
//   node scripts/ctest.mjs --sanitize   a separate build (build-sanitize/) of the core and its
//                                       tests under AddressSanitizer and UndefinedBehaviorSanitizer
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './native_build.mjs';

const sanitize = process.argv.includes('--sanitize');

/** @param {string} command @param {string[]} args @param {Record<string, string>} [env] */
function run(command, args, env = {}) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`ctest: ${command} ${args.join(' ')} failed (${r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`})\n`);
    process.exit(1);
  }
}

const dir = join(root, sanitize ? 'build-sanitize' : 'build');
if (sanitize || !existsSync(join(dir, 'CTestTestfile.cmake'))) {
  const build = sanitize ? dir : join(root, 'build-ctest');
  run('cmake', ['-S', root, '-B', build, '-DCMAKE_BUILD_TYPE=Release', ...(sanitize ? ['-DRDM2_SANITIZE=ON'] : [])]);
  run('cmake', ['--build', build, '--target', 'rdm2_core_test', '-j', '2']);
  run('ctest', ['--test-dir', build, '--output-on-failure'], {
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  });
} else {
  // The cmake-js build made the test binary along with the addon; bring it up to date.
  run('cmake', ['--build', dir, '--target', 'rdm2_core_test']);
  run('ctest', ['--test-dir', dir, '--output-on-failure']);
}
