#!/usr/bin/env node
// `npm test` stage: every C++ file under native/ is formatted as .clang-format says
// (clang-format --dry-run -Werror; Debian's clang-format package). Fix with:
//   clang-format -i native/*/*.cpp native/*/*.hpp
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(cpp|hpp|h|cc)$/.test(e.name) ? [path] : [];
  });
}

const files = sources(join(root, 'native'));
if (files.length === 0) {
  process.stderr.write('check_cpp_format: no C++ files found under native/\n');
  process.exit(1);
}
const r = spawnSync('clang-format', ['--dry-run', '-Werror', ...files], { cwd: root, stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`check_cpp_format: cannot run clang-format (${r.error.message}); on Debian: apt-get install clang-format\n`);
  process.exit(1);
}
if (r.status === 0) process.stderr.write(`${files.length} C++ files formatted as .clang-format says\n`);
process.exit(r.status ?? 1);
