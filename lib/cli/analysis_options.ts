// The analysis options `rdm2 analyze` and `rdm2 sweep` share, their parsing and their checks.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MAX_CHUNK_BYTES, type AnalyzeFileOptions } from '../io/analyze_file.js';
import type { Detrend, NonFinitePolicy, Transform } from '../types.js';

/** Option values as commander collects them for the shared analysis options. */
export interface AnalysisCliValues {
  window?: number;
  stride?: number;
  topK?: number;
  detrend?: Detrend;
  transform?: Transform;
  beta?: number;
  nonFinite?: NonFinitePolicy;
  threads?: number;
  chunkMb?: number;
  groups?: string;
}

/** A commander argument parser for integers >= min. */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const v = /^[+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`);
    }
    return v;
  };
}

/** A commander argument parser for finite numbers > 0. */
export function positiveNumberArg(value: string): number {
  const v = /^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a finite number > 0');
  return v;
}

/** The largest --chunk-mb (analyzeFile's MAX_CHUNK_BYTES). */
export const MAX_CHUNK_MB = MAX_CHUNK_BYTES / 2 ** 20;

/** A commander argument parser for --chunk-mb: a number > 0 and <= MAX_CHUNK_MB. */
export function chunkMbArg(value: string): number {
  const v = positiveNumberArg(value);
  if (v > MAX_CHUNK_MB) throw new InvalidArgumentError(`expected at most ${MAX_CHUNK_MB} (MiB)`);
  return v;
}

/** A commander argument parser for finite numbers. */
export function numberArg(value: string): number {
  const v = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(v)) throw new InvalidArgumentError('expected a finite number');
  return v;
}

/** Adds the analysis options to a command. */
export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--window <W>', 'window length in checkpoints, >= 2 (required for [T, n] losses; not allowed for [T, K, n] perturbation files)').argParser(integerArg(2)))
    .addOption(new Option('--stride <S>', 'checkpoints between consecutive windows (default 1; not allowed for [T, K, n] files)').argParser(integerArg(1)))
    .addOption(new Option('--top-k <K>', 'top eigenvectors kept per window (block energies need >= 1)').argParser(integerArg(0)).default(0))
    .addOption(new Option('--detrend <mode>', 'per-probe trend removed in each window').choices(['none', 'linear']).default('none'))
    .addOption(new Option('--transform <t>', 'transform applied to every loss first').choices(['none', 'log']).default('none'))
    .addOption(new Option('--beta <B>', 'inverse temperature of the spectral heat capacity, > 0').argParser(positiveNumberArg).default(1))
    .addOption(
      new Option('--non-finite <policy>', "NaN/inf losses: 'error' stops, 'skip-window' marks the windows holding them degenerate")
        .choices(['error', 'skip-window'])
        .default('error'),
    )
    .addOption(new Option('--threads <N>', 'native threads per analysis (default: all cores for analyze, cores/jobs for sweep)').argParser(integerArg(1, 1024)))
    .addOption(new Option('--chunk-mb <MB>', `MiB of input rows held in memory at once, > 0 and <= ${MAX_CHUNK_MB} (never more than the file holds)`).argParser(chunkMbArg).default(64))
    .addOption(new Option('--groups <file>', 'probe group labels (.json array, .npy, or one label per line); overrides the sidecar meta.json'));
}

/** The analyzeFile options the command line asked for (unset options stay unset). */
export function analysisOptionsFrom(v: AnalysisCliValues): AnalyzeFileOptions {
  const out: AnalyzeFileOptions = {};
  if (v.window !== undefined) out.window = v.window;
  if (v.stride !== undefined) out.stride = v.stride;
  if (v.topK !== undefined) out.topK = v.topK;
  if (v.detrend !== undefined) out.detrend = v.detrend;
  if (v.transform !== undefined) out.transform = v.transform;
  if (v.beta !== undefined) out.beta = v.beta;
  if (v.nonFinite !== undefined) out.nonFinite = v.nonFinite;
  if (v.threads !== undefined) out.threads = v.threads;
  if (v.chunkMb !== undefined) out.chunkBytes = Math.max(1, Math.round(v.chunkMb * 2 ** 20));
  return out;
}

/** Option values of the early-warning detector. */
export interface WarningCliValues {
  warnBaseline?: number;
  warnZ?: number;
  warnConsecutive?: number;
}

/** Adds the early-warning detector options (applied to the SHC series of each run). */
export function addWarningOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--warn-baseline <B>', 'warnings: trailing windows forming the robust baseline, >= 3').argParser(integerArg(3)).default(40))
    .addOption(new Option('--warn-z <Z>', 'warnings: robust z-score threshold, > 0').argParser(positiveNumberArg).default(6))
    .addOption(new Option('--warn-consecutive <M>', 'warnings: consecutive exceedances that raise a warning, >= 1').argParser(integerArg(1)).default(3));
}

/** The warning options the command line asked for. */
export function warningOptionsFrom(v: WarningCliValues): { baseline?: number; z?: number; consecutive?: number } {
  return {
    ...(v.warnBaseline !== undefined ? { baseline: v.warnBaseline } : {}),
    ...(v.warnZ !== undefined ? { z: v.warnZ } : {}),
    ...(v.warnConsecutive !== undefined ? { consecutive: v.warnConsecutive } : {}),
  };
}
