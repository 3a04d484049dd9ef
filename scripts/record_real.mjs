#!/usr/bin/env node
// `npm run record:real`: records the three real settings (examples/pytorch: grokking, induction
// heads, the emergent-misalignment analogue) at full size on seeds 0..N-1 with real torch, checks
// every run (a transition by the setting's rule, at least 100 checkpoints before it), reruns seed 0
// of each setting to see whether a rerun gives the same bytes, and ships the runs as compact .npz
// files with a manifest in data/real (read by rdm2 without torch).
//
//   npm run record:real [-- --seeds 10 --jobs 2 --settings grokking,induction_heads --work DIR --out DIR]
//
// `--size smoke` records the scripts' smoke sizes instead (seconds; the tests use it) and skips the
// check of 100 checkpoints before the transition, which only the full size promises.
//
// Each run is one process with one thread under `nice -n 10` (the machine may be shared); at most
// --jobs run at once. Finished runs in --work are reused, so an interrupted recording resumes.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkTorchPython } from './python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {Record<string, string>} the script of each setting */
const SETTINGS = {
  grokking: 'examples/pytorch/grokking.py',
  induction_heads: 'examples/pytorch/induction_heads.py',
  misalignment_analogue: 'examples/pytorch/misalignment_analogue.py',
};
const MIN_BEFORE = 100;

const { values: opts } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '2' },
    settings: { type: 'string', default: Object.keys(SETTINGS).join(',') },
    work: { type: 'string', default: join(root, 'runs', 'real-recording') },
    out: { type: 'string', default: join(root, 'data', 'real') },
    size: { type: 'string', default: 'full' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
const seeds = Number(opts.seeds);
const jobs = Number(opts.jobs);
const settings = opts.settings.split(',');
if (!Number.isInteger(seeds) || seeds < 1) fail(`--seeds ${opts.seeds}: expected an integer >= 1`);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs ${opts.jobs}: expected an integer >= 1`);
if (opts.size !== 'full' && opts.size !== 'smoke') fail(`--size ${opts.size}: expected full or smoke`);
for (const s of settings) if (!(s in SETTINGS)) fail(`--settings: unknown setting ${s} (known: ${Object.keys(SETTINGS).join(', ')})`);

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`record:real: ${message}\n`);
  process.exit(1);
}

const checked = checkTorchPython();
if (!checked.ok) fail(checked.why);
const py = checked;
/** @param {string[]} args */
const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const scriptsDirty = () => git(['status', '--porcelain', '--', 'examples/pytorch', 'scripts']) !== '';

/**
 * @typedef {{ checkpoints: number, probes: number, transition: number | null, checkpoints_before_transition: number,
 *   seconds: { wall: number, cpu: number }, git_commit: string, git_dirty: boolean, reused?: boolean }} RunLine
 */

/**
 * Runs one setting script; resolves with its summary line (also kept in <dir>/run.json).
 * @param {string} setting @param {number} seed @param {string} dir @returns {Promise<RunLine>}
 */
function record(setting, seed, dir) {
  const done = join(dir, 'run.json');
  if (existsSync(done) && existsSync(join(dir, 'meta.json'))) return Promise.resolve({ ...JSON.parse(readFileSync(done, 'utf8')), reused: true });
  rmSync(dir, { recursive: true, force: true });
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = scriptsDirty();
  const args = ['-n', '10', py.python, join(root, SETTINGS[setting]), '--seed', String(seed), '--size', opts.size, '--out', dir];
  return new Promise((resolve, reject) => {
    const child = spawn('nice', args, { cwd: root, env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`${setting} seed ${seed}: exit ${code ?? signal}`));
      // the commit the run was recorded at (a resumed recording may reuse runs of an earlier one)
      const line = { ...JSON.parse(out.trim().split('\n').pop() ?? ''), git_commit: commit, git_dirty: dirty };
      writeFileSync(done, JSON.stringify(line) + '\n');
      resolve(line);
    });
  });
}

/**
 * Runs the tasks at most `jobs` at a time, in order.
 * @template T @param {(() => Promise<T>)[]} tasks @returns {Promise<T[]>}
 */
async function pool(tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

/** @param {string} a @param {string} b */
const sameBytes = (a, b) => readFileSync(a).equals(readFileSync(b));
/** @param {string} file */
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

// seed by seed across the settings (a setting that fails shows early), the reruns last
/** @type {(() => Promise<{ setting: string, seed: number, line: RunLine, rerun?: boolean }>)[]} */
const tasks = [];
for (let seed = 0; seed < seeds; seed++) {
  for (const setting of settings) {
    tasks.push(async () => {
      const line = await record(setting, seed, join(opts.work, setting, `seed${seed}`));
      process.stderr.write(`${setting} seed ${seed}: ${line.checkpoints} checkpoints, transition ${line.transition} after ${line.checkpoints_before_transition} of them, ${line.seconds.wall} s wall${line.reused ? ' (recorded earlier)' : ''}\n`);
      return { setting, seed, line };
    });
  }
}
for (const setting of settings) {
  // a second run of seed 0: does a rerun give the same bytes?
  tasks.push(async () => {
    const line = await record(setting, 0, join(opts.work, setting, 'rerun-seed0'));
    return { setting, seed: 0, rerun: true, line };
  });
}
const runs = await pool(tasks);

const problems = [];
for (const r of runs) {
  if (r.rerun) continue;
  if (r.line.transition == null) problems.push(`${r.setting} seed ${r.seed}: no transition by the rule`);
  else if (opts.size === 'full' && r.line.checkpoints_before_transition < MIN_BEFORE) problems.push(`${r.setting} seed ${r.seed}: only ${r.line.checkpoints_before_transition} checkpoints before the transition (want >= ${MIN_BEFORE})`);
}
if (problems.length) fail(`not shipped:\n  ${problems.join('\n  ')}`);

// pack into a fresh directory, then swap it in: data/real is never half written
const staging = `${opts.out}.staging`;
rmSync(staging, { recursive: true, force: true });
const packArgs = [];
for (const r of runs) if (!r.rerun) packArgs.push(join(opts.work, r.setting, `seed${r.seed}`), join(staging, r.setting, `seed${r.seed}.npz`));
const pack = spawnSync(py.python, [join(root, 'examples', 'pytorch', 'pack_runs.py'), ...packArgs], { cwd: root, stdio: 'inherit' });
if (pack.status !== 0) fail('packing the runs failed');

const manifest = {
  command: `npm run record:real -- --seeds ${seeds} --jobs ${jobs} --settings ${settings.join(',')}${opts.size === 'full' ? '' : ` --size ${opts.size}`}`,
  date: new Date().toISOString(),
  git_commit: git(['rev-parse', 'HEAD']),
  git_dirty: scriptsDirty(),
  versions: { ...py.versions, node: process.versions.node },
  machine: { cpu: cpus()[0]?.model ?? 'unknown', logical_cpus: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), kernel: release() },
  process: { threads: 1, nice: 10, concurrent_runs: jobs },
  format: 'one .npz per run: losses float32 [T, n], steps int64 [T], groups [n], transition int64 [1], metric_<name> float64 [T] (examples/pytorch/pack_runs.py)',
  /** @type {Record<string, { runs: { bytes: number }[] } & Record<string, unknown>>} */
  settings: {},
};
for (const setting of settings) {
  const mine = runs.filter((r) => r.setting === setting && !r.rerun);
  const meta0 = JSON.parse(readFileSync(join(opts.work, setting, 'seed0', 'meta.json'), 'utf8'));
  const rerun = join(opts.work, setting, 'rerun-seed0');
  const first = join(opts.work, setting, 'seed0');
  manifest.settings[setting] = {
    script: SETTINGS[setting],
    size: opts.size,
    config: meta0.config,
    transition_rule: meta0.transition_rule,
    seeds: mine.map((r) => r.seed),
    rerun_of_seed0_identical: sameBytes(join(first, 'losses.npy'), join(rerun, 'losses.npy')) && sameBytes(join(first, 'meta.json'), join(rerun, 'meta.json')),
    runs: mine.map((r) => {
      const file = join(staging, setting, `seed${r.seed}.npz`);
      const meta = JSON.parse(readFileSync(join(opts.work, setting, `seed${r.seed}`, 'meta.json'), 'utf8'));
      return {
        seed: r.seed,
        ...meta.outcome,
        file: `${setting}/seed${r.seed}.npz`,
        checkpoints: r.line.checkpoints,
        probes: r.line.probes,
        transition: r.line.transition,
        checkpoints_before_transition: r.line.checkpoints_before_transition,
        seconds: r.line.seconds,
        git_commit: r.line.git_commit,
        git_dirty: r.line.git_dirty,
        bytes: statSync(file).size,
        sha256: sha256(file),
      };
    }),
  };
}
writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
const old = `${opts.out}.old`;
rmSync(old, { recursive: true, force: true });
if (existsSync(opts.out)) renameSync(opts.out, old);
mkdirSync(dirname(opts.out), { recursive: true });
renameSync(staging, opts.out);
rmSync(old, { recursive: true, force: true });
let bytes = 0;
for (const s of Object.values(manifest.settings)) for (const r of s.runs) bytes += r.bytes;
process.stderr.write(`wrote ${relative(root, opts.out)}: ${runs.filter((r) => !r.rerun).length} runs, ${bytes} bytes; manifest.json\n`);
