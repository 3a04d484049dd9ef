// numpy / numpy-gram: bench/numpy_driver.py in a python3 child, on the same losses (written to a
// file once per benchmark child). Optional: skipped with a note when python3 or numpy is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OBSERVABLE_NAMES } from '../../lib/observables.js';
import type { Observables } from '../observables.js';
import { windowCount } from '../workloads.js';
import type { Driver, DriverContext } from './driver.js';

const SCRIPT = fileURLToPath(new URL('../numpy_driver.py', import.meta.url));
export const PYTHON = process.env.RDM2_BENCH_PYTHON ?? 'python3';

/**
 * The numpy child's environment: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on some shared
 * machines) are removed so OpenBLAS picks its own kernels, and BLAS threads are pinned to the
 * driver's thread count (1 unless a job says otherwise) like every other driver.
 */
export function numpyEnv(threads = 1): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const k of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[k] = String(threads);
  return env;
}

let probed: { version: string | null; blas: string | null; note: string } | undefined;

/** numpy's version and BLAS, or null with the reason. Probed once per process. */
export function numpyInfo(): { version: string | null; blas: string | null; note: string } {
  if (probed) return probed;
  const code = [
    'import json, numpy',
    'blas = None',
    'try:',
    "    cfg = numpy.show_config(mode='dicts')",
    "    b = cfg['Build Dependencies']['blas']",
    "    blas = f\"{b.get('name')} {b.get('version')}\"",
    'except Exception:',
    '    pass',
    "print(json.dumps({'version': numpy.__version__, 'blas': blas}))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env: numpyEnv() });
  if (r.error || r.status !== 0) {
    const why = r.error ? `${PYTHON} not found` : `${PYTHON} has no numpy (${r.stderr.trim().split('\n').pop()})`;
    probed = { version: null, blas: null, note: `numpy drivers skipped: ${why}` };
  } else {
    const j = JSON.parse(r.stdout) as { version: string; blas: string | null };
    probed = { version: j.version, blas: j.blas, note: '' };
  }
  return probed;
}

function dataFile(ctx: DriverContext): string {
  const w = ctx.workload;
  const file = join(ctx.tmpDir, `losses-${w.seed}-${w.T}x${w.n}-${w.dtype}.bin`);
  if (!existsSync(file)) writeFileSync(file, new Uint8Array(ctx.data.buffer, ctx.data.byteOffset, ctx.data.byteLength));
  return file;
}

const nullToNaN = (a: (number | null)[]) => Float64Array.from(a, (x) => (x === null ? NaN : x));

function numpyDriver(name: string, method: 'cov' | 'gram', description: string): Driver {
  return {
    name,
    description,
    unavailable: () => (numpyInfo().version ? null : numpyInfo().note),
    prepare(ctx) {
      const w = ctx.workload;
      const all = windowCount(w);
      const windows = Math.min(all, ctx.spec.windows ?? all);
      const out = join(ctx.tmpDir, `${name}-out.json`);
      const job = {
        data: dataFile(ctx),
        dtype: w.dtype,
        T: w.T,
        n: w.n,
        W: w.W,
        stride: w.stride,
        topK: w.topK,
        detrend: w.detrend,
        beta: 1,
        method,
        windows,
        out,
      };
      return {
        windows,
        async run() {
          const r = spawnSync(PYTHON, [SCRIPT, JSON.stringify(job)], { encoding: 'utf8', env: numpyEnv(ctx.spec.threads ?? 1) });
          if (r.status !== 0) throw new Error(`numpy driver failed: ${r.stderr || r.error}`);
          const j = JSON.parse(readFileSync(out, 'utf8'));
          let eigenvectors: Float64Array | undefined;
          if (w.topK > 0) {
            const buf = readFileSync(`${out}.vec`);
            eigenvectors = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
            rmSync(`${out}.vec`);
          }
          rmSync(out);
          const result: Observables = {
            windows: j.windows,
            m: j.m,
            n: j.n,
            topK: j.topK,
            t: j.t,
            // The observables numpy_driver.py computes (compared with the reference's).
            ...Object.fromEntries(OBSERVABLE_NAMES.filter((k) => j[k] !== undefined).map((k) => [k, nullToNaN(j[k])])),
            eigenvalues: nullToNaN(j.eigenvalues),
            eigenvectors,
          };
          return { seconds: j.seconds, cpu: j.cpu, childCpu: j.cpuTotal, result };
        },
      };
    },
  };
}

export const numpyCov = numpyDriver(
  'numpy',
  'cov',
  'a straightforward numpy script: per window, center (detrend), form the n x n covariance, numpy.linalg.eigvalsh/eigh (LAPACK via numpy\'s BLAS)',
);

export const numpyGram = numpyDriver(
  'numpy-gram',
  'gram',
  'numpy with the dual trick but no incremental update: per window, the W x W Gram from scratch (BLAS gemm) and eigvalsh/eigh',
);

/** numpy's dgemm rate (multiply-adds per second, best of 5) on one BLAS thread, or null without numpy. */
export function numpyGemmRate(size: number): number | null {
  if (!numpyInfo().version) return null;
  const code = [
    'import time, numpy as np',
    `a = np.random.rand(${size}, ${size}); b = np.random.rand(${size}, ${size}); c = a @ b`,
    'best = 1e9',
    'for _ in range(5):',
    '    t = time.perf_counter(); np.matmul(a, b, out=c); best = min(best, time.perf_counter() - t)',
    'print(best)',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env: numpyEnv(1) });
  if (r.status !== 0) return null;
  return size ** 3 / Number(r.stdout.trim());
}
