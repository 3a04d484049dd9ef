// Building from source without the tools it needs stops with one sentence saying what to
// install, not a CMake backtrace.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = mkdtempSync(join(tmpdir(), 'rdm2-bin-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
for (const cmd of ['sh', 'node']) {
  symlinkSync(spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim(), join(bin, cmd));
}

function build(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['scripts/native_build.mjs'], { cwd: root, env, encoding: 'utf8' });
}

describe('building the native core without its prerequisites', () => {
  it('names cmake when cmake is missing', () => {
    const r = build({ PATH: bin });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'rdm2: cannot build the native core: cmake is not installed (on Debian/Ubuntu: apt-get install -y cmake g++ libeigen3-dev).',
    );
  });

  it('names the compiler when cmake is there but no C++ compiler is', () => {
    const fake = mkdtempSync(join(tmpdir(), 'rdm2-fake-'));
    writeFileSync(join(fake, 'cmake'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(fake, 'cmake'), 0o755);
    const r = build({ PATH: `${bin}:${fake}` });
    rmSync(fake, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'rdm2: cannot build the native core: no C++ compiler (g++ or clang++) is installed (on Debian/Ubuntu: apt-get install -y cmake g++ libeigen3-dev).',
    );
  });
});
