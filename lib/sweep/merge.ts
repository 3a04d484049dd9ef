// Combining the summaries of the shards of one sweep into the summary of the whole sweep.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { SUMMARY_FILE_PATTERN } from './layout.js';
import { runFingerprint } from './resume.js';
import { shardOf } from './shard.js';
import { buildSummary, readSummaryFile, treeHash, writeSummaryFiles, type SummaryFiles, type SweepSummary } from './summary_files.js';

function refuse(message: string): never {
  throw new Rdm2Error('ERR_RDM2_FILE', message);
}

/** The summary files (`summary.json`, `summary.shard-I-of-N.json`) in the given directories. */
export async function findSummaryFiles(dirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw new Rdm2Error('ERR_RDM2_USAGE', `${dir}: cannot read the directory: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`);
    }
    const found = names.filter((n) => SUMMARY_FILE_PATTERN.test(n)).sort();
    // A directory that already holds the merged summary next to its shards: the shards are what count.
    const shards = found.filter((n) => n !== 'summary.json');
    for (const n of shards.length > 0 ? shards : found) files.push(join(dir, n));
  }
  if (files.length === 0) throw new Rdm2Error('ERR_RDM2_USAGE', `no sweep summary (summary.json or summary.shard-I-of-N.json) in ${dirs.join(', ')}`);
  return files;
}

/**
 * Merges shard summaries into one. Refuses shards of different sweeps (root, pattern, options or
 * the tree of runs found differ), different shard counts, a shard given twice, a missing shard, a
 * run in two shards, and a run in a shard its path does not hash to; the merged summary equals
 * the one an unsharded sweep writes. Each summary is expected checked (readSummaryFile).
 */
export function mergeSummaries(parts: readonly { file: string; summary: SweepSummary }[]): SweepSummary {
  if (parts.length === 0) refuse('nothing to merge');
  const first = parts[0]!;
  const count = first.summary.shard?.count ?? 1;
  // Every shard must be given: a count far beyond the summaries at hand is refused before any
  // work (a tampered count of 300 million must not be walked); a few missing are named below.
  if (count > parts.length + 64) {
    refuse(`${first.file} is one of ${count} shards but ${parts.length} summar${parts.length === 1 ? 'y was' : 'ies were'} given: expected all ${count} shards`);
  }
  const byIndex = new Map<number, string>();
  const owner = new Map<string, string>();
  for (const { file, summary } of parts) {
    const shard = summary.shard ?? { index: 0, count: 1 };
    if (shard.count !== count) refuse(`${file} is shard ${shard.index}/${shard.count} but ${first.file} is one of ${count} shards: expected shards of one sweep`);
    if (summary.pattern !== first.summary.pattern) refuse(`${file} was swept with pattern '${summary.pattern}' but ${first.file} with '${first.summary.pattern}'`);
    if (runFingerprint(summary.options) !== runFingerprint(first.summary.options)) {
      refuse(`${file} was swept with options ${JSON.stringify(summary.options)} but ${first.file} with ${JSON.stringify(first.summary.options)}`);
    }
    if (summary.root !== first.summary.root) refuse(`${file} was swept from root ${JSON.stringify(summary.root)} but ${first.file} from ${JSON.stringify(first.summary.root)}: expected shards of one tree`);
    if (summary.discovered !== first.summary.discovered) {
      refuse(`${file} found ${summary.discovered} runs under its root but ${first.file} found ${first.summary.discovered}: expected shards of the same tree`);
    }
    if (summary.tree === undefined) refuse(`${file} has no tree hash (written by an older rdm2): run its sweep again with --resume to rewrite the summary`);
    if (summary.tree !== first.summary.tree) {
      refuse(`${file} was swept from a different tree of runs than ${first.file} (the sha256 of the runs found differs): expected shards of one tree`);
    }
    const seen = byIndex.get(shard.index);
    if (seen !== undefined) refuse(`shard ${shard.index}/${count} appears twice: ${seen} and ${file}`);
    byIndex.set(shard.index, file);
    for (const r of summary.runs) {
      const other = owner.get(r.path);
      if (other !== undefined) refuse(`run ${r.path} appears in both ${other} and ${file}: overlapping shards`);
      owner.set(r.path, file);
      if (count > 1 && shardOf(r.path, count) !== shard.index) {
        refuse(`run ${r.path} is in ${file} (shard ${shard.index}/${count}) but its path belongs to shard ${shardOf(r.path, count)}/${count}`);
      }
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) refuse(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: expected all ${count} shards`);
  const runs = parts.flatMap((p) => p.summary.runs);
  if (runs.length !== first.summary.discovered) {
    refuse(`the shards hold ${runs.length} runs but the sweep found ${first.summary.discovered}: expected every run in exactly one shard`);
  }
  const s = first.summary;
  const merged = buildSummary({ root: s.root, pattern: s.pattern, options: s.options, shard: null, discovered: s.discovered, tree: s.tree }, runs);
  if (treeHash(merged.runs.map((r) => r.path)) !== s.tree) {
    refuse(`the runs of the shards are not the runs the sweep found (the sha256 of their paths differs from the tree hash in ${first.file})`);
  }
  return merged;
}

/** Reads the shard summaries in `dirs`, merges them and writes `summary.json` / `.csv` / `.parquet` to `out`. */
export async function mergeShards(dirs: readonly string[], out: string): Promise<{ summary: SweepSummary; files: SummaryFiles; merged: string[] }> {
  const files = await findSummaryFiles(dirs);
  const parts = [];
  for (const file of files) parts.push({ file, summary: await readSummaryFile(file) });
  const summary = mergeSummaries(parts);
  for (const name of ['summary.json', 'summary.csv']) await refuseOutputOverInput(join(out, name), files, `--out ${out} (${name})`);
  const written = await writeSummaryFiles(out, 'summary', summary);
  return { summary, files: written, merged: files };
}
