// A generated sweep tree: 50 runs of T = 60 checkpoints x n = 20 probes in several formats,
// each with its meta.json, some corrupt in known ways.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../lib/io/npy.js';
import { lossMatrix, writeCsv, writeJsonl, writeNpy, writeText } from './io_fixtures.js';

export const RUNS = 50;
export const T = 60;
export const N = 20;

/** Relative paths of the runs, sorted. */
export function runPaths(): string[] {
  const out: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = String(i).padStart(2, '0');
    const ext = i % 10 === 3 ? 'csv' : i % 10 === 7 ? 'jsonl' : 'npy';
    out.push(`${i < 25 ? 'lr-1e-3' : 'lr-3e-4'}/seed${id}/losses.${ext}`);
  }
  return out.sort();
}

/** The corrupt runs and the error each must be recorded with (`root` as passed to the sweep). */
export function corruptRuns(root: string): Record<string, string> {
  const p = (rel: string) => join(root, rel);
  return {
    'lr-1e-3/seed05/losses.npy': `${p('lr-1e-3/seed05/losses.npy')}: byte 5000: truncated: the header declares shape (60, 20) float64 (9600 bytes of data from byte 128), but the file ends after 4872 bytes of data [ERR_RDM2_FILE]`,
    'lr-1e-3/seed13/losses.csv': `${p('lr-1e-3/seed13/losses.csv')}: line 31, field 5: "n/a" is not a number, expected a loss (decimal, or NaN/inf) [ERR_RDM2_FILE]`,
    'lr-3e-4/seed30/losses.npy': `${p('lr-3e-4/seed30/losses.npy')}: byte 0: not a NumPy .npy file: starts with 6e 6f 74 20 6e 70, expected the magic string \\x93NUMPY (93 4e 55 4d 50 59) [ERR_RDM2_FILE]`,
    'lr-3e-4/seed41/losses.npy': `${p('lr-3e-4/seed41/losses.npy')}: row 17, column 2: NaN is not finite, expected a finite loss (nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead) [ERR_RDM2_FILE]`,
    'lr-3e-4/seed47/losses.jsonl': `${p('lr-3e-4/seed47/losses.jsonl')}: line 12: 19 losses, expected 20 like line 1 [ERR_RDM2_FILE]`,
  };
}

/** Writes the tree under `root`; returns the relative run paths. */
export function makeSweepTree(root: string): string[] {
  const paths = runPaths();
  paths.forEach((rel, k) => {
    const seed = Number(/seed(\d+)/.exec(rel)![1]);
    const data = lossMatrix(T, N, 100 + seed);
    const path = join(root, rel);
    const steps = Array.from({ length: T }, (_, t) => 10 * t);
    if (rel.endsWith('.csv')) writeCsv(path, data, T, N);
    else if (rel.endsWith('.jsonl')) writeJsonl(path, data, T, N);
    else writeNpy(path, data, T, N);
    const groups = Array.from({ length: N }, (_, i) => (i < 7 ? 'A' : i < 14 ? 'B' : 'C'));
    writeText(join(path, '..', 'meta.json'), JSON.stringify({ steps, groups, transition: 300 + 10 * (k % 5) }));
  });
  // The corrupt ones.
  const npy05 = join(root, 'lr-1e-3/seed05/losses.npy');
  writeFileSync(npy05, readFileSync(npy05).subarray(0, 5000));
  const csv13 = join(root, 'lr-1e-3/seed13/losses.csv');
  const lines = readFileSync(csv13, 'utf8').split('\n');
  const cells = lines[30]!.split(',');
  cells[4] = 'n/a';
  lines[30] = cells.join(',');
  writeFileSync(csv13, lines.join('\n'));
  writeText(join(root, 'lr-3e-4/seed30/losses.npy'), 'not npy at all');
  const nan = lossMatrix(T, N, 141);
  nan[17 * N + 2] = NaN;
  writeFileSync(join(root, 'lr-3e-4/seed41/losses.npy'), encodeNpy({ values: nan, shape: [T, N] }));
  const jl = join(root, 'lr-3e-4/seed47/losses.jsonl');
  const jlines = readFileSync(jl, 'utf8').split('\n');
  jlines[11] = JSON.stringify(JSON.parse(jlines[11]!).slice(1));
  writeFileSync(jl, jlines.join('\n'));
  // Files that are not runs.
  writeText(join(root, 'README.txt'), 'not a run');
  writeText(join(root, 'lr-1e-3/seed00/accuracy.npy'), 'not a run either');
  writeText(join(root, '.cache/losses.npy'), 'hidden: skipped');
  return paths;
}
