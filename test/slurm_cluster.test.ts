// examples/slurm/sweep.sbatch under a real Slurm scheduler (a one-node cluster on localhost, see
// test/slurm/cluster.ts): an array job of 3 tasks over a 12-run sweep, its merge job, and
// `rdm2 merge` give the summary of an unsharded sweep; a task cancelled with scancel leaves a
// shard missing (merge refuses), and the array resubmitted (--resume) ends equal. Skipped, with
// the reason printed, only where slurmd cannot run; under CI it must run.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lossMatrix, runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';
import { cannotRunSlurm, poll, startCluster, type SlurmCluster } from './slurm/cluster.js';

vi.setConfig({ testTimeout: 0, hookTimeout: 0 });

const reason = cannotRunSlurm();
if (reason) {
  if (process.env.CI) throw new Error(`the Slurm cluster test must run under CI, but: ${reason}`);
  console.log(`skipping the Slurm cluster test: ${reason}`);
}

const repo = join(import.meta.dirname, '..');
const script = join(repo, 'examples', 'slurm', 'sweep.sbatch');
const RUNS = 12;
/** A hang guard for one array job (and its merge job) on a slow machine; no timing is asserted. */
const JOB_LIMIT_MS = 15 * 60_000;

describe.skipIf(reason !== undefined)('rdm2 sweep on a real Slurm cluster', () => {
  let cluster: SlurmCluster;
  let base: string;
  let full: string;
  let rdm2: string;

  beforeAll(async () => {
    base = tempDir('rdm2-slurm-');
    cluster = await startCluster(tempDir('rdm2-slurmd-'));
    for (let i = 0; i < RUNS; i++) writeNpy(join(base, 'runs', `seed${String(i).padStart(2, '0')}`, 'losses.npy'), lossMatrix(80, 16, 500 + i), 80, 16);
    const tsx = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    rdm2 = `${process.execPath} --import ${tsx} ${join(repo, 'lib', 'cli.ts')}`;
    full = join(base, 'full');
    const r = await runCliHere(['sweep', join(base, 'runs'), '--window', '8', '--top-k', '1', '--jobs', '1', '--threads', '1', '--out', full, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Submits the example script as an array of 3 tasks (its #SBATCH sizes overridden for this small node); returns the job id. */
  async function submit(out: string, env: Record<string, string> = {}): Promise<string> {
    mkdirSync(join(base, 'logs'), { recursive: true });
    const stdout = await cluster.client(
      'sbatch',
      ['--parsable', '--array=0-2', '--cpus-per-task=1', '--mem=500M', '--time=30', `--output=${join(base, 'logs', `${out}-%A_%a.log`)}`, script],
      { cwd: base, env: { RDM2: rdm2, WINDOW: '8', RUNS: 'runs', OUT: out, ...env } },
    );
    return stdout.trim().split(';')[0]!;
  }

  /** Waits until nothing of this cluster is queued or running (the array and the merge job it submits). */
  async function drain(): Promise<void> {
    await poll('the jobs to finish', async () => ((await cluster.client('squeue', ['-h', '-o', '%i'])).trim() === '' ? true : undefined), JOB_LIMIT_MS, 500);
  }

  /** `JobState` and `ExitCode` of each task of an array job, by task id. */
  async function taskStates(job: string): Promise<Record<string, string>> {
    const text = await cluster.client('scontrol', ['-o', 'show', 'job', job]);
    const out: Record<string, string> = {};
    for (const line of text.trim().split('\n')) {
      const task = /ArrayTaskId=(\d+)(?:\s|$)/.exec(line)?.[1]; // a pending array shows as one record, 0-2
      if (task !== undefined) out[task] = `${/JobState=(\S+)/.exec(line)![1]} ${/ExitCode=(\S+)/.exec(line)![1]}`;
    }
    return out;
  }

  function summary(dir: string): Record<string, unknown> {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    return { ...s, root: 'runs' };
  }

  it('an array job of 3 tasks, its merge job and rdm2 merge give the unsharded summary', async () => {
    const job = await submit('results');
    try {
      await drain();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    }
    expect(await taskStates(job)).toEqual({ '0': 'COMPLETED 0:0', '1': 'COMPLETED 0:0', '2': 'COMPLETED 0:0' });
    const results = join(base, 'results');
    expect(readdirSync(results).filter((f) => /^summary\.shard-\d-of-3\.json$/.test(f)).sort()).toEqual(['summary.shard-0-of-3.json', 'summary.shard-1-of-3.json', 'summary.shard-2-of-3.json']);
    // The merge job that task 0 queued (afterany on the array) wrote results/summary.json.
    expect(summary(results)).toEqual(summary(full));
    const merged = join(base, 'merged');
    const r = await runCliHere(['merge', results, '--out', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(summary(merged)).toEqual(summary(full));
    expect(existsSync(join(merged, 'summary.parquet'))).toBe(true);
  });

  it('a task cancelled with scancel, then the array resubmitted with --resume, ends equal', async () => {
    // Task 1 of the first submission waits (running, holding its allocation) until it is cancelled.
    const gate = join(base, 'gate');
    const slow = writeText(
      join(base, 'bin', 'rdm2-gated'),
      `#!/bin/sh\nif [ "$1" = sweep ] && [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then touch "${gate}"; sleep 3600; fi\nexec ${rdm2} "$@"\n`,
    );
    chmodSync(slow, 0o755);
    const first = await submit('resumed', { RDM2: slow });
    await poll(
      'task 1 to start',
      async () => {
        if (existsSync(gate)) return true;
        const state = (await taskStates(first))['1'];
        if (state !== undefined && !/^(PENDING|RUNNING|CONFIGURING)/.test(state)) throw new Error(`task 1 ended before it was cancelled: ${state}\n${cluster.logs()}`);
        return undefined;
      },
      JOB_LIMIT_MS,
    );
    await cluster.client('scancel', [`${first}_1`]);
    await drain();
    const states = await taskStates(first);
    expect(states['0']).toBe('COMPLETED 0:0');
    expect(states['2']).toBe('COMPLETED 0:0');
    expect(states['1']).toMatch(/^CANCELLED/);
    const resumed = join(base, 'resumed');
    // Shard 1 never finished: the merge job (afterany) and rdm2 merge both refuse.
    expect(existsSync(join(resumed, 'summary.json'))).toBe(false);
    const refused = await runCliHere(['merge', resumed, '--out', join(base, 'refused')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('missing shard 1/3');

    const second = await submit('resumed');
    await drain();
    expect(await taskStates(second)).toEqual({ '0': 'COMPLETED 0:0', '1': 'COMPLETED 0:0', '2': 'COMPLETED 0:0' });
    // Tasks 0 and 2 found their runs complete; task 1 analysed its own.
    const log = (task: number): string => readFileSync(join(base, 'logs', `resumed-${second}_${task}.log`), 'utf8');
    expect(log(0)).toMatch(/\(0 analysed, \d+ already complete\)/);
    expect(log(2)).toMatch(/\(0 analysed, \d+ already complete\)/);
    expect(log(1)).toMatch(/\([1-9]\d* analysed, 0 already complete\)/);
    expect(summary(resumed)).toEqual(summary(full));
    const merged = join(base, 'merged-resumed');
    expect((await runCliHere(['merge', resumed, '--out', merged])).code).toBe(0);
    expect(summary(merged)).toEqual(summary(full));
  });
});
