#!/usr/bin/env node
// `npm test`: every test of the project, one stage after another, and a non-zero exit if any
// stage fails. Arguments after `npm test --` go to vitest (e.g. a file filter or a reporter).
// A stage is added here when its tests exist; a stage that finds no tests fails rather than
// passing silently.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTorchPython, torchPython } from './python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const passthrough = process.argv.slice(2);

/** @param {string[]} path a file under node_modules */
const bin = (...path) => join(root, 'node_modules', ...path);
// Fast static checks first, then the tests.
/** @type {{ name: string, command: string, args: string[], precheck?: () => string | undefined }[]} */
const stages = [
  { name: 'C++ format (clang-format)', command: process.execPath, args: [join(root, 'scripts', 'check_cpp_format.mjs')] },
  { name: 'Lint (biome)', command: process.execPath, args: [bin('@biomejs', 'biome', 'bin', 'biome'), 'lint', '--error-on-warnings', '.'] },
  { name: 'Type-check lib, test, bench, scripts (tsc)', command: process.execPath, args: [bin('typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'] },
  { name: 'TypeScript (vitest)', command: process.execPath, args: [bin('vitest', 'vitest.mjs'), 'run', ...passthrough] },
  {
    // The PyTorch recorders, with real torch (Debian's python3-torch). Missing torch fails the stage.
    name: 'Python (pytest, examples/pytorch)',
    command: torchPython(),
    args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(root, 'examples', 'pytorch', 'tests')],
    precheck: () => {
      const c = checkTorchPython();
      return c.ok ? undefined : c.why;
    },
  },
  { name: 'C++ core (ctest)', command: process.execPath, args: [join(root, 'scripts', 'ctest.mjs')] },
  { name: 'C++ core under ASan + UBSan (ctest)', command: process.execPath, args: [join(root, 'scripts', 'ctest.mjs'), '--sanitize'] },
];

const results = [];
for (const stage of stages) {
  process.stderr.write(`\n== ${stage.name}\n`);
  const missing = stage.precheck?.();
  if (missing) {
    process.stderr.write(`${missing}\n`);
    results.push({ name: stage.name, ok: false, why: missing });
    continue;
  }
  const r = spawnSync(stage.command, stage.args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ name: stage.name, ok, why: r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}` });
}
process.stderr.write('\n');
for (const r of results) process.stderr.write(`${r.ok ? 'pass' : 'FAIL'}  ${r.name}${r.ok ? '' : ` (${r.why})`}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
