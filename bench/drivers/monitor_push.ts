// monitor-push: the streaming SpectralMonitor's cost per push (window full, topK 0, no warning
// detector) against the bare W dot products of length n that one push cannot avoid, and the
// lone W x W eigensolve, all timed in the same child and interleaved; and what reading a window
// pushed earlier costs (its Gram rebuilt from the monitor's journal, deflated and solved).
import { analyzeSync } from '../../lib/analyze.js';
import { SpectralMonitor, type MonitorWindow } from '../../lib/monitor.js';
import { native } from '../../lib/native.js';
import { OBSERVABLE_NAMES } from '../../lib/observables.js';
import { compareObservables, type Mismatch, type Observables } from '../observables.js';
import { makeLosses, type StreamJob } from '../workloads.js';
import { analysisObservables } from './native_run.js';

export interface StreamResult {
  id: string;
  W: number;
  n: number;
  /** Seconds per push: the smaller of the best CPU and the best wall time per push over the timed batches. */
  push: number;
  /** Best wall seconds per push. */
  pushWall: number;
  /** Bare dot products of one push: W dots of length n, the faster of rdm2's kernel and Eigen's gemv at the same instruction set. */
  dots: number;
  /** One eigenvalues-only W x W solve as the monitor does it when a summary is read (rdm2's scalar solver up to W = 41, Eigen's above). */
  eig: number;
  /** Reading one window pushed earlier (its `shc`): rebuilding its Gram from the journal, the deflation and the eigensolve. */
  read: number;
  ratio: number;
  check: Mismatch;
  repsPush: { wall: number; cpu: number }[];
}

export function summariesObservables(list: MonitorWindow[], W: number, n: number, firstRow: number): Observables {
  const m = Math.min(W - 1, n);
  const N = list.length;
  const eigenvalues = new Float64Array(N * m);
  list.forEach((s, j) => eigenvalues.set(s.eigenvalues.subarray(0, m), j * m));
  return {
    windows: N,
    m,
    n,
    topK: 0,
    t: Int32Array.from(list, (_, j) => firstRow + j),
    ...Object.fromEntries(OBSERVABLE_NAMES.map((k) => [k, Float64Array.from(list, (s) => s[k])])),
    eigenvalues,
  };
}

export function measureStream(job: StreamJob): StreamResult {
  const { W, n, pushes } = job;
  const T = W + pushes;
  const data = makeLosses({ T, n, dtype: job.dtype, seed: job.seed });
  const rows = Array.from({ length: T }, (_, t) => data.subarray(t * n, (t + 1) * n));
  const bench = native().bench;

  // The answer first: every summary of a fresh monitor against the batch analysis of the same rows.
  const checker = new SpectralMonitor({ probes: n, window: W, warn: false });
  const got: MonitorWindow[] = [];
  for (const r of rows) {
    const s = checker.push(r);
    if (s) got.push(s);
  }
  checker.close();
  const ref = analysisObservables(analyzeSync({ data, shape: [T, n] }, { window: W, threads: 1 }));
  const check = compareObservables(summariesObservables(got, W, n, W - 1), ref);

  const monitor = new SpectralMonitor({ probes: n, window: W, warn: false });
  for (let t = 0; t < W; t++) monitor.push(rows[t]);
  let push = Infinity;
  let pushWall = Infinity;
  let dots = Infinity;
  let eig = Infinity;
  let read = Infinity;
  let sink = 0;
  const readCount = Math.min(pushes, 32);
  const repsPush: { wall: number; cpu: number }[] = [];
  for (let rep = 0; rep < job.reps; rep++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < pushes; i++) monitor.push(rows[W + i]);
    const wall = (performance.now() - t0) / 1e3 / pushes;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6 / pushes;
    repsPush.push({ wall, cpu });
    push = Math.min(push, cpu);
    pushWall = Math.min(pushWall, wall);
    dots = Math.min(dots, bench.timeDots(W, n, 20), bench.timeGemv(W, n, 20));
    eig = Math.min(eig, W - 1 <= 40 ? bench.timeSingleEigenvalues(W, 10) : bench.timeEigenEigenvalues(W, 10));
    // Windows held while later rows are pushed, then read (untimed pushes).
    const held: MonitorWindow[] = [];
    for (let i = 0; i < readCount; i++) held.push(monitor.push(rows[W + i])!);
    const r0 = performance.now();
    for (const w of held) sink += w.shc;
    read = Math.min(read, (performance.now() - r0) / 1e3 / readCount);
  }
  monitor.close();
  push = Math.min(push, pushWall);
  if (Number.isNaN(sink)) throw new Error('monitor-push: a read window has no SHC');
  return { id: job.id, W, n, push, pushWall, dots, eig, read, ratio: push / dots, check, repsPush };
}
