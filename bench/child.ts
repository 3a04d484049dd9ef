// One benchmark job in its own process, so its peak RSS is its own. The parent passes the job
// as JSON in argv[2]; the result is the last line of stdout (JSON).
//
// Batch jobs: generate the losses; read RSS; run native-incremental once and read the peak RSS
// (the batch path's memory, before any other driver allocates anything); then every driver's
// first repetition, checked against that answer; then further repetitions round-robin across
// drivers (so a burst of load from other processes hits all of them alike), best of k.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../lib/native.js';
import { driver } from './drivers/index.js';
import type { PreparedDriver, Repetition } from './drivers/driver.js';
import { measureStream, type StreamResult } from './drivers/monitor_push.js';
import { compareObservables, type Mismatch, type Observables } from './observables.js';
import { sample, type Sample } from './timing.js';
import { gramMacs, makeLosses, windowCount, type BatchJob, type DriverSpec, type Job, type Workload } from './workloads.js';

/** A driver whose one repetition takes longer than this is not repeated. */
const REPEAT_BUDGET_SECONDS = 4;

export interface DriverOutcome {
  label: string;
  driver: string;
  threads: number;
  status: 'ok' | 'wrong' | 'skipped' | 'failed';
  note: string;
  /** Windows computed per repetition (0 for kernel drivers). */
  windows: number;
  /** Every repetition: wall and CPU seconds of the work, cores other processes used meanwhile. */
  reps: { wall: number; cpu: number | null; others: number | null }[];
  /**
   * The figure used in ratios. Single-threaded drivers ('cpu'): the smaller of the best CPU time
   * and the best wall time; each bounds the undisturbed time from above (wall time grows when
   * other processes take turns on the core, CPU time when V8's helper threads run). Multi-threaded
   * drivers and kernels ('wall'): the best wall time.
   */
  best: number;
  clock: 'cpu' | 'wall';
  bestWall: number;
  bestCpu: number;
  /** Best seconds scaled to the whole workload (best / windows * all windows when sampled). */
  full: number;
  /** Kernel drivers: multiply-adds per second at their best repetition. */
  rate?: number;
  check?: Mismatch;
}

export interface BatchResult {
  kind: 'batch';
  workload: Workload;
  windows: number;
  macs: number;
  rss: { beforeKiB: number; peakKiB: number; growthKiB: number; threads: number };
  /** Seconds: W dots of one row in the band kernel, the batched eigensolve per window, Eigen's lone eigensolve, Eigen's W x n x W gemm. */
  probes?: { dots: number; eig: number; eigenEig: number; gemmShape: number };
  drivers: DriverOutcome[];
}

export type ChildResult = BatchResult | (StreamResult & { kind: 'stream' });

export function driverLabel(spec: DriverSpec): string {
  const notes = [...((spec.threads ?? 1) > 1 ? [`${spec.threads} thr`] : []), ...(spec.isa ? [spec.isa] : [])];
  return notes.length ? `${spec.driver} (${notes.join(', ')})` : spec.driver;
}

async function runBatch(job: BatchJob): Promise<BatchResult> {
  const w = job.workload;
  const bench = native().bench; // load the addon before the RSS baseline
  const data = makeLosses(w);
  const N = windowCount(w);
  const tmpDir = mkdtempSync(join(tmpdir(), 'rdm2-bench-'));
  try {
    const specs = job.drivers.filter((s) => job.numpy || !s.driver.startsWith('numpy'));
    const outcomes: DriverOutcome[] = specs.map((spec) => ({
      label: driverLabel(spec),
      driver: spec.driver,
      threads: spec.threads ?? 1,
      status: 'ok',
      note: '',
      windows: 0,
      reps: [],
      best: Infinity,
      clock: 'wall',
      bestWall: Infinity,
      bestCpu: Infinity,
      full: Infinity,
    }));
    const prepared: (PreparedDriver | null)[] = specs.map((spec, i) => {
      const d = driver(spec.driver);
      const ctx = { workload: w, data, spec, tmpDir };
      const why = d.unavailable(ctx);
      if (why) {
        outcomes[i].status = 'skipped';
        outcomes[i].note = why;
        return null;
      }
      return d.prepare(ctx);
    });

    // The reference answer, and the batch path's memory.
    const refIndex = specs.findIndex((s) => s.driver === 'native-incremental');
    if (refIndex < 0) throw new Error('every batch job runs native-incremental (it is the reference answer)');
    const beforeKiB = Math.round(process.memoryUsage().rss / 1024);
    const first = await sample(() => prepared[refIndex]!.run());
    const peakKiB = process.resourceUsage().maxRSS;
    const reference = first.value.result as Observables;
    const record = (i: number, s: Sample<Repetition>) => {
      const o = outcomes[i];
      const rep = s.value;
      o.reps.push({ wall: rep.seconds, cpu: rep.cpu ?? null, others: s.others });
      if (rep.macs !== undefined) {
        const rate = rep.macs / rep.seconds;
        if (!(rate <= (o.rate ?? 0))) {
          o.rate = rate;
          o.best = o.bestWall = rep.seconds;
        }
        return;
      }
      o.bestWall = Math.min(o.bestWall, rep.seconds);
      if (rep.cpu !== undefined) o.bestCpu = Math.min(o.bestCpu, rep.cpu);
      o.clock = o.threads === 1 && o.reps.every((r) => r.cpu !== null) ? 'cpu' : 'wall';
      o.best = o.clock === 'cpu' ? Math.min(o.bestCpu, o.bestWall) : o.bestWall;
    };
    const check = (i: number, rep: Repetition) => {
      if (!rep.result) return;
      const c = compareObservables(rep.result, reference);
      outcomes[i].check = c;
      if (!c.ok) {
        outcomes[i].status = 'wrong';
        outcomes[i].note = `differs from native-incremental at ${c.worst} (rel ${c.maxRelError.toExponential(2)}, vector ${c.maxVectorError.toExponential(2)})`;
      }
    };
    record(refIndex, first);
    outcomes[refIndex].check = compareObservables(reference, reference);

    const live = (i: number) => prepared[i] !== null && outcomes[i].status === 'ok';
    const runOnce = async (i: number) => {
      try {
        const s = await sample(() => prepared[i]!.run(), (rep) => rep.childCpu ?? 0);
        check(i, s.value);
        if (outcomes[i].status === 'ok') record(i, s);
      } catch (err) {
        outcomes[i].status = 'failed';
        outcomes[i].note = (err as Error).message.split('\n')[0];
      }
    };
    for (let i = 0; i < specs.length; i++) if (i !== refIndex && live(i)) await runOnce(i);
    for (let rep = 1; rep < job.reps; rep++) {
      for (let i = 0; i < specs.length; i++) {
        if (!live(i)) continue;
        const o = outcomes[i];
        if (o.reps.length >= (specs[i].maxReps ?? job.reps)) continue;
        if (o.reps.length > 0 && o.bestWall > REPEAT_BUDGET_SECONDS) continue;
        await runOnce(i);
      }
    }
    outcomes.forEach((o, i) => {
      if (!prepared[i]) return;
      o.windows = prepared[i]!.windows;
      o.full = o.windows > 0 ? (o.best / o.windows) * N : o.best;
    });

    let probes: BatchResult['probes'];
    if (job.probes) {
      // At the kernels in use: a row's W dot products as the batch path computes them (tiles
      // of 16 rows), the batched eigensolve per window, Eigen's lone eigensolve.
      let dots = Infinity, eig = Infinity, eigenEig = Infinity, gemmShape = Infinity;
      for (let r = 0; r < 3; r++) {
        dots = Math.min(dots, bench.timeBandDots(w.W, w.n, 5));
        eig = Math.min(eig, bench.timeBatchedEigenvalues(w.W, 3));
        eigenEig = Math.min(eigenEig, bench.timeEigenEigenvalues(w.W, 5));
        gemmShape = Math.min(gemmShape, bench.timeGemm(w.W, w.n, w.W, 2));
      }
      probes = { dots, eig, eigenEig, gemmShape };
    }
    return {
      kind: 'batch',
      workload: w,
      windows: N,
      macs: gramMacs(w),
      rss: { beforeKiB, peakKiB, growthKiB: Math.max(0, peakKiB - beforeKiB), threads: specs[refIndex].threads ?? 1 },
      probes,
      drivers: outcomes,
    };
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

export async function runJob(job: Job): Promise<ChildResult> {
  if (job.kind === 'stream') return { kind: 'stream', ...measureStream(job) };
  return runBatch(job);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const job = JSON.parse(process.argv[2]) as Job;
  runJob(job).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
