// Defaults and range checks for analysis options; every failure is an ERR_RDM2_OPTION.
import { availableParallelism } from 'node:os';
import { Rdm2Error } from './errors.js';
import type { AnalyzeOptions, ResolvedAnalyzeOptions } from './types.js';

function fail(message: string): never {
  throw new Rdm2Error('ERR_RDM2_OPTION', message);
}

function integerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`${name} must be an integer, got ${JSON.stringify(value)}`);
  if (value < min) fail(`${name} must be >= ${min}, got ${value}`);
  if (value > max) fail(`${name} must be <= ${max}, got ${value}`);
  return value;
}

function enumOption<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

const KNOWN = new Set(['window', 'stride', 'topK', 'detrend', 'transform', 'beta', 'threads', 'nonFinite']);

/**
 * Resolves options against a T x n matrix. `rankLimit` is the largest possible rank of
 * a window's covariance (min(W-1, n) for sliding windows).
 */
export function resolveAnalyzeOptions(opts: AnalyzeOptions, rows: number, cols: number): ResolvedAnalyzeOptions {
  if (typeof opts !== 'object' || opts === null) fail('options must be an object with at least { window }');
  for (const key of Object.keys(opts)) if (!KNOWN.has(key)) fail(`unknown option '${key}'`);
  if (opts.window === undefined) fail('window is required');
  const window = integerOption('window', opts.window, 2, Number.MAX_SAFE_INTEGER);
  if (window > rows) fail(`window (${window}) is longer than the number of checkpoints T = ${rows}`);
  const stride = integerOption('stride', opts.stride ?? 1, 1, Number.MAX_SAFE_INTEGER);
  const rank = Math.min(window - 1, cols);
  const topK = opts.topK === undefined ? 0 : integerOption('topK', opts.topK, 0, Number.MAX_SAFE_INTEGER);
  if (topK > rank) fail(`topK (${topK}) exceeds the largest possible rank min(W-1, n) = ${rank}`);
  const beta = opts.beta ?? 1;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) fail(`beta must be a finite number > 0, got ${JSON.stringify(beta)}`);
  const threads = opts.threads === undefined ? availableParallelism() : integerOption('threads', opts.threads, 1, 1024);
  return {
    window,
    stride,
    topK,
    detrend: enumOption('detrend', opts.detrend, ['none', 'linear'] as const, 'none'),
    transform: enumOption('transform', opts.transform, ['none', 'log'] as const, 'none'),
    beta,
    threads,
    nonFinite: enumOption('nonFinite', opts.nonFinite, ['error', 'skip-window'] as const, 'error'),
  };
}
