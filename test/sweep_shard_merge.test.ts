// Discovery, globs, sharding (flag, Slurm and Kubernetes environments), and merging: four shards
// merged equal the unsharded sweep; overlapping, missing and mismatched shards are refused.
import { mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { DEFAULT_PATTERN, discoverRuns } from '../lib/sweep/discover.js';
import { globToRegExp } from '../lib/sweep/glob.js';
import { parseShard, selectShard, shardFromEnv, shardOf } from '../lib/sweep/shard.js';
import { runCliHere, tempDir, writeText } from './io_fixtures.js';
import { makeSweepTree, RUNS } from './sweep_fixtures.js';

vi.setConfig({ testTimeout: 0 });

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_USAGE');
    return (e as Rdm2Error).message;
  }
  throw new Error('expected an error');
}

describe('globs', () => {
  it('**, *, ?, classes and braces over relative paths', () => {
    const m = (p: string, s: string) => globToRegExp(p).test(s);
    expect(m('**/losses.npy', 'losses.npy')).toBe(true);
    expect(m('**/losses.npy', 'a/b/c/losses.npy')).toBe(true);
    expect(m('**/losses.npy', 'a/xlosses.npy')).toBe(false);
    expect(m('runs/*/l.npy', 'runs/a/l.npy')).toBe(true);
    expect(m('runs/*/l.npy', 'runs/a/b/l.npy')).toBe(false);
    expect(m('seed?/l.npy', 'seed7/l.npy')).toBe(true);
    expect(m('seed[0-4]/l.npy', 'seed5/l.npy')).toBe(false);
    expect(m('seed[!0-4]/l.npy', 'seed5/l.npy')).toBe(true);
    expect(m('**/*.{npy,csv}', 'a/b.csv')).toBe(true);
    expect(m('**/*.{npy,csv}', 'a/b.jsonl')).toBe(false);
    expect(m('a/**', 'a/b/c')).toBe(true);
    expect(m('a.b/(x)+', 'a.b/(x)+')).toBe(true);
    expect(m('a.b', 'axb')).toBe(false);
  });

  it('bad patterns', () => {
    expect(usageError(() => globToRegExp(''))).toBe(`pattern "" must be a non-empty glob relative to the sweep root, e.g. '**/losses.npy'`);
    expect(usageError(() => globToRegExp('/abs/*.npy'))).toBe(`pattern "/abs/*.npy" must be a non-empty glob relative to the sweep root, e.g. '**/losses.npy'`);
    expect(usageError(() => globToRegExp('a[bc'))).toBe(`pattern "a[bc": unclosed '[' at character 2`);
  });
});

describe('discovery', () => {
  it('sorted relative paths; hidden entries, the output directory and repeated real directories skipped', async () => {
    const root = tempDir('rdm2-disc-');
    for (const p of ['b/losses.npy', 'a/2/losses.csv', 'a/10/losses.npy', '.hidden/losses.npy', 'out/x/losses.npy', 'a/notes.txt']) writeText(join(root, p), 'x');
    const elsewhere = tempDir('rdm2-ext-');
    writeText(join(elsewhere, 'losses.npy'), 'x');
    symlinkSync(elsewhere, join(root, 'd')); // followed
    symlinkSync(join(root, 'b'), join(root, 'c')); // b again: visited once, under its first name
    symlinkSync(root, join(root, 'a', 'loop')); // a cycle
    expect(await discoverRuns(root, { exclude: [join(root, 'out')] })).toEqual(['a/10/losses.npy', 'a/2/losses.csv', 'b/losses.npy', 'd/losses.npy']);
    expect(await discoverRuns(root, { pattern: 'a/**/*.npy' })).toEqual(['a/10/losses.npy']);
    expect(await discoverRuns(root, { pattern: 'a/**' })).toEqual(['a/10/losses.npy', 'a/2/losses.csv']); // not notes.txt
  });
});

describe('shards', () => {
  it('--shard I/N', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(usageError(() => parseShard('4/4'))).toBe('--shard 4/4: shard index 4 is out of range, expected 0 to 3');
    expect(usageError(() => parseShard('0/0'))).toBe('--shard 0/0: the shard count must be >= 1, got 0');
    expect(usageError(() => parseShard('1-4'))).toBe('--shard "1-4": expected I/N, e.g. 0/4 (shards are numbered from 0)');
  });

  it('from a Slurm array or a Kubernetes indexed Job', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 2, count: 4 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', RDM2_SHARD_COUNT: '3' })).toEqual({ index: 0, count: 3 });
    expect(usageError(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4' }))).toBe(
      'Slurm array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; use a contiguous --array=0-(N-1)): shard index 5 is out of range, expected 0 to 3',
    );
    expect(usageError(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' }))).toBe('SLURM_ARRAY_TASK_ID must be a non-negative integer, got "x"');
    expect(usageError(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }))).toBe('SLURM_ARRAY_TASK_ID 0 is below SLURM_ARRAY_TASK_MIN 1');
  });

  it('a stable hash of the relative path; shards partition the runs', () => {
    expect([shardOf('a/losses.npy', 4), shardOf('lr-1e-3/seed00/losses.npy', 4), shardOf('run 7/losses.csv', 4)]).toEqual([2, 2, 3]);
    expect(shardOf('a/losses.npy', 1_000_000_007)).toBe(913822878);
    const all = Array.from({ length: 200 }, (_, i) => `run${i}/losses.npy`).sort();
    const parts = [0, 1, 2, 3].map((index) => selectShard(all, { index, count: 4 }));
    expect(parts.flat().sort()).toEqual(all);
    expect(parts.map((p) => p.length)).toEqual(parts.map((p) => all.filter((r) => shardOf(r, 4) === parts.indexOf(p)).length));
    for (const p of parts) expect(p.length).toBeGreaterThan(30);
    expect(selectShard(all, { index: 0, count: 1 })).toEqual(all);
  });
});

/** A summary document with other runs, its counts and failed list made to agree (as a careful forger would). */
function withRuns(doc: Record<string, unknown>, runs: { path: string; status: string }[]): Record<string, unknown> {
  const sorted = runs.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const failed = sorted.filter((r) => r.status === 'failed').map((r) => r.path);
  return { ...doc, runs: sorted, failed, counts: { runs: sorted.length, ok: sorted.length - failed.length, failed: failed.length } };
}

describe('four shards merged equal the unsharded sweep', () => {
  const base = tempDir('rdm2-shard-');
  const root = join(base, 'runs');
  makeSweepTree(root);
  const ARGS = ['--window', '12', '--top-k', '1', '--jobs', '2', '--quiet'];
  const full = join(base, 'full');
  const shared = join(base, 'shards'); // shards 0-2 write to one directory, as array jobs on a shared filesystem do
  const own = join(base, 'shard3');
  const merged = join(base, 'merged');
  const counts: number[] = [];

  beforeAll(async () => {
    expect((await runCliHere(['sweep', root, ...ARGS, '--out', full])).code).toBe(1);
    for (const [args, env] of [
      [['--shard', '0/4', '--out', shared], {}],
      [['--shard', '1/4', '--out', shared], {}],
      [['--out', shared], { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }],
      [['--out', own], { JOB_COMPLETION_INDEX: '3', RDM2_SHARD_COUNT: '4' }],
    ] as [string[], Record<string, string>][]) {
      const r = await runCliHere(['sweep', root, ...ARGS, ...args], env);
      counts.push(Number(/: (\d+) runs,/.exec(r.stdout)![1]));
    }
  });

  it('each shard writes its own summary; together they cover every run once', () => {
    expect(readdirSync(shared).filter((f) => f.startsWith('summary')).sort()).toEqual([
      'summary.shard-0-of-4.csv', 'summary.shard-0-of-4.json', 'summary.shard-0-of-4.parquet',
      'summary.shard-1-of-4.csv', 'summary.shard-1-of-4.json', 'summary.shard-1-of-4.parquet',
      'summary.shard-2-of-4.csv', 'summary.shard-2-of-4.json', 'summary.shard-2-of-4.parquet',
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(RUNS);
    const s2 = JSON.parse(readFileSync(join(shared, 'summary.shard-2-of-4.json'), 'utf8'));
    expect(s2.shard).toEqual({ index: 2, count: 4 });
    expect(s2.discovered).toBe(RUNS);
  });

  it('rdm2 merge writes the same summary.json, summary.csv and summary.parquet, byte for byte', async () => {
    const r = await runCliHere(['merge', shared, own, '--out', merged]);
    expect(r.code).toBe(1); // five runs failed
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'rdm2 merge: 4 shard summaries, 50 runs, 45 ok, 5 failed',
      `summary: ${join(merged, 'summary.json')}, ${join(merged, 'summary.csv')}, ${join(merged, 'summary.parquet')}`,
      'failed runs:',
    ]);
    expect(readFileSync(join(merged, 'summary.json'), 'utf8')).toBe(readFileSync(join(full, 'summary.json'), 'utf8'));
    expect(readFileSync(join(merged, 'summary.csv'), 'utf8')).toBe(readFileSync(join(full, 'summary.csv'), 'utf8'));
    expect(readFileSync(join(merged, 'summary.parquet')).equals(readFileSync(join(full, 'summary.parquet')))).toBe(true);
    // Merging into the shards' own directory works too, and a second merge there still reads the shards.
    expect((await runCliHere(['merge', shared, own, '--out', shared])).code).toBe(1);
    expect((await runCliHere(['merge', shared, own, '--out', shared])).code).toBe(1);
    expect(readFileSync(join(shared, 'summary.json'), 'utf8')).toBe(readFileSync(join(full, 'summary.json'), 'utf8'));
  });

  it('refuses missing, repeated, overlapping and mismatched shards', async () => {
    const fail = (message: string) => ({ code: 1, stdout: '', stderr: `rdm2 merge: error: ${message} [ERR_RDM2_FILE]\n` });
    const s = (i: number) => join(i === 3 ? own : shared, `summary.shard-${i}-of-4.json`);
    expect(await runCliHere(['merge', own, '--out', merged])).toEqual(fail('missing shards 0/4, 1/4, 2/4: expected all 4 shards'));
    expect(await runCliHere(['merge', shared, own, own, '--out', merged])).toEqual(fail(`shard 3/4 appears twice: ${s(3)} and ${s(3)}`));

    const odd = join(base, 'odd');
    mkdirSync(odd);
    const doc = JSON.parse(readFileSync(s(3), 'utf8'));
    const stolen = JSON.parse(readFileSync(s(0), 'utf8')).runs[0];
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), JSON.stringify(withRuns(doc, [...doc.runs, stolen])));
    expect(await runCliHere(['merge', shared, odd, '--out', merged])).toEqual(
      fail(`run ${stolen.path} appears in both ${s(0)} and ${join(odd, 'summary.shard-3-of-4.json')}: overlapping shards`),
    );
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), JSON.stringify(withRuns(doc, doc.runs.slice(1))));
    expect(await runCliHere(['merge', shared, odd, '--out', merged])).toEqual(fail('the shards hold 49 runs but the sweep found 50: expected every run in exactly one shard'));
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), JSON.stringify({ ...doc, shard: { index: 3, count: 5 } }));
    expect(await runCliHere(['merge', shared, odd, '--out', merged])).toEqual(
      fail(`${join(odd, 'summary.shard-3-of-4.json')} is shard 3/5 but ${s(0)} is one of 4 shards: expected shards of one sweep`),
    );
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), JSON.stringify({ ...doc, pattern: '**/*.npy' }));
    expect(await runCliHere(['merge', shared, odd, '--out', merged])).toEqual(
      fail(`${join(odd, 'summary.shard-3-of-4.json')} was swept with pattern '**/*.npy' but ${s(0)} with '${DEFAULT_PATTERN}'`),
    );
    const other = { ...doc, options: { ...doc.options, analysis: { ...doc.options.analysis, window: 10 } } };
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), JSON.stringify(other));
    expect((await runCliHere(['merge', shared, odd, '--out', merged])).stderr).toBe(
      `rdm2 merge: error: ${join(odd, 'summary.shard-3-of-4.json')} was swept with options ${JSON.stringify(other.options)} but ${s(0)} with ${JSON.stringify(doc.options)} [ERR_RDM2_FILE]\n`,
    );
    writeFileSync(join(odd, 'summary.shard-3-of-4.json'), '{"hello": 1}');
    expect(await runCliHere(['merge', shared, odd, '--out', merged])).toEqual(
      fail(`${join(odd, 'summary.shard-3-of-4.json')}: not an rdm2 sweep summary, expected an object with rdm2.kind 'sweep-summary' and runs`),
    );
  });

  it('refuses tampered summaries: a huge shard count, a null run, a path out of the root (issue 13 item 4)', async () => {
    const fail = (message: string) => ({ code: 1, stdout: '', stderr: `rdm2 merge: error: ${message} [ERR_RDM2_FILE]\n` });
    const doc = JSON.parse(readFileSync(join(own, 'summary.shard-3-of-4.json'), 'utf8'));
    const bad = join(base, 'tampered');
    mkdirSync(bad);
    const f = join(bad, 'summary.shard-3-of-4.json');
    writeFileSync(f, JSON.stringify({ ...doc, shard: { index: 3, count: 300000000 } }));
    expect(await runCliHere(['merge', bad, shared, '--out', merged])).toEqual(fail(`${f} is one of 300000000 shards but 4 summaries were given: expected all 300000000 shards`));
    writeFileSync(f, JSON.stringify({ ...doc, runs: [null, ...doc.runs] }));
    expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(fail(`${f}: runs[0]: null, expected a run record { path, status, error, ... }`));
    writeFileSync(f, JSON.stringify(withRuns(doc, [...doc.runs, { ...doc.runs[0], path: '../../etc/losses.npy' }])));
    expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(
      fail(`${f}: runs[0].path: "../../etc/losses.npy" climbs out with '..', expected a path inside the directory it is relative to`),
    );
    writeFileSync(f, JSON.stringify({ ...doc, counts: { runs: 1e300, ok: 0, failed: 0 } }));
    expect((await runCliHere(['merge', shared, bad, '--out', merged])).stderr).toMatch(/summary\.shard-3-of-4\.json: counts: \{"runs":1e\+300,"ok":0,"failed":0\}, expected \{ runs: \d+, ok: \d+, failed: \d+ \} as the runs say \[ERR_RDM2_FILE\]/);
    for (const [key, value, message] of [
      ['discovered', -1, 'discovered: -1, expected the number of runs found (an integer >= 0)'],
      ['shard', { index: 4, count: 4 }, 'shard: {"index":4,"count":4}, expected null or { index, count } with 0 <= index < count'],
      ['root', 7, 'root: 7, expected the sweep root (a string)'],
      ['options', null, "options: expected { analysis: {...}, warning: {...}, format: 'json' | 'csv' | 'npz' }"],
    ] as [string, unknown, string][]) {
      writeFileSync(f, JSON.stringify({ ...doc, [key]: value }));
      expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(fail(`${f}: ${message}`));
    }
  });

  it('refuses shards of another tree, another root, or a run in a shard its path does not hash to (issue 13 item 9)', async () => {
    const fail = (message: string) => ({ code: 1, stdout: '', stderr: `rdm2 merge: error: ${message} [ERR_RDM2_FILE]\n` });
    const s0 = join(shared, 'summary.shard-0-of-4.json');
    // Shard 3 swept again after a run was renamed: the counts still balance, the tree does not.
    const from = join(root, 'lr-1e-3', 'seed00');
    const to = join(root, 'lr-1e-3', 'seed00-renamed');
    renameSync(from, to);
    const other = join(base, 'other-tree');
    try {
      await runCliHere(['sweep', root, ...ARGS, '--shard', '3/4', '--out', other]);
    } finally {
      renameSync(to, from);
    }
    const o3 = join(other, 'summary.shard-3-of-4.json');
    expect(JSON.parse(readFileSync(o3, 'utf8')).discovered).toBe(RUNS);
    expect(await runCliHere(['merge', shared, other, '--out', merged])).toEqual(
      fail(`${o3} was swept from a different tree of runs than ${s0} (the sha256 of the runs found differs): expected shards of one tree`),
    );

    const doc = JSON.parse(readFileSync(join(own, 'summary.shard-3-of-4.json'), 'utf8'));
    const bad = join(base, 'forged');
    mkdirSync(bad);
    const f = join(bad, 'summary.shard-3-of-4.json');
    writeFileSync(f, JSON.stringify({ ...doc, root: '/elsewhere/runs' }));
    expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(
      fail(`${f} was swept from root "/elsewhere/runs" but ${s0} from ${JSON.stringify(root)}: expected shards of one tree`),
    );
    // A run of shard 0 moved into shard 3 (both summaries edited so that every count agrees).
    const d0 = JSON.parse(readFileSync(s0, 'utf8'));
    const moved = d0.runs[0];
    const alt = join(base, 'forged0');
    mkdirSync(alt);
    for (const i of [1, 2]) writeFileSync(join(alt, `summary.shard-${i}-of-4.json`), readFileSync(join(shared, `summary.shard-${i}-of-4.json`)));
    writeFileSync(join(alt, 'summary.shard-0-of-4.json'), JSON.stringify(withRuns(d0, d0.runs.slice(1))));
    writeFileSync(f, JSON.stringify(withRuns(doc, [...doc.runs, moved])));
    expect(await runCliHere(['merge', alt, bad, '--out', merged])).toEqual(fail(`run ${moved.path} is in ${f} (shard 3/4) but its path belongs to shard 0/4`));
    // A run replaced by one the sweep never found, hashing to the same shard.
    let fake = '';
    for (let k = 0; shardOf(fake, 4) !== 3; k++) fake = `zz/fake${k}/losses.npy`;
    writeFileSync(f, JSON.stringify(withRuns(doc, [...doc.runs.slice(1), { ...doc.runs[1], path: fake }])));
    expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(
      fail(`the runs of the shards are not the runs the sweep found (the sha256 of their paths differs from the tree hash in ${s0})`),
    );
    const { tree: _tree, ...old } = doc;
    writeFileSync(f, JSON.stringify(old));
    expect(await runCliHere(['merge', shared, bad, '--out', merged])).toEqual(fail(`${f} has no tree hash (written by an older rdm2): run its sweep again with --resume to rewrite the summary`));
  });

  it('usage errors', async () => {
    const empty = join(base, 'empty');
    mkdirSync(empty);
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `rdm2 merge: error: ${message} [ERR_RDM2_USAGE]\n(run 'rdm2 merge --help' for usage)\n` });
    expect(await runCliHere(['merge', empty, '--out', merged])).toEqual(usage(`no sweep summary (summary.json or summary.shard-I-of-N.json) in ${empty}`));
    expect(await runCliHere(['merge', join(base, 'nope'), '--out', merged])).toEqual(usage(`${join(base, 'nope')}: cannot read the directory: no such directory`));
    expect(await runCliHere(['merge', '--out', merged])).toEqual(usage("missing required argument 'dir'"));
    expect(await runCliHere(['merge', shared, '--out', merged, '--force'])).toEqual(usage("unknown option '--force'"));
  });
});
