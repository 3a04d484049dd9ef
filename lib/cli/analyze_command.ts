// `rdm2 analyze <file>`: analyse one loss file, print a short summary, write the full result.
import type { Command } from 'commander';
import { analyzeFile } from '../io/analyze_file.js';
import { compareFileIndicators, summarizeFile } from '../io/file_summary.js';
import { checkGroupCount, findSidecar, readGroupsFile } from '../io/meta.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { resultJsonChunks } from '../io/result_json.js';
import { resultFormatOf, writeResult } from '../io/write_result.js';
import {
  addAnalysisOptions,
  addWarningOptions,
  analysisOptionsFrom,
  numberArg,
  warningOptionsFrom,
  type AnalysisCliValues,
  type WarningCliValues,
} from './analysis_options.js';
import type { CliIo } from './io.js';
import { asUsageError, asUsageErrorAsync } from './usage_error.js';
import { formatsHelp } from './formats_help.js';
import { summaryLines } from './run_summary_text.js';

interface AnalyzeValues extends AnalysisCliValues, WarningCliValues {
  transition?: number;
  out?: string;
  json?: boolean;
  tensorboard?: string;
}

/** Registers `analyze` on the program. */
export function registerAnalyze(program: Command, io: CliIo): void {
  const cmd = program
    .command('analyze')
    .summary('analyse one loss file: summary on stdout, full result to --out')
    .description(
      'Analyse one loss file (.npy, .npz, .csv, .tsv, .jsonl, .parquet, .arrow, .h5; list below):\n' +
        'the 2RDM of every window and its observables.\n' +
        'Prints a short summary (SHC peak, PR minimum, warnings, lead time when a transition is known) and\n' +
        'writes the full result to --out. A sidecar meta.json (steps, groups, transition) is read when present.',
    )
    .argument('<file>', 'loss file: [T, n] losses, or a [T, K, n] .npy of perturbation blocks (Gaussian 2RDM)');
  addAnalysisOptions(cmd);
  addWarningOptions(cmd);
  cmd
    .option('--transition <step>', "step of the transition, for the lead time (overrides meta.json's)", numberArg)
    .option('--out <file>', 'write the full result: .json, .csv, .npz, .parquet or .arrow (list below)')
    .option('--json', 'print the full result as JSON on stdout instead of the summary')
    .option('--tensorboard <dir>', 'also write SHC, PR, trace, entropy, top share, SHC z and warnings as TensorBoard scalars to <dir>')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 analyze runs/seed1/losses.npy --window 32 --top-k 2 --out result.json\n' +
        '  rdm2 analyze losses.csv --window 50 --detrend linear --json > result.json\n' +
        '  rdm2 analyze runs.h5:/seed1/losses --window 32 --out result.parquet\n' +
        formatsHelp() +
        '\n' +
        '\nExit status: 0 ok, 1 the file could not be read or analysed, 2 usage error.',
    )
    .action(async (file: string, values: AnalyzeValues) => {
      if (values.out !== undefined) {
        asUsageError(() => resultFormatOf(values.out!));
        await refuseOutputOverInput(values.out, [file, await findSidecar(file), values.groups], `--out ${values.out}`);
      }
      const groups = values.groups !== undefined ? await readGroupsFile(values.groups) : undefined;
      const fa = await asUsageErrorAsync(() => analyzeFile(file, analysisOptionsFrom(values)));
      if (groups) {
        checkGroupCount(groups, fa.analysis.probes, values.groups!, '', file);
        fa.meta.groups = groups;
        fa.metaSources.groups = values.groups!;
      }
      if (values.transition !== undefined) {
        fa.meta.transition = values.transition;
        delete fa.meta.transitions;
        fa.metaSources.transition = '--transition';
      }
      const summary = summarizeFile(fa, { warning: warningOptionsFrom(values) });
      const result = { ...fa, summary };
      if (values.out !== undefined) await writeResult(values.out, result);
      if (values.tensorboard !== undefined) {
        const { writeTensorboardScalars } = await import('../tensorboard/scalars.js'); // protobufjs: loaded only when asked
        await asUsageErrorAsync(() => writeTensorboardScalars(values.tensorboard!, fa, summary.warningOptions));
      }
      if (values.json) for (const piece of resultJsonChunks(result)) io.stdout.write(piece);
      else {
        const cmp = await compareFileIndicators(fa, { warning: warningOptionsFrom(values) });
        io.stdout.write(summaryLines(fa, summary, values.out, cmp?.versusBaselines).join('\n') + '\n');
      }
    });
}
