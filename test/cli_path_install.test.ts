// rdm2 on the PATH from a clone (issue 13, newcomer frictions): `npm install --global <clone>`
// (what `npm link` does in the clone) links the clone's bin, and the command then runs from any
// directory, as the README says, without the npm registry.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { lossMatrix, writeCsv } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 }); // npm runs as a child process: no wall-clock limit

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'rdm2-path-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('rdm2 on the PATH from a clone', () => {
  it('a global install of the clone puts rdm2 on the PATH; it runs from a training directory', () => {
    const prefix = join(work, 'prefix');
    // --offline: a folder install needs nothing from the registry (the clone is built already).
    const install = spawnSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', root], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);

    const training = join(work, 'my-training-run');
    mkdirSync(training);
    writeCsv(join(training, 'losses.csv'), lossMatrix(40, 5, 1), 40, 5);
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = spawnSync('rdm2', ['--version'], { cwd: training, env, encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    // The version, then the native kernels in use (issue 14: `rdm2 --version` reports them).
    const [first, kernels] = version.stdout.trim().split(' (native kernels: ');
    expect(first).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    expect(kernels).toMatch(/^(baseline|avx2|avx512); this CPU supports /);
    const analyze = spawnSync('rdm2', ['analyze', 'losses.csv', '--window', '10', '--out', 'result.json'], { cwd: training, env, encoding: 'utf8' });
    expect(analyze.status, analyze.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(training, 'result.json'), 'utf8')).windows).toBe(31);
  });
});
