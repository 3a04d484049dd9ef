// The sweep: every run under a root analysed with bounded concurrency, each result written
// atomically, failures recorded and skipped over, resumable, shardable.
import { availableParallelism } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { unlink } from 'node:fs/promises';
import { usageError } from '../errors.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { analyzeFile, type AnalyzeFileOptions } from '../io/analyze_file.js';
import { checkGroupCount } from '../io/meta.js';
import { refuseOutputOverInput, sameFile } from '../io/output_guard.js';
import { lossFileDims } from '../io/read_loss_file.js';
import { summarizeFile } from '../io/file_summary.js';
import { RESULT_WRITERS } from '../io/format_registry.js';
import type { ResultFormat } from '../io/write_result.js';
import { writeResult } from '../io/write_result.js';
import type { WarningOptions } from '../stats/index.js';
import { DEFAULT_PATTERN, discoverRuns } from './discover.js';
import { recordPath, resultPath, summaryBaseName } from './layout.js';
import { silentProgress, type SweepProgress } from './progress.js';
import { loadCompleteRecord, runFingerprint, runInputs, storeRecord } from './resume.js';
import { failedRecord, okRecord, type RunRecord } from './run_record.js';
import { selectShard, type Shard } from './shard.js';
import { buildSummary, treeHash, writeSummaryFiles, type SummaryFiles, type SweepRunOptions, type SweepSummary } from './summary_files.js';

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** The directory holding the runs. */
  root: string;
  /** Where results and summaries go (created; must not be the root itself). */
  out: string;
  /** Glob over paths relative to the root ({@link DEFAULT_PATTERN}: `losses.*` in any directory, in every readable format). Default `**\/losses.{npy,npz,csv,tsv,jsonl,ndjson,rows,parquet,pq,arrow,feather,arrows,ipc,h5,hdf5}`. */
  pattern?: string;
  /** Analysis options for every run (`window` etc.); `threads` defaults to cores / jobs. */
  analysis?: AnalyzeFileOptions;
  /** Warning detector options for the run summaries. */
  warning?: WarningOptions;
  /** Format of the per-run results (a name of lib/io/format_registry.ts's RESULT_WRITERS). Default 'json'. */
  format?: ResultFormat;
  /** Group labels applied to every run (overriding their meta.json), with the file they came from. */
  groups?: { file: string; labels: string[] };
  /** Runs analysed at once. Default: the number of cores; at most {@link maxSweepJobs} (more are capped, and the outcome says so). */
  jobs?: number;
  /** Skip runs whose result is complete, made with the same options from the same input files (loss file, sidecar). Default false. */
  resume?: boolean;
  /** Analyse only this shard of the runs. */
  shard?: Shard;
  progress?: SweepProgress;
  /**
   * Also write each run's scalars for TensorBoard to `<tensorboard>/<relative path without its
   * extension>/` (one TensorBoard run per loss file). Runs skipped by `resume` are not rewritten.
   */
  tensorboard?: string;
}

/** What {@link sweep} did. */
export interface SweepOutcome {
  summary: SweepSummary;
  /** Paths of the summary files written. */
  files: SummaryFiles;
  /** Runs analysed now, and runs skipped as already complete. */
  analysed: number;
  skipped: number;
  /** Runs analysed at once: the jobs asked for, capped at {@link maxSweepJobs}. */
  jobs: number;
  /** Set when the jobs asked for were more than the cap. */
  jobsCapped?: { requested: number; cap: number };
}

/**
 * The most runs a sweep analyses at once: 4 per core, at least 8. The work is native and
 * CPU-bound, so more only adds threads and chunk buffers (each job holds its own; 1000 jobs ran
 * a process out of address space). bin/threadpool.cjs sizes libuv's pool with the same rule.
 */
export function maxSweepJobs(): number {
  return Math.max(8, 4 * availableParallelism());
}

/** Where a run's TensorBoard scalars go: its relative path without the extension, under `dir`. */
function tensorboardRunDir(dir: string, rel: string): string {
  return join(dir, rel.slice(0, rel.length - extname(rel).length));
}

const objectOf =
  <T>(what: string) =>
  (v: unknown, name: string): T => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) optionError(`${name} must be ${what}`);
    return v as T;
  };

/** The options of {@link sweep} (and the sweep-level flags of `rdm2 sweep`). */
export const SWEEP_OPTIONS = defineOptions('sweep', {
  root: { type: 'string', nonEmpty: true, noun: 'path', required: true, doc: 'the directory holding the runs' },
  out: { type: 'string', nonEmpty: true, noun: 'path', required: true, doc: 'where results and summaries go' },
  pattern: {
    type: 'string',
    nonEmpty: true,
    default: DEFAULT_PATTERN,
    doc: 'which files are runs, relative to <dir> (** any directories, *, ?, [..], {a,b})',
    cli: { value: 'glob' },
  },
  analysis: { type: 'custom', typeDoc: 'analyzeFile options', check: objectOf<AnalyzeFileOptions>('analyzeFile options'), doc: 'analysis options for every run' },
  warning: { type: 'custom', typeDoc: 'warning options', check: objectOf<WarningOptions>('warning options'), doc: 'warning detector options for the run summaries' },
  format: { type: 'enum', values: RESULT_WRITERS.map((w) => w.format), default: 'json', doc: 'format of the per-run results', cli: { value: 'format' } },
  groups: {
    type: 'custom',
    typeDoc: 'group labels with their file',
    check: objectOf<{ file: string; labels: string[] }>('{ file, labels }'),
    doc: 'group labels applied to every run',
  },
  jobs: {
    type: 'integer',
    min: 1,
    default: () => availableParallelism(),
    defaultDoc: 'the number of cores',
    doc: 'runs analysed at once (at most 4 per core, at least 8: more are capped)',
    cli: { value: 'N' },
  },
  resume: {
    type: 'boolean',
    default: false,
    doc: 'skip runs whose result is complete and made with the same options from the same input files (loss file, meta.json)',
  },
  shard: { type: 'custom', typeDoc: 'a shard { index, count }', check: objectOf<Shard>('a shard { index, count }'), doc: 'analyse only this shard of the runs' },
  progress: { type: 'custom', typeDoc: 'a progress reporter', check: objectOf<SweepProgress>('a progress reporter'), doc: 'progress reporter' },
  tensorboard: {
    type: 'string',
    nonEmpty: true,
    noun: 'path',
    doc: "also write each run's scalars for TensorBoard to <dir>/<relative path without extension>/",
    cli: { value: 'dir' },
  },
});

type _SweepSchemaMatches = Assert<SameKeys<typeof SWEEP_OPTIONS.fields, SweepOptions>>;

/** The requested options without the knobs that do not change results (threads, chunk size). */
function comparableOptions(a: AnalyzeFileOptions): Record<string, unknown> {
  const { threads: _threads, chunkBytes: _chunk, checksum: _checksum, ...rest } = a;
  return rest;
}

/**
 * Analyses every run under `root` matching `pattern` (only the runs of `shard` when given), with
 * at most `jobs` runs at once. Each run's result is written atomically to
 * `<out>/<relative path>.<format>`; a run that cannot be read or analysed is recorded as failed
 * with its error and the sweep goes on. Writes `summary.json`, `summary.csv` and `summary.parquet`
 * (for a shard, `summary.shard-I-of-N.*`), one record per run sorted by path.
 *
 * @example
 * ```ts
 * const { summary } = await sweep({ root: 'runs', out: 'results', analysis: { window: 32, topK: 1 }, resume: true });
 * console.log(summary.counts, summary.failed);
 * ```
 */
export async function sweep(options: SweepOptions): Promise<SweepOutcome> {
  const opts = resolveOptions(SWEEP_OPTIONS, options);
  const { root, out, pattern, format } = opts;
  const requestedJobs = opts.jobs;
  const jobs = Math.min(requestedJobs, maxSweepJobs());
  // By identity, so a symbolic link to the root (or another spelling of it) is the root too.
  if (resolve(out) === resolve(root) || (await sameFile(out, root))) usageError(`--out ${out} is the sweep root: write results to another directory`);
  const analysis: AnalyzeFileOptions = { ...(opts.analysis ?? {}) };
  analysis.threads ??= Math.max(1, Math.floor(availableParallelism() / jobs));
  const runOptions: SweepRunOptions = {
    analysis: comparableOptions(analysis),
    warning: { ...(opts.warning ?? {}) },
    format,
    ...(opts.groups ? { groups: opts.groups.file } : {}),
  };
  // The groups' labels, not just their file name, decide whether a stored run is still valid.
  const fingerprint = runFingerprint({ ...runOptions, ...(opts.groups ? { groupLabels: opts.groups.labels } : {}) });
  const progress = opts.progress ?? silentProgress;

  const discovered = await discoverRuns(root, { pattern, exclude: [out] });
  if (discovered.length === 0) usageError(`no loss files under ${root} match --pattern '${pattern}'`);
  const runs = selectShard(discovered, opts.shard);
  // Without a window only perturbation files ([T, K, n]) can be analysed: say so once, as a usage
  // error, instead of failing every [T, n] run.
  if (analysis.window === undefined) {
    for (const rel of runs) {
      if ((await lossFileDims(join(root, rel))) === 2) usageError(`--window is required: ${rel} holds [T, n] losses (checkpoints x probes); only [T, K, n] perturbation files need none`);
    }
  }
  const records: RunRecord[] = new Array(runs.length);
  const todo: number[] = [];
  for (let i = 0; i < runs.length; i++) {
    const done = opts.resume ? await loadCompleteRecord(out, runs[i]!, join(root, runs[i]!), fingerprint, format) : undefined;
    if (done) records[i] = done;
    else todo.push(i);
  }
  const shardLabel = opts.shard && opts.shard.count > 1 ? `shard ${opts.shard.index}/${opts.shard.count}` : 'this sweep';
  progress.start({ discovered: discovered.length, total: runs.length, skipped: runs.length - todo.length, shardLabel });

  const processRun = async (rel: string): Promise<RunRecord> => {
    const input = join(root, rel);
    try {
      const inputs = await runInputs(input);
      const fa = await analyzeFile(input, analysis);
      if (opts.groups) {
        checkGroupCount(opts.groups.labels, fa.analysis.probes, opts.groups.file, '', input);
        fa.meta.groups = opts.groups.labels;
        fa.metaSources.groups = opts.groups.file;
      }
      const summary = summarizeFile(fa, { warning: opts.warning ?? {} });
      const record = okRecord(rel, summary);
      const result = resultPath(out, rel, format);
      await refuseOutputOverInput(result, [input, ...inputs.files.map((f) => f.path), opts.groups?.file], `the result ${result}`);
      await writeResult(result, { ...fa, summary });
      if (opts.tensorboard !== undefined) await (await import('../tensorboard/scalars.js')).writeTensorboardScalars(tensorboardRunDir(opts.tensorboard, rel), fa, summary.warningOptions);
      await storeRecord(out, rel, fingerprint, inputs, record);
      return record;
    } catch (err) {
      // Leave no result of an earlier, now outdated, success behind.
      await unlink(recordPath(out, rel)).catch(() => {});
      await unlink(resultPath(out, rel, format)).catch(() => {});
      return failedRecord(rel, err);
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!;
      records[i] = await processRun(runs[i]!);
      progress.done(records[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
  progress.finish();

  const summary = buildSummary(
    { root, pattern, options: runOptions, shard: opts.shard && opts.shard.count > 1 ? opts.shard : null, discovered: discovered.length, tree: treeHash(discovered) },
    records,
  );
  const files = await writeSummaryFiles(out, summaryBaseName(opts.shard), summary);
  return {
    summary,
    files,
    analysed: todo.length,
    skipped: runs.length - todo.length,
    jobs,
    ...(jobs < requestedJobs ? { jobsCapped: { requested: requestedJobs, cap: jobs } } : {}),
  };
}
