// `rdm2 sweep` over a generated tree of 50 runs, some corrupt: results complete, failed runs
// listed with their errors, exit status 1; --resume; usage errors.
import { existsSync, readFileSync, readdirSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { encodeNpy } from '../lib/io/npy.js';
import { summarizeRun } from '../lib/stats/index.js';
import { lossMatrix, runCliHere, runCliProcess, tempDir, writeText } from './io_fixtures.js';
import { corruptRuns, makeSweepTree, N, RUNS, T } from './sweep_fixtures.js';

vi.setConfig({ testTimeout: 0 }); // child processes: no wall-clock limit

const base = tempDir('rdm2-sweep-');
const root = join(base, 'runs');
const out = join(base, 'out');
const paths = makeSweepTree(root);
const corrupt = corruptRuns(root);
const ARGS = ['--window', '12', '--top-k', '1', '--warn-baseline', '8', '--warn-z', '4', '--warn-consecutive', '2'];
let first: Awaited<ReturnType<typeof runCliProcess>>;

beforeAll(async () => {
  first = await runCliProcess(['sweep', root, ...ARGS, '--out', out, '--jobs', '2']);
});

describe('a sweep with corrupt runs (child process)', () => {
  it('exits 1 and says which runs failed', () => {
    expect(first.code).toBe(1);
    const failedLines = Object.entries(corrupt).map(([rel, msg]) => `  ${rel}: ${msg}`);
    expect(first.stdout).toBe(
      [
        `rdm2 sweep: ${RUNS} runs, ${RUNS - 5} ok, 5 failed (${RUNS} analysed, 0 already complete)`,
        `summary: ${join(out, 'summary.json')}, ${join(out, 'summary.csv')}, ${join(out, 'summary.parquet')}`,
        'failed runs:',
        ...failedLines,
        '',
      ].join('\n'),
    );
  });

  it('logs one line per run with rate and ETA when stderr is not a terminal', () => {
    const lines = first.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`rdm2 sweep: ${RUNS} runs found, ${RUNS} in this sweep, ${RUNS} to analyse`);
    expect(lines).toHaveLength(RUNS + 1);
    const logged = lines.slice(1).map((l) => {
      const m = /^\[\s*(\d+)\/50\] (ok {6}|failed {2})(\S+)(: .*)? \(\d+\.\d\d runs\/s, ETA [0-9hms?]+\)$/.exec(l);
      expect(m, l).not.toBeNull();
      return { count: Number(m![1]), status: m![2]!.trim(), path: m![3] };
    });
    expect(logged.map((l) => l.count)).toEqual(Array.from({ length: RUNS }, (_, i) => i + 1));
    expect(logged.filter((l) => l.status === 'failed').map((l) => l.path).sort()).toEqual(Object.keys(corrupt));
  });

  it('summary.json: one record per run, sorted, the failed ones with their error', () => {
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.rdm2.kind).toBe('sweep-summary');
    expect(s.root).toBe(root);
    expect(s.pattern).toBe('**/losses.{npy,npz,csv,tsv,jsonl,ndjson,rows,parquet,pq,arrow,feather,arrows,ipc,h5,hdf5}');
    expect(s.shard).toBeNull();
    expect(s.discovered).toBe(RUNS);
    expect(s.counts).toEqual({ runs: RUNS, ok: RUNS - 5, failed: 5 });
    expect(s.failed).toEqual(Object.keys(corrupt));
    expect(s.options).toEqual({
      analysis: { window: 12, topK: 1, detrend: 'none', transform: 'none', beta: 1, nonFinite: 'error' },
      warning: { baseline: 8, z: 4, consecutive: 2 },
      format: 'json',
    });
    expect(s.runs.map((r: { path: string }) => r.path)).toEqual(paths);
    for (const r of s.runs) {
      if (corrupt[r.path]) expect(r).toEqual({ path: r.path, status: 'failed', error: corrupt[r.path] });
      else expect([r.status, r.error]).toEqual(['ok', null]);
    }
    // One record checked against the library directly.
    const k = paths.indexOf('lr-3e-4/seed26/losses.npy');
    const rec = s.runs[k];
    const a = analyzeSync({ data: lossMatrix(T, N, 126), shape: [T, N] }, { window: 12, topK: 1, threads: rec.analysisOptions.threads });
    const groups = Array.from({ length: N }, (_, i) => (i < 7 ? 'A' : i < 14 ? 'B' : 'C'));
    const expected = summarizeRun(a, { steps: Array.from({ length: T }, (_, t) => 10 * t), groups, transition: 300 + 10 * (k % 5), warning: { baseline: 8, z: 4, consecutive: 2 } });
    expect(rec).toEqual(JSON.parse(JSON.stringify({ path: paths[k], status: 'ok', error: null, ...expected })));
  });

  it('summary.csv: one row per run, nested fields as dotted columns', () => {
    const lines = readFileSync(join(out, 'summary.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(RUNS + 1);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 8)).toEqual(['path', 'status', 'error', 'rows', 'probes', 'windows', 'degenerateWindows', 'analysisOptions.window']);
    expect(header).toContain('shcPeak.step');
    expect(header).toContain('blockEnergy.B');
    expect(header).toContain('leadSteps');
    expect(header).not.toContain('shcPeak');
    const seed05 = lines.find((l) => l.startsWith('lr-1e-3/seed05/'))!;
    expect(seed05.startsWith(`lr-1e-3/seed05/losses.npy,failed,"${corrupt['lr-1e-3/seed05/losses.npy']}",,`)).toBe(true);
    const ok = lines[1]!.split(',');
    expect(ok.slice(0, 6)).toEqual(['lr-1e-3/seed00/losses.npy', 'ok', '', '60', '20', '49']);
  });

  it('one complete result per ok run, mirroring the input tree; nothing for failed runs', () => {
    for (const rel of paths) {
      const result = join(out, `${rel}.json`);
      if (corrupt[rel]) {
        expect(existsSync(result)).toBe(false);
        continue;
      }
      const doc = JSON.parse(readFileSync(result, 'utf8'));
      expect(doc.windows).toBe(49);
      expect(doc.input.path).toBe(join(root, rel));
      expect(doc.summary.path).toBeUndefined();
    }
    expect(readdirSync(join(out, 'lr-1e-3', 'seed00')).sort()).toEqual(['losses.npy.json']);
    expect(readdirSync(out).sort()).toEqual(['.rdm2-records', 'lr-1e-3', 'lr-3e-4', 'summary.csv', 'summary.json', 'summary.parquet']);
  });
});

describe('--resume (in process)', () => {
  it('skips complete runs, retries failed ones, and redoes runs whose input or options changed', async () => {
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    const again = await runCliHere(['sweep', root, ...ARGS, '--out', out, '--jobs', '2', '--resume', '--quiet']);
    expect(again.code).toBe(1);
    expect(again.stdout.split('\n')[0]).toBe(`rdm2 sweep: ${RUNS} runs, ${RUNS - 5} ok, 5 failed (5 analysed, 45 already complete)`);
    expect(again.stderr).toBe('');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);

    const touched = join(root, 'lr-1e-3/seed00/losses.npy');
    const future = new Date(Date.now() + 60_000);
    utimesSync(touched, future, future);
    const meta = join(root, 'lr-1e-3/seed01/meta.json');
    utimesSync(meta, future, future);
    const third = await runCliHere(['sweep', root, ...ARGS, '--out', out, '--jobs', '2', '--resume']);
    expect(third.stdout.split('\n')[0]).toBe(`rdm2 sweep: ${RUNS} runs, ${RUNS - 5} ok, 5 failed (7 analysed, 43 already complete)`);
    expect(third.stderr.split('\n')[0]).toBe(`rdm2 sweep: ${RUNS} runs found, ${RUNS} in this sweep, 43 already complete (--resume), 7 to analyse`);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);

    const other = await runCliHere(['sweep', root, ...ARGS, '--beta', '2', '--out', out, '--resume', '--quiet']);
    expect(other.stdout.split('\n')[0]).toBe(`rdm2 sweep: ${RUNS} runs, ${RUNS - 5} ok, 5 failed (${RUNS} analysed, 0 already complete)`);
  });

  it('redoes a run whose sidecar meta.json was deleted, replaced by an older file, or shadowed by <name>.meta.json (issue 13 item 10)', async () => {
    const o = join(base, 'resume-meta');
    const sweepArgs = ['sweep', root, ...ARGS, '--pattern', 'lr-1e-3/seed0[0-4]/losses.*', '--out', o, '--quiet'];
    expect((await runCliHere(sweepArgs)).stdout.split('\n')[0]).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (5 analysed, 0 already complete)');
    const resume = async () => (await runCliHere([...sweepArgs, '--resume'])).stdout.split('\n')[0];
    const energyOf = (rel: string) => JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8')).runs.find((r: { path: string }) => r.path === rel).blockEnergy;
    expect(await resume()).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (0 analysed, 5 already complete)');

    // Deleted: the stored result still had the groups' block energies; the redone one has none.
    const meta = join(root, 'lr-1e-3/seed02/meta.json');
    const text = readFileSync(meta, 'utf8');
    expect(energyOf('lr-1e-3/seed02/losses.npy')).not.toBeNull();
    unlinkSync(meta);
    expect(await resume()).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (1 analysed, 4 already complete)');
    expect(energyOf('lr-1e-3/seed02/losses.npy')).toBeNull();
    expect(await resume()).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (0 analysed, 5 already complete)');

    // Put back with a modification time older than the record: still a different file.
    writeText(meta, text);
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(meta, past, past);
    expect(await resume()).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (1 analysed, 4 already complete)');
    expect(energyOf('lr-1e-3/seed02/losses.npy')).not.toBeNull();

    // A <name>.meta.json appears next to the loss file: it is the sidecar now.
    const own = writeText(join(root, 'lr-1e-3/seed01/losses.meta.json'), JSON.stringify({ groups: Array.from({ length: N }, (_, i) => (i % 2 ? 'odd' : 'even')) }));
    try {
      expect(await resume()).toBe('rdm2 sweep: 5 runs, 5 ok, 0 failed (1 analysed, 4 already complete)');
      expect(Object.keys(energyOf('lr-1e-3/seed01/losses.npy')).sort()).toEqual(['even', 'odd']);
    } finally {
      unlinkSync(own);
    }
  });
});

describe('patterns, formats and usage errors', () => {
  it('--pattern selects runs; --format csv writes CSV results', async () => {
    const o = join(base, 'csv-out');
    const r = await runCliHere(['sweep', root, '--window', '10', '--pattern', 'lr-3e-4/**/*.jsonl', '--format', 'csv', '--out', o, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('rdm2 sweep: 3 runs, 2 ok, 1 failed (3 analysed, 0 already complete)');
    expect(readFileSync(join(o, 'lr-3e-4/seed27/losses.jsonl.csv'), 'utf8').split('\n')[0]).toMatch(/^# rdm2 .+ analysis$/);
    const ok = await runCliHere(['sweep', root, '--window', '10', '--pattern', 'lr-1e-3/seed0[0-2]/losses.npy', '--out', join(base, 'ok-out'), '--quiet']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      `rdm2 sweep: 3 runs, 3 ok, 0 failed (3 analysed, 0 already complete)\nsummary: ${join(base, 'ok-out', 'summary.json')}, ${join(base, 'ok-out', 'summary.csv')}, ${join(base, 'ok-out', 'summary.parquet')}\n`,
    );
  });

  it('--groups applies one labelling to every run (and a wrong one fails each run)', async () => {
    const labels = writeText(join(base, 'halves.txt'), Array.from({ length: N }, (_, i) => (i < N / 2 ? 'lo' : 'hi')).join('\n'));
    const o = join(base, 'groups-out');
    const r = await runCliHere(['sweep', root, '--window', '10', '--top-k', '1', '--groups', labels, '--pattern', 'lr-1e-3/seed0[0-1]/losses.*', '--out', o, '--quiet']);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8'));
    expect(s.options.groups).toBe(labels);
    expect(s.runs.map((x: { blockEnergy: Record<string, number> }) => Object.keys(x.blockEnergy).sort())).toEqual([['hi', 'lo'], ['hi', 'lo']]);
    const three = writeText(join(base, 'three.txt'), 'a\nb\nc\n');
    const bad = await runCliHere(['sweep', root, '--window', '10', '--groups', three, '--pattern', 'lr-1e-3/seed00/losses.*', '--out', join(base, 'bad-groups'), '--quiet']);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split('\n').slice(2)).toEqual(['failed runs:', `  lr-1e-3/seed00/losses.npy: ${three}: 3 labels, expected 20 (one per probe of ${join(root, 'lr-1e-3/seed00/losses.npy')}) [ERR_RDM2_FILE]`, '']);
  });

  it('a sweep of [T, K, n] perturbation files needs no --window (issue 13, messages)', async () => {
    const g = join(base, 'gaussian');
    for (let i = 0; i < 2; i++) writeText(join(g, `p${i}`, 'losses.npy'), encodeNpy({ values: lossMatrix(4 * 5, N, i), shape: [4, 5, N] }));
    const r = await runCliHere(['sweep', g, '--out', join(base, 'gaussian-out'), '--quiet']);
    expect(r.stdout.split('\n')[0]).toBe('rdm2 sweep: 2 runs, 2 ok, 0 failed (2 analysed, 0 already complete)');
  });

  it('usage errors exit 2', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['sweep', root, '--window', '10'], {}, "required option '--out <dir>' not specified"],
      [['sweep', root, '--window', '10', '--out', root], {}, `--out ${root} is the sweep root: write results to another directory`],
      [['sweep', join(base, 'nope'), '--window', '10', '--out', out], {}, `sweep root ${join(base, 'nope')}: no such directory`],
      [['sweep', root, '--window', '10', '--out', out, '--pattern', '**/*.parquet'], {}, `no loss files under ${root} match --pattern '**/*.parquet'`],
      [['sweep', root, '--window', '10', '--out', out, '--shard', '4/4'], {}, '--shard 4/4: shard index 4 is out of range, expected 0 to 3'],
      [['sweep', root, '--window', '10', '--out', out, '--shard', 'half'], {}, '--shard "half": expected I/N, e.g. 0/4 (shards are numbered from 0)'],
      [['sweep', root, '--window', '10', '--out', out, '--jobs', '0'], {}, "option '--jobs <N>' argument '0' is invalid. expected an integer >= 1"],
      [['sweep', root, '--window', '10', '--out', out, '--format', 'xml'], {}, "option '--format <format>' argument 'xml' is invalid. Allowed choices are json, csv, npz, parquet, arrow."],
      [['sweep', root, '--window', '10', '--out', out, '--pattern', '{a,b'], {}, 'pattern "{a,b": unclosed \'{\''],
      [['sweep', root, '--window', '10', '--out', out, '--resume', '--verbose'], {}, "unknown option '--verbose'"],
      [['sweep', root, '--window', '10', '--out', out], { SLURM_ARRAY_TASK_ID: '3' }, 'SLURM_ARRAY_TASK_COUNT (set by Slurm for array jobs) must be a non-negative integer, got null'],
      [['sweep', root, '--window', '10', '--out', out], { JOB_COMPLETION_INDEX: '1' }, "JOB_COMPLETION_INDEX is set (Kubernetes indexed Job) but RDM2_SHARD_COUNT is not: set it to the Job's completions, or pass --shard I/N"],
      [['sweep', root, '--out', join(base, 'no-window')], {}, '--window is required: lr-1e-3/seed00/losses.npy holds [T, n] losses (checkpoints x probes); only [T, K, n] perturbation files need none'],
    ];
    for (const [args, env, message] of cases) {
      const r = await runCliHere(args, env);
      expect(r, message).toEqual({ code: 2, stdout: '', stderr: `rdm2 sweep: error: ${message} [ERR_RDM2_USAGE]\n(run 'rdm2 sweep --help' for usage)\n` });
    }
  });
});
