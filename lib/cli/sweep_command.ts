// `rdm2 sweep <dir>`: analyse every run of a sweep directory, in parallel, resumably, one shard of it.
import type { Command } from 'commander';
import { readGroupsFile } from '../io/meta.js';
import { progressFor, silentProgress } from '../sweep/progress.js';
import { SWEEP_OPTIONS, sweep } from '../sweep/runner.js';
import { parseShard, shardFromEnv, type Shard } from '../sweep/shard.js';
import type { ResultFormat } from '../io/write_result.js';
import {
  addAnalysisOptions,
  addWarningOptions,
  analysisOptionsFrom,
  warningOptionsFrom,
  type AnalysisCliValues,
  type WarningCliValues,
} from './analysis_options.js';
import type { CliIo } from './io.js';
import { schemaOption } from './schema_flags.js';
import { asUsageErrorAsync } from './usage_error.js';

interface SweepValues extends AnalysisCliValues, WarningCliValues {
  pattern: string;
  out: string;
  format: ResultFormat;
  jobs?: number;
  resume?: boolean;
  shard?: string;
  quiet?: boolean;
  tensorboard?: string;
}

/** Registers `sweep` on the program; a sweep with failed runs sets `status.exitCode` to 1. */
export function registerSweep(program: Command, io: CliIo, status: { exitCode: number }): void {
  const cmd = program
    .command('sweep')
    .summary('analyse every run under a directory (parallel, resumable, shardable)')
    .description(
      'Analyse every loss file under <dir> matching --pattern, --jobs at a time. Writes one result per run\n' +
        '(<out>/<relative path>.<format>, atomically) and summary.json / .csv / .parquet (one record per run:\n' +
        'the run summary plus path, status and error). A run that cannot be read or analysed is recorded\n' +
        'as failed and the sweep goes on. With a shard (--shard, or SLURM_ARRAY_TASK_ID/COUNT, or\n' +
        'JOB_COMPLETION_INDEX with RDM2_SHARD_COUNT) only that 1/N of the runs is analysed and the summary\n' +
        "is summary.shard-I-of-N.json/.csv/.parquet; combine the shards with 'rdm2 merge'.",
    )
    .argument('<dir>', 'the sweep root: the directory holding the runs');
  addAnalysisOptions(cmd, { threads: { defaultDoc: 'cores / jobs' } });
  addWarningOptions(cmd);
  cmd
    .addOption(schemaOption('pattern', SWEEP_OPTIONS.fields.pattern))
    .requiredOption('--out <dir>', 'output directory (results, summaries); must not be <dir> itself')
    .addOption(schemaOption('format', SWEEP_OPTIONS.fields.format))
    .addOption(schemaOption('jobs', SWEEP_OPTIONS.fields.jobs))
    .addOption(schemaOption('resume', SWEEP_OPTIONS.fields.resume))
    .option('--shard <I/N>', 'analyse shard I of N (0 <= I < N): a deterministic 1/N of the runs by a hash of their paths')
    .option('--quiet', 'no progress output')
    .addOption(schemaOption('tensorboard', SWEEP_OPTIONS.fields.tensorboard))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  rdm2 sweep runs/ --window 32 --top-k 1 --out results/ --jobs 4\n" +
        "  rdm2 sweep runs/ --window 32 --pattern '**/losses.npy' --out results/ --resume\n" +
        '  rdm2 sweep runs/ --window 32 --out results/ --shard 0/4   # then: rdm2 merge results/ --out results/\n' +
        '\nProgress: a bar with rate and ETA on a terminal, one line per run otherwise (stderr).\n' +
        "The native analyses run on libuv's thread pool: the rdm2 command sizes it to max(cores, jobs) + 2\n" +
        'unless UV_THREADPOOL_SIZE is set.\n' +
        '\nExit status: 0 every run ok; 1 any run failed (summary.json lists them in "failed"); 2 usage error.',
    )
    .action(async (dir: string, values: SweepValues) => {
      let shard: Shard | undefined;
      if (values.shard !== undefined) shard = parseShard(values.shard);
      else shard = shardFromEnv(io.env);
      const groups = values.groups !== undefined ? { file: values.groups, labels: await readGroupsFile(values.groups) } : undefined;
      const outcome = await asUsageErrorAsync(() =>
        sweep({
          root: dir,
          out: values.out,
          pattern: values.pattern,
          analysis: analysisOptionsFrom(values),
          warning: warningOptionsFrom(values),
          format: values.format,
          ...(groups ? { groups } : {}),
          ...(values.jobs !== undefined ? { jobs: values.jobs } : {}),
          resume: values.resume ?? false,
          ...(shard ? { shard } : {}),
          progress: values.quiet ? silentProgress : progressFor(io.stderr),
          ...(values.tensorboard !== undefined ? { tensorboard: values.tensorboard } : {}),
        }),
      );
      if (outcome.jobsCapped) {
        const { requested, cap } = outcome.jobsCapped;
        io.stderr.write(`rdm2 sweep: --jobs ${requested} capped to ${cap} (at most 4 runs per core, at least 8, at once)\n`);
      }
      const s = outcome.summary;
      const where = shard && shard.count > 1 ? ` (shard ${shard.index}/${shard.count})` : '';
      const lines = [
        `rdm2 sweep${where}: ${s.counts.runs} runs, ${s.counts.ok} ok, ${s.counts.failed} failed (${outcome.analysed} analysed, ${outcome.skipped} already complete)`,
        `summary: ${outcome.files.json}, ${outcome.files.csv}, ${outcome.files.parquet}`,
      ];
      if (s.counts.failed > 0) {
        lines.push('failed runs:');
        for (const r of s.runs) if (r.status === 'failed') lines.push(`  ${r.path}: ${r.error}`);
        status.exitCode = 1;
      }
      io.stdout.write(lines.join('\n') + '\n');
    });
}
