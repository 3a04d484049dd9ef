// Workloads: the loss matrices every driver is run on, and the suites that combine them.
// A workload is plain data (it crosses into child processes as JSON); its losses are
// generated from a seed, so every driver and every child sees the same numbers.
import { defaultBlockWindows } from '../lib/analyze.js';
import { rng } from './reference/naive.js';

export type DType = 'float32' | 'float64';

export interface Workload {
  /** Short label used in tables and JSON. */
  id: string;
  /** Checkpoints (rows). */
  T: number;
  /** Probes (columns). */
  n: number;
  /** Window length. */
  W: number;
  stride: number;
  topK: number;
  dtype: DType;
  detrend: 'none' | 'linear';
  seed: number;
}

/** A driver as a job names it: which one, with how many threads, on how many windows. */
export interface DriverSpec {
  driver: string;
  /** Native threads (native drivers only). Default 1: every comparison is single-core. */
  threads?: number;
  /** Run only the first `windows` windows and extrapolate per window (slow drivers). */
  windows?: number;
  /** Upper bound on repetitions for this driver (slow drivers get 1 or 2). */
  maxReps?: number;
  /** Instruction set of the native kernels (native drivers, gemm-peak); default: the one in use. */
  isa?: 'baseline' | 'avx2' | 'avx512';
}

export interface BatchJob {
  kind: 'batch';
  workload: Workload;
  drivers: DriverSpec[];
  reps: number;
  /** Also time the kernel probes (W dot products of length n, one W x W eigensolve) for the cost split. */
  probes: boolean;
  /** Numpy drivers are skipped (and say so) when false. */
  numpy: boolean;
}

export interface StreamJob {
  kind: 'stream';
  id: string;
  W: number;
  n: number;
  dtype: DType;
  /** Pushes per timed batch (after the window is full). */
  pushes: number;
  reps: number;
  seed: number;
}

export type Job = BatchJob | StreamJob;

export function workload(p: Partial<Workload> & Pick<Workload, 'T' | 'n' | 'W'>): Workload {
  const w: Workload = { id: '', stride: 1, topK: 0, dtype: 'float32', detrend: 'none', seed: 1, ...p };
  if (!w.id) w.id = describeWorkload(w);
  return w;
}

export function describeWorkload(w: Workload): string {
  const parts = [`T${w.T}`, `n${w.n}`, `W${w.W}`];
  if (w.stride !== 1) parts.push(`s${w.stride}`);
  if (w.topK > 0) parts.push(`k${w.topK}`);
  parts.push(w.dtype === 'float32' ? 'f32' : 'f64');
  if (w.detrend !== 'none') parts.push(w.detrend);
  return parts.join(' ');
}

export function windowCount(w: Pick<Workload, 'T' | 'W' | 'stride'>): number {
  return w.T < w.W ? 0 : Math.floor((w.T - w.W) / w.stride) + 1;
}

/**
 * Windows per independently computed block on the batch path (each block restarts from an
 * empty window and goes to one thread): the library's own rule, used here only to explain
 * thread scaling and memory.
 */
export function blockWindows(W: number, stride: number): number {
  return defaultBlockWindows(W, stride);
}

/** Threads that actually get work: one per block at most. */
export function activeWorkers(w: Pick<Workload, 'T' | 'W' | 'stride'>, threads: number): number {
  return Math.max(1, Math.min(threads, Math.ceil(windowCount(w) / blockWindows(w.W, w.stride))));
}

/** The O(T W n) multiply-adds the arithmetic-rate target counts: W new dot products of length n per row. */
export function gramMacs(w: Pick<Workload, 'T' | 'W' | 'n'>): number {
  return w.T * w.W * w.n;
}

/** mulberry32: small, fast, seeded (the test reference's generator). */
export function uniformSource(seed: number): () => number {
  return rng(seed).uniform;
}

/**
 * Losses shaped like a real probe set: per-probe offsets near 2.3, a slow common drift,
 * three sigmoid "structural coordinates" each loading on its own random probe subset, and
 * iid noise. Fluctuations are ~1e-3 of the offset (the regime where a reference row matters),
 * and the noise keeps every window's spectrum well conditioned (rank W - 1, no eigenvalue
 * near the 1e-10 cut), so different methods agree to rounding.
 */
export function makeLosses(w: Pick<Workload, 'T' | 'n' | 'dtype' | 'seed'>): Float32Array | Float64Array {
  const { T, n } = w;
  const next = uniformSource(w.seed);
  const data = w.dtype === 'float32' ? new Float32Array(T * n) : new Float64Array(T * n);
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) base[i] = 2.0 + 0.6 * next();
  const K = 3;
  const loadings = Array.from({ length: K }, () => {
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) g[i] = next() < 0.3 ? (next() - 0.25) * 4e-3 : 0;
    return g;
  });
  const centres = Array.from({ length: K }, (_, k) => (T * (k + 1)) / (K + 1));
  const width = Math.max(4, T / 40);
  let drift = 0;
  for (let t = 0; t < T; t++) {
    drift += (next() - 0.5) * 2e-4;
    const a = centres.map((c) => 1 / (1 + Math.exp(-(t - c) / width)));
    const trend = drift - 1e-4 * (t / T);
    const row = t * n;
    for (let i = 0; i < n; i++) {
      let v = base[i] + trend + 1e-3 * (next() - 0.5);
      for (let k = 0; k < K; k++) {
        const g = loadings[k][i];
        if (g !== 0) v += a[k] * g;
      }
      data[row + i] = v;
    }
  }
  return data;
}

export type Mode = 'quick' | 'default' | 'full';

const NUMPY_NXN = 'numpy';

/** Driver comparisons: every driver on the same workload, in one child process. */
export function comparisonJobs(mode: Mode, reps: number, numpy: boolean, otherIsas: ('baseline' | 'avx2' | 'avx512')[] = []): BatchJob[] {
  const batch = (w: Workload, drivers: DriverSpec[]): BatchJob => ({ kind: 'batch', workload: w, drivers, reps, probes: true, numpy });
  const target = workload({ id: 'target', T: 2000, n: 4096, W: 64 });
  // The library at the other instruction-set levels this CPU runs (RDM2_ISA), and the machine's rate.
  const levels: DriverSpec[] = otherIsas.map((isa) => ({ driver: 'native-incremental', isa, maxReps: 3 }));
  const rates: DriverSpec[] = [{ driver: 'gemm-peak' }, { driver: 'openblas-peak', maxReps: 2 }];
  const jobs: BatchJob[] = [];
  if (mode === 'quick') {
    jobs.push(
      batch(target, [{ driver: 'native-incremental' }, ...levels, { driver: 'native-scratch', maxReps: 2 }, ...rates]),
      batch(workload({ T: 80, n: 48, W: 16, dtype: 'float64' }), [
        { driver: 'native-incremental' },
        { driver: 'native-scratch' },
        { driver: 'naive-ts', windows: 2, maxReps: 1 },
        { driver: NUMPY_NXN, maxReps: 2 },
        { driver: 'numpy-gram', maxReps: 2 },
      ]),
    );
    return jobs;
  }
  const full = mode === 'full';
  jobs.push(
    // The target workload: every driver; the n x n ones on a few windows, extrapolated.
    batch(target, [
      { driver: 'native-incremental' },
      ...levels,
      { driver: 'native-scratch', maxReps: 2 },
      ...rates,
      { driver: 'numpy-gram', windows: 256, maxReps: 2 },
      { driver: NUMPY_NXN, windows: full ? 3 : 1, maxReps: full ? 2 : 1 },
      { driver: 'native-covariance', windows: 1, maxReps: 1 },
    ]),
    batch(workload({ T: 2000, n: 4096, W: 64, dtype: 'float64' }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch', maxReps: 2 },
      { driver: 'gemm-peak' },
      { driver: 'numpy-gram', windows: 256, maxReps: 2 },
    ]),
    batch(workload({ T: 2000, n: 4096, W: 64, stride: 8 }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch', maxReps: 3 },
      { driver: 'numpy-gram', maxReps: 2 },
    ]),
    batch(workload({ T: 1000, n: 2048, W: 64, detrend: 'linear' }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch', maxReps: 3 },
      { driver: 'numpy-gram', windows: 256, maxReps: 2 },
      { driver: NUMPY_NXN, windows: 2, maxReps: 1 },
    ]),
    batch(workload({ T: 1000, n: 2048, W: 64, topK: 4 }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch', maxReps: 3 },
      { driver: 'numpy-gram', windows: 256, maxReps: 2 },
      { driver: NUMPY_NXN, windows: 2, maxReps: 1 },
    ]),
    // Small enough for the plain TypeScript reference.
    batch(workload({ T: 300, n: 64, W: 16, dtype: 'float64', topK: 2 }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch' },
      { driver: 'native-covariance' },
      { driver: 'naive-ts', windows: full ? 8 : 3, maxReps: 1 },
      { driver: NUMPY_NXN, maxReps: 3 },
      { driver: 'numpy-gram', maxReps: 3 },
    ]),
    // n < W: the n x n covariance is the small side and every driver solves it.
    batch(workload({ T: 500, n: 24, W: 64, detrend: 'linear' }), [
      { driver: 'native-incremental' },
      { driver: 'native-scratch' },
      { driver: 'naive-ts', windows: full ? 64 : 16, maxReps: 1 },
      { driver: NUMPY_NXN, maxReps: 3 },
    ]),
  );
  return jobs;
}

export interface Sweep {
  /** The parameter varied. */
  axis: 'n' | 'W' | 'T' | 'threads';
  points: { value: number; job: BatchJob }[];
}

/** Scaling sweeps: the incremental batch path alone, one child per point (RSS per point). */
export function scalingSweeps(mode: Mode, reps: number, cores: number): Sweep[] {
  const one = (w: Workload, threads = 1): BatchJob => ({
    kind: 'batch',
    workload: w,
    drivers: [{ driver: 'native-incremental', threads }],
    reps,
    probes: true,
    numpy: false,
  });
  const full = mode === 'full';
  const ns = mode === 'quick' ? [1024, 4096] : full ? [1024, 2048, 4096, 8192, 16384, 32768, 65536] : [1024, 4096, 16384, 65536];
  const Ws = mode === 'quick' ? [16, 64] : full ? [16, 32, 64, 128, 256] : [16, 64, 128];
  const Ts = mode === 'quick' ? [500, 1000] : full ? [250, 500, 1000, 2000, 4000, 8000] : [500, 1000, 2000];
  const threadCounts = [...new Set([1, 2, cores])].sort((a, b) => a - b);
  return [
    // T = 512 keeps the n = 65536 matrix at 128 MiB (float32).
    { axis: 'n', points: ns.map((n) => ({ value: n, job: one(workload({ T: 512, n, W: 64 })) })) },
    { axis: 'W', points: Ws.map((W) => ({ value: W, job: one(workload({ T: 1000, n: 4096, W })) })) },
    { axis: 'T', points: Ts.map((T) => ({ value: T, job: one(workload({ T, n: 4096, W: 64 })) })) },
    {
      // The target workload (1937 windows: two blocks), and one of 937 windows (a single block,
      // so the batch path has nothing to give a second thread).
      axis: 'threads',
      points: (mode === 'quick' ? [2000] : [2000, 1000]).map((T) => ({
        value: T,
        job: {
          kind: 'batch' as const,
          workload: workload(T === 2000 ? { id: 'target', T, n: 4096, W: 64 } : { T, n: 4096, W: 64 }),
          drivers: threadCounts.map((threads) => ({ driver: 'native-incremental', threads })),
          reps: mode === 'quick' ? Math.max(reps, 5) : Math.max(reps, 9),
          probes: false,
          numpy: false,
        },
      })),
    },
  ];
}

/** The memory target: n = 65536 probes, W = 64 (plus a topK case: results are windows x topK x n by design). */
export function memoryJobs(mode: Mode, reps: number): BatchJob[] {
  const one = (w: Workload, threads: number): BatchJob => ({
    kind: 'batch',
    workload: w,
    drivers: [{ driver: 'native-incremental', threads }],
    reps: Math.min(reps, 2),
    probes: false,
    numpy: false,
  });
  const jobs = [one(workload({ id: 'memory', T: 256, n: 65536, W: 64 }), 2)];
  if (mode !== 'quick') jobs.push(one(workload({ T: 256, n: 65536, W: 64, dtype: 'float64', topK: 2 }), 2));
  return jobs;
}

/** The streaming monitor's push against the bare W dot products of one push. */
export function streamJobs(mode: Mode, reps: number): StreamJob[] {
  const grid: [number, number][] =
    mode === 'quick'
      ? [[64, 4096]]
      : mode === 'full'
        ? [16, 32, 64, 128].flatMap((W) => [1024, 4096, 16384, 65536].map((n): [number, number] => [W, n]))
        : [16, 32, 64].flatMap((W) => [1024, 4096, 16384].map((n): [number, number] => [W, n]));
  return grid.map(([W, n]) => ({
    kind: 'stream',
    id: `W${W} n${n}`,
    W,
    n,
    dtype: 'float32',
    pushes: Math.max(2 * W, 128),
    reps: Math.max(reps, 5),
    seed: 7,
  }));
}
