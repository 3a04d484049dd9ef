// Loss-file generators shared by the io, cli and sweep suites: one matrix written in every
// supported format and layout, plus helpers to run the CLI.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { encodeNpy } from '../lib/io/npy.js';
import { encodeNpz } from '../lib/io/npz.js';
import { rng } from '../bench/reference/naive.js';

const created: string[] = [];
// Each test file gets its own copy of this module: its directories go when the file is done.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'rdm2-io-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** mulberry32: a small deterministic PRNG (the test reference's). */
export function prng(seed: number): () => number {
  return rng(seed).uniform;
}

/**
 * A T x n loss matrix (row-major Float64Array) with a transition: probes in the middle third
 * move together along a sigmoid centred at T/2, on top of noise and a slow downward trend.
 * Values are rounded to 1e-6 so that text formats represent them exactly as float64.
 */
export function lossMatrix(T: number, n: number, seed = 1): Float64Array {
  const rand = prng(seed);
  const out = new Float64Array(T * n);
  for (let t = 0; t < T; t++) {
    const a = 1 / (1 + Math.exp(-(t - T / 2) / (T / 20)));
    for (let i = 0; i < n; i++) {
      const inB = i >= n / 3 && i < (2 * n) / 3;
      const v = 2.3 - 0.002 * t + (inB ? 0.4 * a : 0) + 0.05 * (rand() - 0.5);
      out[t * n + i] = Math.round(v * 1e6) / 1e6;
    }
  }
  return out;
}

/** Rows of a row-major matrix as nested arrays. */
export function rowsOf(data: ArrayLike<number>, T: number, n: number): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: n }, (_, i) => data[t * n + i]!));
}

/** Column-major copy of a row-major T x n matrix. */
export function toFortran<A extends Float32Array | Float64Array>(data: A, T: number, n: number): A {
  const out = new (data.constructor as new (len: number) => A)(T * n);
  for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) out[i * T + t] = data[t * n + i]!;
  return out;
}

function write(path: string, data: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** Writes a T x n matrix as .npy in the given layout. */
export function writeNpy(
  path: string,
  data: Float64Array,
  T: number,
  n: number,
  layout: { dtype?: 'float32' | 'float64'; fortran?: boolean; bigEndian?: boolean } = {},
): string {
  let values: Float32Array | Float64Array = layout.dtype === 'float32' ? Float32Array.from(data) : data;
  if (layout.fortran) values = toFortran(values, T, n);
  return write(path, encodeNpy({ values, shape: [T, n], fortranOrder: layout.fortran ?? false, littleEndian: !layout.bigEndian }));
}

/** Writes a CSV/TSV file: optional header of probe names, optional step column, optional pandas index column. */
export function writeCsv(
  path: string,
  data: ArrayLike<number>,
  T: number,
  n: number,
  opts: { delimiter?: string; header?: boolean; steps?: ArrayLike<number>; index?: boolean; crlf?: boolean } = {},
): string {
  const d = opts.delimiter ?? ',';
  const lines: string[] = [];
  if (opts.header) {
    const names = Array.from({ length: n }, (_, i) => `p${i}`);
    lines.push([...(opts.index ? [''] : []), ...(opts.steps ? ['step'] : []), ...names].join(d));
  }
  for (let t = 0; t < T; t++) {
    const cells = Array.from({ length: n }, (_, i) => String(data[t * n + i]));
    lines.push([...(opts.index ? [String(t)] : []), ...(opts.steps ? [String(opts.steps[t])] : []), ...cells].join(d));
  }
  return write(path, lines.join(opts.crlf ? '\r\n' : '\n') + (opts.crlf ? '\r\n' : '\n'));
}

/** Writes JSONL: bare arrays, or objects { step, losses } when `steps` is given (or `objects`). */
export function writeJsonl(path: string, data: ArrayLike<number>, T: number, n: number, opts: { steps?: ArrayLike<number>; objects?: boolean } = {}): string {
  const lines: string[] = [];
  for (let t = 0; t < T; t++) {
    const row = Array.from({ length: n }, (_, i) => data[t * n + i]);
    if (opts.steps) lines.push(JSON.stringify({ step: opts.steps[t], losses: row, note: 'ignored' }));
    else if (opts.objects) lines.push(JSON.stringify({ losses: row }));
    else lines.push(JSON.stringify(row));
  }
  return write(path, lines.join('\n') + '\n');
}

/** Writes an .npz holding `losses` (and any extra arrays). */
export function writeNpz(
  path: string,
  data: Float64Array,
  T: number,
  n: number,
  opts: { compress?: boolean; name?: string; steps?: Float64Array; groups?: string[]; transition?: number } = {},
): string {
  const arrays: Parameters<typeof encodeNpz>[0] = { [opts.name ?? 'losses']: { values: data, shape: [T, n] } };
  if (opts.steps) arrays.steps = { values: opts.steps, shape: [opts.steps.length] };
  if (opts.groups) arrays.groups = { values: opts.groups, shape: [opts.groups.length] };
  if (opts.transition !== undefined) arrays.transition = { values: Float64Array.of(opts.transition), shape: [] };
  return write(path, encodeNpz(arrays, { compress: opts.compress ?? false }));
}

/** Writes a text file (creating its directory). */
export function writeText(path: string, text: string | Uint8Array): string {
  return write(path, text);
}

/** What a CLI child process did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The test process's environment without array-job variables, plus `extra` (undefined removes a variable). */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_MIN', 'JOB_COMPLETION_INDEX', 'RDM2_SHARD_COUNT']) delete env[k];
  Object.assign(env, extra);
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs the CLI in this process (runCli with captured output). */
export async function runCliHere(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../lib/cli/main.js');
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: cleanEnv(env),
  });
  return { code, stdout, stderr };
}

/** Runs `rdm2 <args>` as a child process (node --import tsx lib/cli.ts) from the repository root. */
export function runCliProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli.ts', ...args], {
      cwd: join(import.meta.dirname, '..'),
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
