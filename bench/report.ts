// Tables for the terminal (and docs/benchmarks.md) and the JSON results file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BatchResult, DriverOutcome } from './child.js';
import type { StreamResult } from './drivers/monitor_push.js';
import type { MachineDescription } from './machine.js';
import { activeWorkers, type Sweep } from './workloads.js';

/** Kernel timings at one instruction set (seconds per call). */
export interface IsaKernels {
  isa: string;
  /** Eigen's float64 gemm compiled for this level. */
  gemm: { shape: [number, number, number]; seconds: number; rate: number }[];
  peak: number;
  /** One row's W dot products of length n: rdm2's band kernel and Eigen's gemv. */
  dots: { W: number; n: number; own: number; eigen: number }[];
  /** Eigenvalues of one W x W window: Eigen's solver, rdm2's batched solver (per window), rdm2's scalar solver. */
  eig: { W: number; eigen: number; batched: number; single: number }[];
}

export interface KernelResults {
  /** The instruction set in use. */
  selected: string;
  isas: IsaKernels[];
  /** The run-wide gemm-peak: Eigen's best gemm rate at the selected level. */
  peak: number;
  /** numpy's OpenBLAS dgemm on one thread: the machine's real rate. */
  openblas?: { rate: number; shape: [number, number, number] } | null;
}

export interface SweepResult {
  axis: Sweep['axis'];
  points: { value: number; result: BatchResult }[];
  /** Least-squares slope of log(time) on log(value), over all points and over the last two. */
  slope?: number;
  slopeLast?: number;
}

/** One command timed as a whole process (spawn to exit), best of k. */
export interface ProcessTiming {
  best: number;
  cpu: number;
  reps: number[];
}

export interface ProcessResult {
  kind: 'analyze' | 'sweep';
  description: string;
  rdm2: ProcessTiming;
  numpy: ProcessTiming;
  /** The outputs agree (observables to 1e-9). */
  ok: boolean;
  note: string;
  others: number;
}

export interface Target {
  name: string;
  threshold: string;
  measured: string;
  met: boolean | null;
  note: string;
}

export interface RunResults {
  mode: string;
  command: string;
  started: string;
  finished?: string;
  machine: MachineDescription;
  kernels?: KernelResults;
  comparisons: BatchResult[];
  sweeps: SweepResult[];
  /** Cores other processes kept busy around the thread sweep (its runs are too short to tell one by one). */
  threadsLoad?: { before: number | null; after: number | null };
  streams: StreamResult[];
  memory: BatchResult[];
  /** Whole-process comparisons (rdm2 analyze / sweep against numpy). */
  processes: ProcessResult[];
  targets: Target[];
  /** Driver answers that differed from the reference: their timings are not reported. */
  wrong: string[];
}

// ---------- formatting ----------

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s >= 100) return `${s.toFixed(0)} s`;
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(s >= 0.1 ? 0 : 1)} ms`;
  return `${(s * 1e6).toFixed(1)} us`;
}

export const fmtRate = (macsPerSecond: number) => (Number.isFinite(macsPerSecond) ? `${(macsPerSecond / 1e9).toFixed(2)}` : '-');
export const fmtPct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%` : '-');
export const fmtX = (x: number) => (!Number.isFinite(x) ? '-' : x >= 100 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);
export const fmtMiB = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
export const fmtBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);
export const fmtErr = (e: number | undefined) => (e === undefined ? '-' : e === 0 ? '0' : e.toExponential(1));

/** A plain-text table; numeric-looking cells are right-aligned. Also valid Markdown. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^[-~<>]?[\d.]/.test(r[c] ?? '') || r[c] === '-'));
  const cell = (s: string, c: number) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]));
  const line = (r: string[]) => `| ${r.map((s, c) => cell(s ?? '', c)).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

// ---------- sections ----------

export function kernelTable(k: KernelResults): string {
  const rows: string[][] = [];
  const ob = k.openblas?.rate;
  for (const i of k.isas) {
    for (const g of i.gemm) rows.push([i.isa, `Eigen gemm ${g.shape.join(' x ')}`, fmtTime(g.seconds), fmtRate(g.rate), ob ? fmtPct(g.rate / ob) : '-']);
    for (const d of i.dots) {
      rows.push([i.isa, `rdm2 dots W=${d.W} n=${d.n}`, fmtTime(d.own), fmtRate((d.W * d.n) / d.own), ob ? fmtPct((d.W * d.n) / d.own / ob) : '-']);
      rows.push([i.isa, `Eigen gemv W=${d.W} n=${d.n}`, fmtTime(d.eigen), fmtRate((d.W * d.n) / d.eigen), ob ? fmtPct((d.W * d.n) / d.eigen / ob) : '-']);
    }
  }
  if (k.openblas) rows.push(['-', `numpy/OpenBLAS dgemm ${k.openblas.shape.join(' x ')} (1 thread)`, '-', fmtRate(k.openblas.rate), '100%']);
  const eig: string[][] = [];
  for (const i of k.isas)
    for (const e of i.eig) eig.push([i.isa, String(e.W), fmtTime(e.eigen), fmtTime(e.single), fmtTime(e.batched), fmtX(e.eigen / e.batched)]);
  return (
    table(['instruction set', 'kernel (1 thread)', 'time', 'GMAC/s', 'of OpenBLAS dgemm'], rows) +
    '\n\nEigenvalues of one W x W window (after the centring deflation), one thread:\n\n' +
    table(['instruction set', 'W', "Eigen's solver", 'rdm2 scalar (one window)', 'rdm2 batched (per window)', 'batched vs Eigen'], eig) +
    `\n\nKernels in use: ${k.selected}.`
  );
}

/** The rate figures are shares of: the workload's own openblas-peak (the machine's rate), else the run-wide one. */
export function peakOf(r: BatchResult, fallback: number): number {
  const g = r.drivers.find((d) => d.driver === 'openblas-peak' && d.status === 'ok');
  return g?.rate ?? fallback;
}

function reference(r: BatchResult): DriverOutcome | undefined {
  return r.drivers.find((d) => d.driver === 'native-incremental' && d.threads === 1) ?? r.drivers.find((d) => d.driver === 'native-incremental');
}

/** Mean cores other processes kept busy over a driver's repetitions ('-' when unknown). */
export function othersLoad(d: DriverOutcome): string {
  const xs = d.reps.map((r) => r.others).filter((x): x is number => x !== null);
  return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '-';
}

export function comparisonTable(r: BatchResult, fallbackPeak: number): string {
  const peak = peakOf(r, fallbackPeak);
  const ref = reference(r);
  const rows = r.drivers.map((d) => {
    if (d.status !== 'ok') return [d.label, '-', '-', '-', '-', '-', '-', '-', '-', `${d.status}: ${d.note}`];
    if (d.rate !== undefined) return [d.label, '-', fmtTime(d.best), '-', '-', fmtRate(d.rate), fmtPct(d.rate / peak), '-', '-', `best of ${d.reps.length} (kernel, no answer)`];
    const sampled = d.windows < r.windows;
    const rate = r.macs / d.full;
    return [
      d.label,
      sampled ? `${d.windows}/${r.windows}` : `${r.windows}`,
      `${sampled ? '~' : ''}${fmtTime(d.full)}`,
      fmtTime(d.best / d.windows),
      ref && d !== ref ? fmtX(d.full / ref.full) : '1',
      fmtRate(rate),
      fmtPct(rate / peak),
      `${fmtErr(d.check?.maxRelError)}${d.check && d.check.maxVectorError > 0 ? ` / v ${fmtErr(d.check.maxVectorError)}` : ''}`,
      othersLoad(d),
      `best of ${d.reps.length}${sampled ? ', extrapolated' : ''}`,
    ];
  });
  return table(
    ['driver', 'windows', 'time (all windows)', 'per window', 'vs incremental', 'GMAC/s (TWn)', 'of OpenBLAS', 'max err', 'others\' load', 'note'],
    rows,
  );
}

export function sweepTable(s: SweepResult, peak: number): string {
  if (s.axis === 'threads') {
    const rows = s.points.flatMap(({ result: r }) => {
      const one = r.drivers.find((d) => d.threads === 1);
      return r.drivers.map((d) => {
        // One thread: its undisturbed estimate (min of CPU and wall time); more threads: wall time.
        const speed = one ? one.best / (d.threads === 1 ? d.best : d.bestWall) : NaN;
        const work = one ? d.bestCpu / one.bestCpu : NaN;
        const w = r.workload;
        return [
          `T${w.T} (${r.windows} windows)`,
          `${d.threads} (${activeWorkers(w, d.threads)} with work)`,
          fmtTime(d.threads === 1 ? d.best : d.bestWall),
          fmtTime(d.bestCpu),
          fmtX(speed),
          fmtPct(speed / d.threads),
          fmtX(work),
          othersLoad(d),
          `best of ${d.reps.length}, ${d.status}`,
        ];
      });
    });
    return table(['workload', 'threads', 'time', 'CPU time (all threads)', 'speedup', 'efficiency', 'CPU vs 1 thread', 'others\' load', 'note'], rows);
  }
  const rows = s.points.map(({ value, result: r }) => {
    const d = reference(r)!;
    const N = r.windows;
    const p = r.probes;
    const rate = r.macs / d.best;
    return [
      String(value),
      String(N),
      d.status === 'ok' ? fmtTime(d.best) : d.status,
      fmtRate(rate),
      fmtPct(rate / peak),
      p ? fmtPct((N * p.dots) / d.best) : '-',
      p ? fmtPct((N * p.eig) / d.best) : '-',
      fmtMiB(r.rss.growthKiB),
      othersLoad(d),
    ];
  });
  const slope = s.slope === undefined ? '' : `\nlog-log slope of time vs ${s.axis}: ${s.slope.toFixed(2)} overall, ${s.slopeLast?.toFixed(2)} between the last two points`;
  return (
    table([s.axis, 'windows', 'time', 'GMAC/s (TWn)', 'of OpenBLAS', 'dots share', 'eigensolve share', 'RSS growth', 'others\' load'], rows) + slope
  );
}

export function streamTable(list: StreamResult[]): string {
  const rows = list.map((s) => [
    String(s.W),
    String(s.n),
    fmtTime(s.push),
    fmtTime(s.pushWall),
    fmtTime(s.dots),
    fmtTime(Math.max(0, s.push - s.dots)),
    fmtX(s.ratio),
    fmtTime(s.eig),
    fmtTime(s.read),
    s.check.ok ? (s.W <= 64 && s.n >= 1024 ? (s.ratio <= 3 ? 'met' : 'missed') : 'n/a') : `WRONG: ${s.check.worst}`,
  ]);
  return table(['W', 'n', 'push', 'push (wall)', 'bare W dots', 'rest', 'push / dots', 'eigensolve', 'read a window', 'target <= 3x'], rows);
}

/**
 * The O(W n) memory the batch path may use: per working thread (at most one per block of
 * windows) one W x n float64 window and a row, plus the columnar results.
 */
export function batchMemoryBudget(r: BatchResult): number {
  const w = r.workload;
  const m = Math.min(w.W - 1, w.n);
  const perThread = 8 * (w.W * w.n + 2 * w.n + 2 * w.W * w.W);
  const results = r.windows * (8 * (m + 6) + 4 * w.topK * w.n);
  return activeWorkers(w, r.rss.threads) * perThread + results;
}

export function memoryTable(list: BatchResult[]): string {
  const rows = list.map((r) => {
    const budget = batchMemoryBudget(r);
    const w = r.workload;
    return [
      w.id,
      `${r.rss.threads} (${activeWorkers(w, r.rss.threads)} with work)`,
      fmtMiB(r.rss.beforeKiB),
      fmtMiB(r.rss.peakKiB),
      fmtMiB(r.rss.growthKiB),
      fmtBytes(budget),
      fmtBytes(8 * w.n * w.n),
      fmtX((r.rss.growthKiB * 1024) / budget),
    ];
  });
  return table(['workload', 'threads', 'RSS before', 'peak RSS', 'growth', 'O(W n) estimate', 'one n x n float64', 'growth / estimate'], rows);
}

export function processTable(list: ProcessResult[]): string {
  return table(
    ['workload', 'rdm2 (wall)', 'rdm2 CPU', 'numpy (wall)', 'numpy CPU', 'numpy / rdm2', 'answers', "others' load"],
    list.map((p) => [p.description, fmtTime(p.rdm2.best), fmtTime(p.rdm2.cpu), fmtTime(p.numpy.best), fmtTime(p.numpy.cpu), fmtX(p.numpy.best / p.rdm2.best), p.ok ? 'agree' : `WRONG: ${p.note}`, p.others.toFixed(2)]),
  );
}

export function targetTable(list: Target[]): string {
  return table(
    ['target', 'threshold', 'measured', 'verdict', 'note'],
    list.map((t) => [t.name, t.threshold, t.measured, t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED', t.note]),
  );
}

export function machineLines(m: MachineDescription): string {
  return [
    `machine: ${m.cpu}, ${m.cores} cores (availableParallelism ${m.availableParallelism}), ${m.memoryGiB} GiB, ${m.os}`,
    `node ${m.node}; numpy ${m.numpy.version ?? `absent (${m.numpy.note})`}${m.numpy.blas ? ` (${m.numpy.blas})` : ''}`,
    `git ${m.git.commit ?? '?'}${m.git.dirty ? ' (working tree modified)' : ''}; native binary ${m.binary ? `${m.binary.path} sha256:${m.binary.sha256} built ${m.binary.modified}` : 'not found'}`,
    `load average at start: ${m.loadStart.join(' ')}${m.loadEnd ? `; at end: ${m.loadEnd.join(' ')}` : ''}`,
  ].join('\n');
}

export function writeResults(file: string, results: RunResults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
}
