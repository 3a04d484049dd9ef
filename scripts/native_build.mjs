// Builds the native core from source with cmake-js, after checking that the
// tools it needs are present, so a missing one gives one clear sentence rather
// than a CMake backtrace. Used by the install script and `npm run build:native`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} cmd */
function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function eigenFound() {
  const dirs = [process.env.EIGEN3_INCLUDE_DIR, '/usr/include/eigen3', '/usr/local/include/eigen3', '/opt/homebrew/include/eigen3'];
  if (dirs.some((d) => d && existsSync(join(d, 'Eigen', 'Core')))) return true;
  return spawnSync('pkg-config', ['--exists', 'eigen3'], { stdio: 'ignore' }).status === 0;
}

/** Returns the sentence saying what is missing, or null when the build can run. */
export function missingPrerequisite() {
  const apt = 'on Debian/Ubuntu: apt-get install -y cmake g++ libeigen3-dev';
  if (!onPath('cmake')) return `rdm2: cannot build the native core: cmake is not installed (${apt}).`;
  if (!onPath('c++') && !onPath('g++') && !onPath('clang++')) return `rdm2: cannot build the native core: no C++ compiler (g++ or clang++) is installed (${apt}).`;
  if (!eigenFound()) return `rdm2: cannot build the native core: the Eigen 3.4 headers are not installed (${apt}, or set EIGEN3_INCLUDE_DIR).`;
  return null;
}

/** Compiles build/Release/rdm2.node; exits the process with a clear message on failure. */
export function buildNative() {
  const missing = missingPrerequisite();
  if (missing) {
    console.error(missing);
    process.exit(1);
  }
  const require = createRequire(import.meta.url);
  const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  const result = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    mkdirSync(join(root, 'build'), { recursive: true });
    const log = join(root, 'build', 'rdm2-build.log');
    writeFileSync(log, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
    console.error(`rdm2: compiling the native core failed; the compiler output is in ${log}.`);
    process.exit(1);
  }
  console.log('rdm2: built the native core (build/Release/rdm2.node).');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildNative();
