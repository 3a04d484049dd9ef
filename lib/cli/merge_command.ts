// `rdm2 merge <dir>... --out <dir>`: combine the shard summaries of a sweep into one.
import type { Command } from 'commander';
import { mergeShards } from '../sweep/merge.js';
import type { CliIo } from './io.js';

/** Registers `merge` on the program. */
export function registerMerge(program: Command, io: CliIo, status: { exitCode: number }): void {
  program
    .command('merge')
    .summary('combine the shard summaries of a sweep into one summary')
    .description(
      'Read the shard summaries (summary.shard-I-of-N.json, or summary.json) in each <dir> and write the\n' +
        'summary of the whole sweep to <out>/summary.json, .csv and .parquet, equal to the one an\n' +
        'unsharded sweep writes. Refuses shards of different sweeps, a shard given twice, a run in two\n' +
        'shards, and missing shards.',
    )
    .argument('<dir...>', 'directories holding shard summaries (the --out of each shard; may be the same)')
    .requiredOption('--out <dir>', 'where to write summary.json, summary.csv and summary.parquet')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  rdm2 merge results-0/ results-1/ results-2/ results-3/ --out results/\n' +
        '\nExit status: 0 merged and every run ok; 1 merged but some runs failed, or the shards cannot be\n' +
        'merged (the message says why); 2 usage error.',
    )
    .action(async (dirs: string[], values: { out: string }) => {
      const { summary, files, merged } = await mergeShards(dirs, values.out);
      const lines = [
        `rdm2 merge: ${merged.length} shard summar${merged.length === 1 ? 'y' : 'ies'}, ${summary.counts.runs} runs, ${summary.counts.ok} ok, ${summary.counts.failed} failed`,
        `summary: ${files.json}, ${files.csv}, ${files.parquet}`,
      ];
      if (summary.counts.failed > 0) {
        lines.push('failed runs:');
        for (const r of summary.runs) if (r.status === 'failed') lines.push(`  ${r.path}: ${r.error}`);
        status.exitCode = 1;
      }
      io.stdout.write(lines.join('\n') + '\n');
    });
}
