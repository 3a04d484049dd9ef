// examples/slurm/sweep.sbatch run as the tasks of a two-task array job (with a stand-in `sbatch` that
// records the merge job), then the merge job: the merged summary equals an unsharded sweep's.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { cleanEnv, lossMatrix, runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });
const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const script = join(repo, 'examples', 'slurm', 'sweep.sbatch');

describe('examples/slurm/sweep.sbatch', () => {
  it('the array tasks and the merge job give the unsharded summary', async () => {
    const base = tempDir('rdm2-slurm-');
    for (let i = 0; i < 12; i++) writeNpy(join(base, 'runs', `seed${i}`, 'losses.npy'), lossMatrix(40, 10, i), 40, 10);
    const bin = join(base, 'bin');
    const fakeSbatch = writeText(join(bin, 'sbatch'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(base, 'sbatch-args')}"\n`);
    chmodSync(fakeSbatch, 0o755);
    const tsx = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const rdm2 = `${process.execPath} --import ${tsx} ${join(repo, 'lib', 'cli.ts')}`;
    for (let task = 0; task < 2; task++) {
      const env = cleanEnv({
        PATH: `${bin}:${process.env.PATH}`,
        RDM2: rdm2,
        WINDOW: '8',
        SLURM_ARRAY_JOB_ID: '4242',
        SLURM_ARRAY_TASK_ID: String(task),
        SLURM_ARRAY_TASK_MIN: '0',
        SLURM_ARRAY_TASK_COUNT: '2',
        SLURM_CPUS_PER_TASK: '1',
      });
      const r = await run('bash', [script], { cwd: base, env }); // rejects unless the task exits 0
      expect(r.stdout).toMatch(new RegExp(`^rdm2 sweep \\(shard ${task}/2\\): \\d+ runs, \\d+ ok, 0 failed`));
    }
    const args = readFileSync(join(base, 'sbatch-args'), 'utf8').trimEnd().split('\n');
    expect(args.slice(0, 2)).toEqual(['--job-name=rdm2-merge', '--dependency=afterany:4242']);
    const wrap = args.find((a) => a.startsWith('--wrap='))!.slice('--wrap='.length);
    expect(wrap).toBe(`${rdm2} merge 'results' --out 'results'`);
    await run('bash', ['-c', wrap], { cwd: base, env: cleanEnv() });
    const full = join(base, 'full');
    expect((await runCliHere(['sweep', join(base, 'runs'), '--window', '8', '--top-k', '1', '--jobs', '1', '--threads', '1', '--out', full, '--quiet'])).code).toBe(0);
    const merged = JSON.parse(readFileSync(join(base, 'results', 'summary.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(full, 'summary.json'), 'utf8'));
    expect(merged.root).toBe('runs'); // as given in the script, relative to the submit directory
    expect({ ...merged, root: expected.root }).toEqual(expected);
    expect(existsSync(join(base, 'results', 'seed3', 'losses.npy.json'))).toBe(true);
  });
});
