// Scale-out: a deterministic 1/N of the runs per shard, stable across machines (a hash of each
// run's relative path), from --shard I/N or the environment of a Slurm array or Kubernetes job.
import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}


function int(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text.trim())) usageError(`${what} must be a non-negative integer, got ${JSON.stringify(text ?? null)}`);
  return Number(text);
}

function checked(index: number, count: number, what: string): Shard {
  if (count < 1) usageError(`${what}: the shard count must be >= 1, got ${count}`);
  if (index >= count) usageError(`${what}: shard index ${index} is out of range, expected 0 to ${count - 1}`);
  return { index, count };
}

/** Parses `I/N` (0 <= I < N). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) usageError(`--shard ${JSON.stringify(text)}: expected I/N, e.g. 0/4 (shards are numbered from 0)`);
  return checked(Number(m[1]), Number(m[2]), `--shard ${text}`);
}

/**
 * The shard from the environment, when running as an array job:
 * Slurm (`SLURM_ARRAY_TASK_ID` - `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`), or a
 * Kubernetes indexed Job (`JOB_COMPLETION_INDEX` of `RDM2_SHARD_COUNT`, which the Job spec sets
 * to its `completions`). Undefined when neither is set.
 */
export function shardFromEnv(env: Record<string, string | undefined>): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const count = int(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT (set by Slurm for array jobs)');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : int(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
    if (id < min) usageError(`SLURM_ARRAY_TASK_ID ${id} is below SLURM_ARRAY_TASK_MIN ${min}`);
    return checked(id - min, count, 'Slurm array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; use a contiguous --array=0-(N-1))');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = int(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
    if (env.RDM2_SHARD_COUNT === undefined) usageError('JOB_COMPLETION_INDEX is set (Kubernetes indexed Job) but RDM2_SHARD_COUNT is not: set it to the Job\'s completions, or pass --shard I/N');
    const count = int(env.RDM2_SHARD_COUNT, 'RDM2_SHARD_COUNT');
    return checked(index, count, 'Kubernetes indexed Job (JOB_COMPLETION_INDEX of RDM2_SHARD_COUNT)');
  }
  return undefined;
}

/** The shard a run belongs to among `count`: the first 4 bytes of sha256(relative path) mod count. */
export function shardOf(relPath: string, count: number): number {
  return createHash('sha256').update(relPath, 'utf8').digest().readUInt32BE(0) % count;
}

/** The runs of one shard, in their sorted order. */
export function selectShard(relPaths: readonly string[], shard: Shard | undefined): string[] {
  if (!shard || shard.count === 1) return relPaths.slice();
  return relPaths.filter((p) => shardOf(p, shard.count) === shard.index);
}
