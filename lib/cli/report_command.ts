// `rdm2 report`: the HTML report of one run (from its loss file), or of a whole sweep (from its summary.json).
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { findSidecar } from '../io/meta.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import {
  REPORT_TOP_K,
  isResultFile,
  pickAnalyzeOptions,
  reportLossFile,
  reportResultFile,
  writeChartSvgs,
  writeSweepReport,
  type RunFileReportOptions,
} from '../report/file_report.js';
import { REPORT_OPTIONS, type BuiltReport } from '../report/run_report.js';
import {
  addAnalysisOptions,
  addWarningOptions,
  ANALYSIS_ATTRIBUTES,
  analysisOptionsFrom,
  numberArg,
  warningOptionsFrom,
  warningOptionsGiven,
  type AnalysisCliValues,
  type WarningCliValues,
} from './analysis_options.js';
import type { CliIo } from './io.js';
import { schemaOption } from './schema_flags.js';
import { asUsageErrorAsync } from './usage_error.js';

interface ReportValues extends AnalysisCliValues, WarningCliValues {
  transition?: number;
  out: string;
  svgDir?: string;
  sweep?: string;
  root?: string;
  by?: string;
  runReports: boolean;
  title?: string;
  maxProbes?: number;
  covarianceScale?: 'panel' | 'shared';
  sensitivity?: boolean;
}


/**
 * Registers `report` on the program: `rdm2 report <file> --window W --out report.html` for one run,
 * `rdm2 report --sweep summary.json --out sweep.html` for a sweep.
 *
 * @example
 * ```ts
 * const program = new Command('rdm2');
 * registerReport(program, processIo());
 * await program.parseAsync(['report', 'losses.npy', '--window', '32', '--out', 'report.html'], { from: 'user' });
 * ```
 */
export function registerReport(program: Command, io: CliIo): void {
  const cmd = program
    .command('report')
    .summary('write a self-contained HTML report (charts as inline SVG) of a run or of a sweep')
    .description(
      'Analyse a loss file (or read a result.json of rdm2 analyze) and write one self-contained HTML page\n' +
        '(inline SVG and CSS, no scripts, no network): the run summary, per-probe losses by group,\n' +
        'SHC / PR / trace with warnings and the transition, covariance snapshots around the SHC peak,\n' +
        'the top eigenvector there with its block energies, and the eigenvalue spectrum over time. A\n' +
        'sidecar meta.json (steps, groups, transition) is read when present. With --sweep, report a sweep\n' +
        'from its summary.json instead: lead time per group of runs, every run (each with its own report\n' +
        'under reports/ next to --out) and the failures.',
    )
    .argument('[file]', 'loss file (any format of rdm2 analyze) with [T, n] losses, or a result .json; omit with --sweep');
  // The report keeps the top eigenvector by default (its chart needs it), and reads the file whole.
  addAnalysisOptions(cmd, { topK: { default: REPORT_TOP_K }, chunkBytes: { hidden: true } });
  addWarningOptions(cmd);
  cmd
    .option('--transition <step>', "step of the transition, for the lead time (overrides meta.json's)", numberArg)
    .requiredOption('--out <file>', 'the HTML file to write (atomically)')
    .option('--svg-dir <dir>', 'also write each chart as a standalone .svg file in this directory')
    .option('--sensitivity', 'add the sensitivity section: W/2, W, 2W x detrend none, linear x transform none, log (log when every loss is > 0)')
    .addOption(schemaOption('title', REPORT_OPTIONS.fields.title))
    .addOption(schemaOption('maxProbes', REPORT_OPTIONS.fields.maxProbes))
    .addOption(schemaOption('covarianceScale', REPORT_OPTIONS.fields.covarianceScale))
    .option('--sweep <summary.json>', 'report a sweep from its summary.json instead of one run')
    .option('--by <field>', "with --sweep: group runs by this record field (default: each run directory's parent)")
    .option('--root <dir>', 'with --sweep: the sweep root holding the runs (default: the root recorded in summary.json)')
    .option('--no-run-reports', "with --sweep: do not write each run's own report (the table then has no links)")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 report runs/seed1/losses.npy --window 32 --out report.html\n' +
        '  rdm2 report result.json --out report.html        # from rdm2 analyze --out result.json\n' +
        '  rdm2 report losses.csv --window 50 --groups groups.txt --transition 1200 --out report.html --svg-dir figures/\n' +
        '  rdm2 report --sweep results/summary.json --out results/sweep.html\n' +
        "\nThe analysis keeps the top eigenvector (--top-k 1 by default); with --sweep, the sweep's options\n" +
        'are used, with at least --top-k 1. Probes are sampled deterministically (stratified by group)\n' +
        'when n is large. Reference: docs/report.md.\n' +
        '\nExit status: 0 ok, 1 a file could not be read or analysed, 2 usage error.',
    )
    .action(async (file: string | undefined, values: ReportValues) => {
      const generatedAt = new Date().toISOString();
      const fromCli = (key: string) => cmd.getOptionValueSource(key) === 'cli';
      if (values.sweep === undefined) {
        if (file === undefined) usageError("missing argument 'file' (or give --sweep <summary.json>)");
        for (const key of ['by', 'root'] as const) if (values[key] !== undefined) usageError(`--${key} only applies with --sweep`);
        if (!values.runReports) usageError('--no-run-reports only applies with --sweep');
        const common: RunFileReportOptions = {
          ...(values.groups !== undefined ? { groupsFile: values.groups } : {}),
          ...(values.transition !== undefined ? { transition: values.transition, transitionSource: '--transition' } : {}),
          report: {
            generatedAt,
            ...(values.title !== undefined ? { title: values.title } : {}),
            ...(values.maxProbes !== undefined ? { maxProbes: values.maxProbes } : {}),
            ...(values.covarianceScale !== undefined ? { covarianceScale: values.covarianceScale } : {}),
          },
        };
        const inputs = [file, await findSidecar(file), values.groups];
        await refuseOutputOverInput(values.out, inputs, `--out ${values.out}`);
        let built: BuiltReport;
        if (isResultFile(file)) {
          if (values.sensitivity) usageError('--sensitivity needs the losses: report the loss file, not the result file');
          // A result file: the analysis is read from it, so analysis options make no sense here.
          const analysisFlags = cmd.options.filter((o) => ANALYSIS_ATTRIBUTES.includes(o.attributeName()) && fromCli(o.attributeName())).map((o) => o.long!);
          if (analysisFlags.length > 0) usageError(`${analysisFlags.join(', ')} cannot be used with a result file: its analysis is read from it`);
          built = await asUsageErrorAsync(() => reportResultFile(file, { ...common, warning: warningOptionsGiven(values, fromCli) }));
        } else {
          const analysis = pickAnalyzeOptions(analysisOptionsFrom(values) as Record<string, unknown>);
          if (analysis.window === undefined) usageError('--window is required to analyse a loss file');
          built = await asUsageErrorAsync(() => reportLossFile(file, { ...common, analysis, warning: warningOptionsFrom(values), ...(values.sensitivity ? { sensitivity: true } : {}) }));
        }
        await writeFileAtomic(values.out, built.html);
        const lines = [`rdm2 report: wrote ${values.out} (${built.charts.length} charts)`];
        if (values.svgDir !== undefined) lines.push(`  charts as SVG: ${(await writeChartSvgs(values.svgDir, built.charts, inputs)).join(', ')}`);
        io.stdout.write(lines.join('\n') + '\n');
        return;
      }

      // The sweep view: the sweep's own analysis and warning options are used for every run.
      if (file !== undefined) usageError(`give either a loss file or --sweep, not both (got '${file}' and --sweep)`);
      const given = cmd.options
        .filter((o) => o.attributeName() !== 'sweep' && fromCli(o.attributeName()))
        .map((o) => o.long ?? o.attributeName())
        .filter((name) => !['--out', '--svg-dir', '--by', '--root', '--no-run-reports', '--title', '--max-probes'].includes(name));
      if (given.length > 0) usageError(`${given.join(', ')} cannot be used with --sweep: the sweep's own options (in summary.json) are used`);
      const r = await asUsageErrorAsync(() =>
        writeSweepReport(values.sweep!, {
          out: values.out,
          runReports: values.runReports,
          generatedAt,
          ...(values.root !== undefined ? { root: values.root } : {}),
          ...(values.by !== undefined ? { by: values.by } : {}),
          ...(values.title !== undefined ? { title: values.title } : {}),
        }),
      );
      const lines = [`rdm2 report: wrote ${values.out} (${r.runs} runs, ${r.failed} failed; ${r.runReports} run reports under ${r.reportsDir})`];
      if (values.svgDir !== undefined && r.built.charts.length > 0) lines.push(`  charts as SVG: ${(await writeChartSvgs(values.svgDir, r.built.charts, [values.sweep])).join(', ')}`);
      if (r.notes.length > 0) io.stderr.write(['rdm2 report: some runs have no report:', ...r.notes.map((n) => `  ${n}`)].join('\n') + '\n');
      io.stdout.write(lines.join('\n') + '\n');
    });
}
