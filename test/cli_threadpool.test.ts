// The rdm2 command sizes libuv's thread pool before the pool starts, so `sweep --jobs N`
// runs N native analyses at once instead of Node's default 4.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'rdm2-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Blocks `blocked` pool threads on named pipes nobody writes, then asks for one more pool
// operation: it completes only if the pool has more than `blocked` threads.
const probe = join(dir, 'probe.mjs');
writeFileSync(
  probe,
  `import { execFileSync } from 'node:child_process';
   import { writeSync } from 'node:fs';
   import { readFile, stat } from 'node:fs/promises';
   // Pool threads stay blocked on the pipes, and a normal exit would wait for them: report
   // synchronously, then end at once.
   const report = (word) => { writeSync(1, word + ' ' + process.env.UV_THREADPOOL_SIZE + '\\n'); process.kill(process.pid, 'SIGKILL'); };
   const blocked = Number(process.argv[1]); // node -e puts the first argument at argv[1]
   for (let i = 0; i < blocked; i++) {
     const fifo = ${JSON.stringify(dir)} + '/fifo' + i;
     execFileSync('mkfifo', [fifo]);
     readFile(fifo).catch(() => {});
   }
   // A free pool answers in microseconds; 5 s of silence means every thread is blocked.
   const timer = setTimeout(() => report('exhausted'), 5000);
   await stat('/');
   clearTimeout(timer);
   report('free');`,
);

function run(preload: boolean, args: string[], env: NodeJS.ProcessEnv = {}) {
  rmSync(join(dir, 'fifo0'), { force: true });
  for (let i = 0; i < 64; i++) rmSync(join(dir, `fifo${i}`), { force: true });
  const script = preload ? `require(${JSON.stringify(join(root, 'bin', 'threadpool.cjs'))}); import(${JSON.stringify(probe)});` : `import(${JSON.stringify(probe)});`;
  const { UV_THREADPOOL_SIZE: _drop, ...base } = process.env;
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { env: { ...base, ...env }, encoding: 'utf8' });
  expect(r.signal, r.stderr).toBe('SIGKILL');
  return r.stdout.trim();
}

describe('libuv thread pool of the rdm2 command', () => {
  const size = Math.max(4, availableParallelism()) + 2;
  it('without the stub, Node keeps 4 threads (the probe itself is sound)', () => {
    expect(run(false, ['4'])).toBe('exhausted undefined');
  });
  it('the stub sizes the pool to the cores + 2 before the pool starts', () => {
    expect(run(true, [String(size - 1)])).toBe(`free ${size}`);
  });
  const cap = Math.max(8, 4 * availableParallelism());
  it('and to --jobs + 2 when more jobs are asked for; a size the user set is kept', () => {
    const jobs = Math.min(size + 3, cap);
    // The probe's own argument comes first (argv[1]); the stub reads argv[2..] for --jobs.
    expect(run(true, [String(jobs + 1), '--jobs', String(jobs)])).toBe(`free ${jobs + 2}`);
    expect(run(true, ['5'], { UV_THREADPOOL_SIZE: '5' })).toBe('exhausted 5');
  });
  it('--jobs beyond the sweep cap (4 per core, at least 8) sizes the pool for the cap (issue 13 item 17)', () => {
    expect(run(true, [String(cap), '--jobs', '1000'])).toBe(`free ${cap + 2}`);
  });
});

describe('sweep --jobs is capped, and the cap reported (issue 13 item 17)', () => {
  it('--jobs 1000 runs at most maxSweepJobs() at once and says so', async () => {
    const { maxSweepJobs, sweep } = await import('../lib/sweep/runner.js');
    const { runCliHere, writeCsv, lossMatrix, tempDir } = await import('./io_fixtures.js');
    const cap = maxSweepJobs();
    expect(cap).toBe(Math.max(8, 4 * availableParallelism()));
    const base = tempDir('rdm2-jobs-');
    for (let i = 0; i < 3; i++) writeCsv(join(base, 'runs', `r${i}`, 'losses.csv'), lossMatrix(20, 3, i), 20, 3);
    const r = await runCliHere(['sweep', join(base, 'runs'), '--window', '5', '--out', join(base, 'out'), '--jobs', '1000', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`rdm2 sweep: --jobs 1000 capped to ${cap} (at most 4 runs per core, at least 8, at once)\n`);
    const outcome = await sweep({ root: join(base, 'runs'), out: join(base, 'out2'), analysis: { window: 5 }, jobs: 1000 });
    expect([outcome.jobs, outcome.jobsCapped]).toEqual([cap, { requested: 1000, cap }]);
    expect(outcome.summary.counts).toEqual({ runs: 3, ok: 3, failed: 0 });
    const small = await sweep({ root: join(base, 'runs'), out: join(base, 'out3'), analysis: { window: 5 }, jobs: 2 });
    expect([small.jobs, small.jobsCapped]).toEqual([2, undefined]);
  });
});
