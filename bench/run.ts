// rdm2 benchmark harness: `npm run bench [-- --quick | --full] [--only drivers,stream,...]`.
// Workloads x drivers, every figure a ratio measured in this one run; each workload runs in its
// own child process (peak RSS per workload). Results: tables on stdout, JSON in bench/results/.
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { native } from '../lib/native.js';
import type { BatchResult, ChildResult } from './child.js';
import { drivers } from './drivers/index.js';
import type { StreamResult } from './drivers/monitor_push.js';
import { numpyInfo } from './drivers/numpy.js';
import { openblasRate } from './drivers/openblas_peak.js';
import { describeMachine } from './machine.js';
import {
  comparisonTable,
  kernelTable,
  machineLines,
  memoryTable,
  processTable,
  streamTable,
  sweepTable,
  targetTable,
  writeResults,
  type IsaKernels,
  type KernelResults,
  type RunResults,
  type SweepResult,
} from './report.js';
import { measureProcesses } from './processes.js';
import { addSlopes, judgeTargets } from './targets.js';
import { othersLoad } from './timing.js';
import { comparisonJobs, memoryJobs, scalingSweeps, streamJobs, type Job, type Mode } from './workloads.js';

const SUITES = ['kernels', 'drivers', 'threads', 'stream', 'memory', 'process', 'scaling'] as const;
type Suite = (typeof SUITES)[number];

const HELP = `rdm2 benchmark harness

  npm run bench                 default run (a few minutes)
  npm run bench -- --quick      a quick subset (about a minute)
  npm run bench -- --full       the long scaling sweeps (n up to 65536, W up to 256, T up to 8000)

options:
  --only <list>     comma-separated suites: ${SUITES.join(', ')}
  --reps <k>        repetitions per driver, best of k (default 5, --quick 3)
  --no-numpy        skip the numpy drivers
  --out <file>      results JSON (default bench/results/<time>-<mode>.json)
`;

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const childScript = join(benchDir, 'child.ts');

function runChild(job: Job): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`benchmark child failed (exit ${code}): ${err.trim() || out.trim()}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

function measureKernels(mode: Mode, reps: number): KernelResults {
  const b = native().bench;
  const info = native().isa();
  const shapes: [number, number, number][] = [
    [256, 256, 256],
    [512, 512, 512],
    ...(mode === 'full' ? [[1024, 1024, 1024] as [number, number, number]] : []),
    [64, 4096, 64],
  ];
  const Ws = mode === 'quick' ? [16, 64] : [16, 32, 64, 128, 256];
  // Eigen's own kernels at each level first (what the compiler gives it), then rdm2's.
  const isas: IsaKernels[] = info.supported.map((isa) => {
    const gemm = shapes.map((shape) => {
      const seconds = b.timeGemm(shape[0], shape[1], shape[2], reps, isa);
      return { shape, seconds, rate: (shape[0] * shape[1] * shape[2]) / seconds };
    });
    return {
      isa,
      gemm,
      peak: Math.max(...gemm.map((g) => g.rate)),
      dots: [16, 64].map((W) => ({ W, n: 4096, own: b.timeDots(W, 4096, 50, isa), eigen: b.timeGemv(W, 4096, 50, isa) })),
      eig: Ws.map((W) => ({
        W,
        eigen: b.timeEigenEigenvalues(W, W >= 256 ? 3 : 10, isa),
        batched: b.timeBatchedEigenvalues(W, W >= 128 ? 2 : 5, isa),
        single: b.timeSingleEigenvalues(W, W >= 128 ? 2 : 10, isa),
      })),
    };
  });
  const selected = isas.find((k) => k.isa === info.selected) ?? isas[isas.length - 1]!;
  return {
    selected: selected.isa,
    isas,
    peak: selected.peak,
    openblas: openblasRate([
      [256, 256, 256],
      [512, 512, 512],
      [1024, 1024, 1024],
    ]),
  };
}

function section(title: string, body: string): void {
  process.stdout.write(`\n## ${title}\n\n${body}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      reps: { type: 'string' },
      'no-numpy': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
  const mode: Mode = values.quick ? 'quick' : values.full ? 'full' : 'default';
  const reps = values.reps ? Number(values.reps) : mode === 'quick' ? 3 : 5;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  const only = new Set<Suite>(values.only ? (values.only.split(',').map((s) => s.trim()) as Suite[]) : SUITES);
  for (const s of only) if (!SUITES.includes(s)) throw new Error(`unknown suite '${s}' (known: ${SUITES.join(', ')})`);
  const numpy = !values['no-numpy'] && numpyInfo().version !== null;
  const cores = availableParallelism();

  const started = new Date();
  const results: RunResults = {
    mode,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    started: started.toISOString(),
    machine: describeMachine(),
    comparisons: [],
    sweeps: [],
    streams: [],
    memory: [],
    processes: [],
    targets: [],
    wrong: [],
  };
  process.stdout.write(`# rdm2 benchmarks (${mode}, best of ${reps})\n\n${machineLines(results.machine)}\n`);
  if (!numpy) process.stdout.write(`note: ${values['no-numpy'] ? 'numpy drivers skipped (--no-numpy)' : numpyInfo().note}\n`);
  process.stdout.write(
    `\nEvery driver runs single-threaded unless a thread count is shown; numpy's BLAS is pinned to one thread and runs\n` +
      `without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE. "~" marks a time extrapolated from the first windows (per-window\n` +
      `cost x all windows). Every answer is checked against native-incremental (observables to 1e-9 relative,\n` +
      `float32 eigenvectors to 1e-6); a driver that disagrees is reported as wrong, without a time.\n` +
      `Drivers: ${Object.values(drivers)
        .map((d) => d.name)
        .join(', ')}, and monitor-push (stream).\n`,
  );

  const log = (s: string) => process.stderr.write(`${s}\n`);
  /** A child that crashes is reported (and fails the run) without stopping the other workloads. */
  const attempt = async <T extends ChildResult>(what: string, job: Job): Promise<T | null> => {
    try {
      return (await runChild(job)) as T;
    } catch (err) {
      const msg = `${what}: ${(err as Error).message}`;
      results.wrong.push(msg);
      process.stdout.write(`\nFAILED ${msg}\n`);
      return null;
    }
  };
  const noteWrong = (r: BatchResult) => {
    for (const d of r.drivers) if (d.status === 'wrong' || d.status === 'failed') results.wrong.push(`${r.workload.id}: ${d.label}: ${d.status}: ${d.note}`);
  };

  if (only.has('kernels')) {
    log('[kernels] gemm-peak, bare dot products, lone eigensolves');
    results.kernels = measureKernels(mode, reps);
    section('Kernel probes (same binary, same run)', kernelTable(results.kernels));
  }
  // Tables express rates as shares of the machine's rate (OpenBLAS dgemm, one thread): from the
  // kernel suite, or measured now; Eigen's gemm-peak when numpy is absent.
  let measuredPeak: number | undefined;
  const runPeak = (): number => {
    if (results.kernels?.openblas?.rate !== undefined) return results.kernels.openblas.rate;
    measuredPeak ??= openblasRate([[512, 512, 512]])?.rate ?? 512 ** 3 / native().bench.timeGemm(512, 512, 512, reps);
    return measuredPeak;
  };

  if (only.has('drivers')) {
    const isa = native().isa();
    const others = isa.supported.filter((l) => l !== isa.selected);
    for (const job of comparisonJobs(mode, reps, numpy, others)) {
      log(`[drivers] ${job.workload.id}: ${job.drivers.map((d) => d.driver).join(', ')}`);
      const r = await attempt<BatchResult>(`drivers ${job.workload.id}`, job);
      if (!r) continue;
      results.comparisons.push(r);
      noteWrong(r);
      section(`Drivers on ${r.workload.id === 'target' ? 'the target workload ' : ''}${r.workload.id === 'target' ? 'T2000 n4096 W64 f32' : r.workload.id} (${r.windows} windows, topK ${r.workload.topK}, detrend ${r.workload.detrend}, stride ${r.workload.stride})`, comparisonTable(r, runPeak()));
    }
  }

  const sweeps = scalingSweeps(mode, reps, cores);
  if (only.has('threads')) {
    const s = sweeps.find((x) => x.axis === 'threads')!;
    const sr: SweepResult = { axis: 'threads', points: [] };
    const before = await othersLoad(1);
    for (const p of s.points) {
      log(`[threads] ${p.job.drivers.map((d) => d.threads).join(', ')} threads on ${p.job.workload.id}`);
      const result = await attempt<BatchResult>(`threads ${p.job.workload.id}`, p.job);
      if (!result) continue;
      noteWrong(result);
      sr.points.push({ value: p.value, result });
    }
    results.threadsLoad = { before, after: await othersLoad(1) };
    if (sr.points.length) {
      results.sweeps.push(sr);
      section(`Thread scaling, batch path, n4096 W64 f32 (${cores} cores available)`, sweepTable(sr, runPeak()));
    }
  }

  if (only.has('stream')) {
    for (const job of streamJobs(mode, reps)) {
      log(`[stream] ${job.id}`);
      const r = await attempt<StreamResult & { kind: 'stream' }>(`stream ${job.id}`, job);
      if (!r) continue;
      results.streams.push(r);
      if (!r.check.ok) results.wrong.push(`stream ${r.id}: monitor differs from the batch analysis at ${r.check.worst}`);
    }
    section('Streaming monitor: one push (window full, topK 0) against the bare W dot products', streamTable(results.streams));
  }

  if (only.has('memory')) {
    for (const job of memoryJobs(mode, reps)) {
      log(`[memory] ${job.workload.id}`);
      const r = await attempt<BatchResult>(`memory ${job.workload.id}`, job);
      if (!r) continue;
      results.memory.push(r);
      noteWrong(r);
    }
    section('Peak RSS of the batch path (each workload in its own process)', memoryTable(results.memory));
  }

  if (only.has('process')) {
    try {
      results.processes = await measureProcesses(mode, reps, log);
      if (results.processes.length) section('Whole processes: rdm2 against numpy (best wall time of each)', processTable(results.processes));
      else process.stdout.write('\nnote: the process suite needs numpy; skipped\n');
      for (const p of results.processes) if (!p.ok) results.wrong.push(`process ${p.kind}: ${p.note}`);
    } catch (err) {
      results.wrong.push(`process suite: ${(err as Error).message}`);
      process.stdout.write(`\nFAILED process suite: ${(err as Error).message}\n`);
    }
  }

  if (only.has('scaling')) {
    for (const s of sweeps.filter((x) => x.axis !== 'threads')) {
      const sr: SweepResult = { axis: s.axis, points: [] };
      for (const p of s.points) {
        log(`[scaling] ${s.axis} = ${p.value}: ${p.job.workload.id}`);
        const result = await attempt<BatchResult>(`scaling ${s.axis} = ${p.value}`, p.job);
        if (!result) continue;
        noteWrong(result);
        sr.points.push({ value: p.value, result });
      }
      addSlopes(sr);
      results.sweeps.push(sr);
      const fixed = s.axis === 'n' ? 'T512 W64' : s.axis === 'W' ? 'T1000 n4096' : 'n4096 W64';
      section(`Scaling with ${s.axis} (native-incremental, 1 thread, ${fixed}, f32)`, sweepTable(sr, runPeak()));
    }
  }

  results.targets = judgeTargets(results);
  results.machine.loadEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  results.finished = new Date().toISOString();
  section('Targets (issue 14)', targetTable(results.targets));
  if (results.wrong.length) section('WRONG ANSWERS OR FAILURES (timings withheld)', results.wrong.map((w) => `- ${w}`).join('\n'));
  const file = values.out ?? join(benchDir, 'results', `${started.toISOString().replace(/[:.]/g, '-')}-${mode}.json`);
  writeResults(file, results);
  process.stdout.write(`\nload average at end: ${results.machine.loadEnd.join(' ')}; ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s in all\nresults: ${file}\n`);
  return results.wrong.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
