// A sweep killed mid-way (SIGKILL on the child process) leaves only complete files, and a
// --resume of it ends with exactly the summary (and results) of an uninterrupted sweep.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { TEMP_FILE_PATTERN } from '../lib/io/atomic_write.js';
import { cleanEnv, runCliHere, tempDir } from './io_fixtures.js';
import { makeSweepTree, RUNS } from './sweep_fixtures.js';

vi.setConfig({ testTimeout: 0 }); // child processes: no wall-clock limit

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('SIGKILL then --resume', () => {
  it('ends with exactly the summary of an uninterrupted sweep', async () => {
    const base = tempDir('rdm2-kill-');
    const root = join(base, 'runs');
    const paths = makeSweepTree(root);
    const ARGS = ['--window', '12', '--top-k', '1', '--warn-baseline', '8', '--warn-z', '4', '--warn-consecutive', '2'];

    // Opening run 25 (in sorted order) never completes (test/fixtures/block_open.mjs): with
    // --jobs 1 the sweep analyses runs 0-24, then waits on it, deterministically mid-way, until
    // it is killed.
    const blocked = paths[25]!;
    expect(blocked).toBe('lr-3e-4/seed25/losses.npy');
    const blockedPath = join(root, blocked);

    const killed = join(base, 'killed');
    const preload = join(import.meta.dirname, 'fixtures', 'block_open.mjs');
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', preload, 'lib/cli.ts', 'sweep', root, ...ARGS, '--out', killed, '--jobs', '1'], {
      cwd: join(import.meta.dirname, '..'),
      env: cleanEnv({ RDM2_TEST_BLOCK_OPEN: blockedPath }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    let status: { code: number | null; signal: NodeJS.Signals | null };
    try {
      // Wait until runs 0-24 are logged as done: the sweep is then blocked on run 25.
      const logged = () => stderr.split('\n').filter((l) => l.startsWith('[')).length;
      while (logged() < 25 && child.exitCode === null) await sleep(50);
      expect(child.exitCode).toBeNull();
      expect(logged()).toBe(25);
      // 23 of them are ok (seed05 and seed13 are corrupt) and have a record.
      expect(filesUnder(join(killed, '.rdm2-records'))).toHaveLength(23);
    } finally {
      child.kill('SIGKILL');
      status = await exited;
    }
    expect(status).toEqual({ code: null, signal: 'SIGKILL' });

    // Only complete files: 23 results and their records, no summary yet.
    const left = filesUnder(killed).filter((f) => !TEMP_FILE_PATTERN.test(f.split('/').pop()!));
    expect(existsSync(join(killed, 'summary.json'))).toBe(false);
    expect(left.filter((f) => f.endsWith('.npy.json') || f.endsWith('.csv.json') || f.endsWith('.jsonl.json')).length).toBe(46);
    for (const f of left) expect(() => JSON.parse(readFileSync(join(killed, f), 'utf8')), f).not.toThrow();

    // The sweep is resumed (without the blocking preload).
    // Same --jobs (hence the same threads per run, which results echo) as the uninterrupted sweep.
    const resumed = await runCliHere(['sweep', root, ...ARGS, '--out', killed, '--jobs', '1', '--resume', '--quiet']);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout.split('\n')[0]).toBe(`rdm2 sweep: ${RUNS} runs, ${RUNS - 5} ok, 5 failed (27 analysed, 23 already complete)`);

    const fresh = join(base, 'fresh');
    const uninterrupted = await runCliHere(['sweep', root, ...ARGS, '--out', fresh, '--jobs', '1', '--quiet']);
    expect(uninterrupted.code).toBe(1);
    expect(readFileSync(join(killed, 'summary.json'), 'utf8')).toBe(readFileSync(join(fresh, 'summary.json'), 'utf8'));
    expect(readFileSync(join(killed, 'summary.csv'), 'utf8')).toBe(readFileSync(join(fresh, 'summary.csv'), 'utf8'));
    const results = filesUnder(fresh).filter((f) => !f.startsWith('.rdm2-records'));
    expect(filesUnder(killed).filter((f) => !f.startsWith('.rdm2-records'))).toEqual(results);
    for (const f of results) expect(readFileSync(join(killed, f), 'utf8'), f).toBe(readFileSync(join(fresh, f), 'utf8'));
    expect(statSync(join(killed, 'summary.json')).isFile()).toBe(true);
  });
});
