// The machine and build a run was measured on, written into every results file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../lib/native.js';
import { numpyInfo } from './drivers/numpy.js';

export interface MachineDescription {
  cpu: string;
  cores: number;
  availableParallelism: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** Load averages (1, 5, 15 min) at the start of the run: other users' work shows here. */
  loadStart: number[];
  loadEnd?: number[];
  git: { commit: string | null; dirty: boolean | null };
  /** The native binary the run loaded (node-gyp-build order: build/Release, then prebuilds/). */
  binary: { path: string; sha256: string; modified: string } | null;
  numpy: { version: string | null; blas: string | null; note: string };
  /** OPENBLAS_* variables set in the environment (removed for the numpy child only). */
  openblasEnv: Record<string, string>;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function loadedBinary(): MachineDescription['binary'] {
  const candidates = [
    join(packageRoot, 'build', 'Release', 'rdm2.node'),
    join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'rdm2.napi.node'),
  ];
  const path = candidates.find((p) => existsSync(p));
  if (!path) return null;
  return {
    path: path.slice(packageRoot.length + 1),
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16),
    modified: statSync(path).mtime.toISOString(),
  };
}

export function describeMachine(): MachineDescription {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    loadStart: loadavg().map((x) => Math.round(x * 100) / 100),
    git: { commit: git(['rev-parse', '--short', 'HEAD']), dirty: status === null ? null : status.length > 0 },
    binary: loadedBinary(),
    numpy: numpyInfo(),
    openblasEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OPENBLAS_')) as [string, string][]),
  };
}
