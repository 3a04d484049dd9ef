// Whole-process comparisons: what a user waits for at the command line. `rdm2 analyze` on a
// 2000 x 4096 float32 .npy against the strongest plain numpy pipeline (bench/numpy_pipeline.py:
// batched Gram + eigvalsh) on the same file, and `rdm2 sweep --jobs 2` over 200 runs of
// [500, 256] float32 against a per-file loop of that pipeline. Each side is one process from
// spawn to exit (start-up, reading, analysing, writing an .npz result), best of k, alternated
// so load from other processes hits both alike; the answers are compared before any time is
// reported. numpy keeps its BLAS threads (all cores), rdm2 its defaults.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../lib/io/npy.js';
import { decodeNpz } from '../lib/io/npz.js';
import { packageRoot } from '../lib/native.js';
import { numpyEnv, numpyInfo, PYTHON } from './drivers/numpy.js';
import type { ProcessResult, ProcessTiming } from './report.js';
import { othersLoad } from './timing.js';
import { makeLosses, type Mode } from './workloads.js';

const PIPELINE = fileURLToPath(new URL('./numpy_pipeline.py', import.meta.url));
const RDM2 = join(packageRoot, 'bin', 'rdm2.cjs');

/** Wall seconds of a whole process, and its CPU seconds (user + system, from GNU time when present). */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'rdm2-bench-time %U %S', command, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 26 })
    : spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1e3;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const m = /rdm2-bench-time ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

function timing(samples: { wall: number; cpu: number }[]): ProcessTiming {
  const best = samples.reduce((a, b) => (a.wall <= b.wall ? a : b));
  return { best: best.wall, cpu: best.cpu, reps: samples.map((s) => s.wall) };
}

/** Largest relative difference of the observables two .npz results hold. */
function compareNpz(a: string, b: string): number {
  const x = decodeNpz(new Uint8Array(readFileSync(a)), a);
  const y = decodeNpz(new Uint8Array(readFileSync(b)), b);
  let worst = 0;
  for (const key of ['trace', 'pr', 'entropy', 'shc', 'topShare']) {
    const u = x.get(key)?.values as Float64Array | undefined;
    const v = y.get(key)?.values as Float64Array | undefined;
    if (!u || !v || u.length !== v.length) return Infinity;
    for (let i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs(u[i]! - v[i]!) / Math.max(Math.abs(u[i]!), Math.abs(v[i]!), 1e-300));
  }
  return worst;
}

function writeLosses(path: string, T: number, n: number, seed: number): void {
  const data = makeLosses({ T, n, dtype: 'float32', seed });
  writeFileSync(path, encodeNpy({ values: data, shape: [T, n] }));
}

/** Makes sure dist/ (what `rdm2` runs) is built from the current sources. */
function buildDist(): void {
  const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(packageRoot, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
}

export async function measureProcesses(mode: Mode, reps: number, log: (s: string) => void): Promise<ProcessResult[]> {
  if (!numpyInfo().version) return [];
  buildDist();
  const dir = mkdtempSync(join(tmpdir(), 'rdm2-bench-proc-'));
  const cores = availableParallelism();
  const npEnv = numpyEnv(cores);
  const out: ProcessResult[] = [];
  try {
    // rdm2 analyze on one file.
    {
      const T = mode === 'quick' ? 500 : 2000, n = 4096, W = 64;
      const file = join(dir, 'losses.npy');
      writeLosses(file, T, n, 1);
      const rdm2Out = join(dir, 'rdm2.npz'), npOut = join(dir, 'numpy.npz');
      const rdm2: { wall: number; cpu: number }[] = [];
      const np: { wall: number; cpu: number }[] = [];
      log(`[process] rdm2 analyze vs numpy on ${T} x ${n} float32, W = ${W}`);
      const load0 = await othersLoad();
      for (let k = 0; k < Math.max(2, Math.min(reps, 5)); k++) {
        rdm2.push(timed(process.execPath, [RDM2, 'analyze', file, '--window', String(W), '--out', rdm2Out], process.env));
        if (k < 3) np.push(timed(PYTHON, [PIPELINE, 'file', file, String(W), npOut], npEnv));
      }
      const err = compareNpz(rdm2Out, npOut);
      out.push({
        kind: 'analyze',
        description: `analyze ${T} x ${n} float32 .npy, W = ${W} (.npz result)`,
        rdm2: timing(rdm2),
        numpy: timing(np),
        ok: err <= 1e-9,
        note: `largest relative difference ${err.toExponential(2)}`,
        others: load0 ?? NaN,
      });
    }
    // rdm2 sweep over many small runs.
    {
      const runs = mode === 'quick' ? 40 : 200, T = 500, n = 256, W = 32;
      const root = join(dir, 'sweep');
      for (let i = 0; i < runs; i++) {
        const runDir = join(root, `run${String(i).padStart(3, '0')}`);
        mkdirSync(runDir, { recursive: true });
        writeLosses(join(runDir, 'losses.npy'), T, n, 100 + i);
      }
      const rdm2Out = join(dir, 'sweep-rdm2'), npOut = join(dir, 'sweep-numpy');
      const rdm2: { wall: number; cpu: number }[] = [];
      const np: { wall: number; cpu: number }[] = [];
      log(`[process] rdm2 sweep --jobs 2 vs a numpy loop over ${runs} runs of ${T} x ${n} float32, W = ${W}`);
      const load0 = await othersLoad();
      for (let k = 0; k < Math.max(2, Math.min(reps, 3)); k++) {
        rmSync(rdm2Out, { recursive: true, force: true });
        rdm2.push(timed(process.execPath, [RDM2, 'sweep', root, '--window', String(W), '--jobs', '2', '--out', rdm2Out, '--format', 'npz', '--quiet'], process.env));
        if (k < 2) np.push(timed(PYTHON, [PIPELINE, 'sweep', root, String(W), npOut], npEnv));
      }
      let err = 0;
      for (const i of [0, runs - 1]) {
        const name = `run${String(i).padStart(3, '0')}`;
        err = Math.max(err, compareNpz(join(rdm2Out, name, 'losses.npy.npz'), join(npOut, name, 'losses.npz')));
      }
      out.push({
        kind: 'sweep',
        description: `sweep of ${runs} runs of ${T} x ${n} float32, W = ${W} (.npz results; rdm2 --jobs 2)`,
        rdm2: timing(rdm2),
        numpy: timing(np),
        ok: err <= 1e-9,
        note: `largest relative difference ${err.toExponential(2)} (first and last run)`,
        others: load0 ?? NaN,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
