// `rdm2 report`: the HTML report of one run (from its loss file), or of a whole sweep (from its summary.json).
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { analyze } from '../analyze.js';
import { Rdm2Error } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { resolveInside } from '../io/contained_path.js';
import { fileError } from '../io/file_error.js';
import { toLossMatrix } from '../io/loss_array.js';
import { findSidecar, readGroupsFile } from '../io/meta.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { readLossFile } from '../io/read_loss_file.js';
import { readResultForReport } from '../report/result_input.js';
import { buildReport, type BuiltReport } from '../report/run_report.js';
import { buildSweepReport } from '../report/sweep_report.js';
import type { WarningOptions } from '../stats/index.js';
import { readSummaryFile } from '../sweep/summary_files.js';
import type { AnalyzeOptions } from '../types.js';
import {
  addAnalysisOptions,
  addWarningOptions,
  analysisOptionsFrom,
  integerArg,
  numberArg,
  warningOptionsFrom,
  type AnalysisCliValues,
  type WarningCliValues,
} from './analysis_options.js';
import type { CliIo } from './io.js';
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
}

/** Options of `analyze` a report run uses; anything else recorded with a sweep (chunk sizes) is dropped. */
const ANALYZE_KEYS = ['window', 'stride', 'topK', 'detrend', 'transform', 'beta', 'threads', 'nonFinite'] as const;
/** Commander attribute names of the analysis options (refused with a result file, which carries its analysis). */
const ANALYSIS_ATTRIBUTES: readonly string[] = [...ANALYZE_KEYS, 'chunkMb'];

function usage(message: string): never {
  throw new Rdm2Error('ERR_RDM2_USAGE', message);
}

/**
 * Reads a loss file (and its sidecar metadata), analyses it and builds its report. The analysis
 * keeps the top eigenvector (topK 1) unless asked otherwise, so the eigenvector chart can be drawn.
 */
async function reportOfLossFile(
  file: string,
  analysisOptions: Partial<AnalyzeOptions>,
  overrides: { groupsFile?: string; transition?: number },
  warning: WarningOptions,
  present: { title?: string; maxProbes?: number; generatedAt: string },
): Promise<BuiltReport> {
  const lf = await readLossFile(file);
  if (lf.losses.shape.length === 3) {
    fileError(file, '', `holds [T, K, n] perturbation blocks (the Gaussian 2RDM); the report draws sliding-window analyses of [T, n] losses`);
  }
  const meta = { ...lf.meta };
  const sources: Record<string, string> = { ...lf.metaSources };
  if (overrides.groupsFile !== undefined) {
    const groups = await readGroupsFile(overrides.groupsFile);
    const n = lf.losses.shape[1];
    if (groups.length !== n) fileError(overrides.groupsFile, '', `${groups.length} labels, expected ${n} (one per probe of ${file})`);
    meta.groups = groups;
    sources.groups = overrides.groupsFile;
  }
  if (overrides.transition !== undefined) {
    meta.transition = overrides.transition;
    sources.transition = '--transition';
  }
  const losses = toLossMatrix(lf.losses);
  const opts = { ...analysisOptions, topK: analysisOptions.topK ?? 1 } as AnalyzeOptions;
  if (opts.window === undefined) usage('--window is required to analyse a loss file');
  const analysis = await asUsageErrorAsync(() => analyze(losses, opts));
  const details: [string, string][] = [['Format', `${lf.format}, ${lf.losses.data instanceof Float32Array ? 'float32' : 'float64'}`]];
  for (const key of ['steps', 'groups', 'transition'] as const) {
    if (sources[key] !== undefined) details.push([`${key[0].toUpperCase()}${key.slice(1)} from`, sources[key]]);
  }
  return asUsageErrorAsync(() =>
    buildReport(
      analysis,
      {
        losses,
        ...(meta.steps ? { steps: meta.steps } : {}),
        ...(meta.groups ? { groups: meta.groups } : {}),
        ...(meta.transition !== undefined ? { transition: meta.transition } : {}),
        source: file,
        details,
      },
      {
        warning,
        generatedAt: present.generatedAt,
        ...(present.title !== undefined ? { title: present.title } : {}),
        ...(present.maxProbes !== undefined ? { maxProbes: present.maxProbes } : {}),
      },
    ),
  );
}

/**
 * Builds the report of a result file (`rdm2 analyze --out result.json`): the stored analysis, with
 * the losses when the loss file it names is still there (see readResultForReport).
 */
async function reportOfResultFile(
  file: string,
  overrides: { groupsFile?: string; transition?: number },
  warningGiven: WarningOptions,
  present: { title?: string; maxProbes?: number; generatedAt: string },
): Promise<BuiltReport> {
  const r = await readResultForReport(file);
  let groups = r.groups;
  if (overrides.groupsFile !== undefined) {
    groups = await readGroupsFile(overrides.groupsFile);
    if (groups.length !== r.analysis.probes) fileError(overrides.groupsFile, '', `${groups.length} labels, expected ${r.analysis.probes} (one per probe of ${file})`);
    r.details.push(['Groups from', overrides.groupsFile]);
  }
  const transition = overrides.transition ?? r.transition;
  if (overrides.transition !== undefined) r.details.push(['Transition from', '--transition']);
  return asUsageErrorAsync(() =>
    buildReport(
      r.analysis,
      {
        ...(r.losses ? { losses: r.losses } : {}),
        ...(r.steps ? { steps: r.steps } : {}),
        ...(groups ? { groups } : {}),
        ...(transition !== undefined ? { transition } : {}),
        source: file,
        details: r.details,
      },
      {
        // The detector options stored with the result, unless the command line gives others.
        warning: { ...(r.warning ?? {}), ...warningGiven },
        generatedAt: present.generatedAt,
        ...(present.title !== undefined ? { title: present.title } : {}),
        ...(present.maxProbes !== undefined ? { maxProbes: present.maxProbes } : {}),
      },
    ),
  );
}

async function writeSvgs(dir: string, charts: readonly { id: string; svg: string }[], inputs: readonly (string | undefined)[]): Promise<string[]> {
  const written: string[] = [];
  for (const c of charts) {
    const path = join(dir, `${c.id}.svg`);
    await refuseOutputOverInput(path, inputs, `--svg-dir ${dir} (${c.id}.svg)`);
    await writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${c.svg}\n`);
    written.push(path);
  }
  return written;
}

/** A URL path relative to the sweep page, every segment percent-encoded. */
function hrefOf(segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

function pickAnalyzeOptions(recorded: Record<string, unknown>): Partial<AnalyzeOptions> {
  const out: Record<string, unknown> = {};
  for (const key of ANALYZE_KEYS) if (recorded[key] !== undefined) out[key] = recorded[key];
  return out as Partial<AnalyzeOptions>;
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
    .argument('[file]', 'loss file (.npy, .npz, .csv, .tsv, .jsonl) with [T, n] losses, or a result .json; omit with --sweep');
  addAnalysisOptions(cmd);
  addWarningOptions(cmd);
  // The report keeps the top eigenvector by default (its chart needs it), and reads the file whole.
  for (const option of cmd.options) {
    if (option.long === '--top-k') option.default(1);
    if (option.long === '--chunk-mb') option.hideHelp();
  }
  cmd.setOptionValueWithSource('topK', 1, 'default');
  cmd
    .option('--transition <step>', "step of the transition, for the lead time (overrides meta.json's)", numberArg)
    .requiredOption('--out <file>', 'the HTML file to write (atomically)')
    .option('--svg-dir <dir>', 'also write each chart as a standalone .svg file in this directory')
    .option('--title <text>', 'page title')
    .option('--max-probes <N>', 'most probes drawn as lines in the loss chart (default 60)', integerArg(1, 10000))
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
      const present = {
        generatedAt,
        ...(values.title !== undefined ? { title: values.title } : {}),
        ...(values.maxProbes !== undefined ? { maxProbes: values.maxProbes } : {}),
      };
      if (values.sweep === undefined) {
        if (file === undefined) usage("missing argument 'file' (or give --sweep <summary.json>)");
        for (const key of ['by', 'root'] as const) if (values[key] !== undefined) usage(`--${key} only applies with --sweep`);
        if (!values.runReports) usage('--no-run-reports only applies with --sweep');
        const overrides = { ...(values.groups !== undefined ? { groupsFile: values.groups } : {}), ...(values.transition !== undefined ? { transition: values.transition } : {}) };
        const inputs = [file, await findSidecar(file), values.groups];
        await refuseOutputOverInput(values.out, inputs, `--out ${values.out}`);
        let built: BuiltReport;
        if (extname(file).toLowerCase() === '.json') {
          // A result file: the analysis is read from it, so analysis options make no sense here.
          const analysisFlags = cmd.options
            .filter((o) => ANALYSIS_ATTRIBUTES.includes(o.attributeName()) && fromCli(o.attributeName()))
            .map((o) => o.long!);
          if (analysisFlags.length > 0) usage(`${analysisFlags.join(', ')} cannot be used with a result file: its analysis is read from it`);
          const warningGiven = Object.fromEntries(
            Object.entries(warningOptionsFrom(values)).filter(([k]) => fromCli(`warn${k[0].toUpperCase()}${k.slice(1)}`)),
          ) as WarningOptions;
          built = await reportOfResultFile(file, overrides, warningGiven, present);
        } else {
          built = await reportOfLossFile(file, pickAnalyzeOptions(analysisOptionsFrom(values) as Record<string, unknown>), overrides, warningOptionsFrom(values), present);
        }
        await writeFileAtomic(values.out, built.html);
        const lines = [`rdm2 report: wrote ${values.out} (${built.charts.length} charts)`];
        if (values.svgDir !== undefined) lines.push(`  charts as SVG: ${(await writeSvgs(values.svgDir, built.charts, inputs)).join(', ')}`);
        io.stdout.write(lines.join('\n') + '\n');
        return;
      }

      // The sweep view: the sweep's own analysis and warning options are used for every run.
      if (file !== undefined) usage(`give either a loss file or --sweep, not both (got '${file}' and --sweep)`);
      const given = cmd.options
        .filter((o) => o.attributeName() !== 'sweep' && fromCli(o.attributeName()))
        .map((o) => o.long ?? o.attributeName())
        .filter((name) => !['--out', '--svg-dir', '--by', '--root', '--no-run-reports', '--title', '--max-probes'].includes(name));
      if (given.length > 0) usage(`${given.join(', ')} cannot be used with --sweep: the sweep's own options (in summary.json) are used`);
      await refuseOutputOverInput(values.out, [values.sweep], `--out ${values.out}`);
      const summary = await readSummaryFile(values.sweep);
      const root = values.root ?? summary.root;
      const pageDir = dirname(values.out);
      const recorded = summary.options;
      const hrefs = new Map<string, string>();
      const notes: string[] = [];
      if (values.runReports) {
        // The sweep's options, keeping at least the top eigenvector for the eigenvector chart
        // (topK adds vectors; every other observable is unchanged).
        const analysisOptions = pickAnalyzeOptions(recorded.analysis ?? {});
        analysisOptions.topK = Math.max(1, analysisOptions.topK ?? 0);
        const warning = (recorded.warning ?? {}) as WarningOptions;
        for (const [i, run] of summary.runs.entries()) {
          if (run.status !== 'ok') continue;
          // Paths from the summary stay inside their directories (readSummaryFile checked them too).
          const lossPath = resolveInside(root, run.path, values.sweep, `runs[${i}].path`);
          // Without the loss file, a JSON result of the run (next to summary.json) still gives its charts but the losses.
          const resultFile = resolveInside(dirname(values.sweep), `${run.path}.json`, values.sweep, `runs[${i}].path`);
          const reportFile = resolveInside(pageDir, `reports/${run.path}.html`, values.sweep, `runs[${i}].path`);
          const fromResult = !existsSync(lossPath) && recorded.format === 'json' && existsSync(resultFile);
          if (!existsSync(lossPath) && !fromResult) {
            notes.push(`  no report for ${run.path}: ${lossPath} not found (use --root to say where the runs are)`);
            continue;
          }
          try {
            const groupsFile = recorded.groups !== undefined ? { groupsFile: recorded.groups } : {};
            const runPresent = { generatedAt, title: `rdm2 report: ${run.path}` };
            const built = fromResult
              ? await reportOfResultFile(resultFile, groupsFile, warning, runPresent)
              : await reportOfLossFile(lossPath, analysisOptions, groupsFile, warning, runPresent);
            const segments = ['reports', ...run.path.split('/').slice(0, -1), `${basename(run.path)}.html`];
            await refuseOutputOverInput(reportFile, [values.sweep, lossPath, resultFile, await findSidecar(lossPath)], `the report of ${run.path}`);
            await writeFileAtomic(reportFile, built.html);
            hrefs.set(run.path, hrefOf(segments));
          } catch (err) {
            if (!(err instanceof Rdm2Error)) throw err;
            notes.push(`  no report for ${run.path}: ${err.message}`);
          }
        }
      }
      const built = await asUsageErrorAsync(() =>
        buildSweepReport(summary.runs, {
          ...(values.by !== undefined ? { by: values.by } : {}),
          reportHref: (r) => hrefs.get(r.path),
          source: values.sweep!,
          generatedAt,
          ...(values.title !== undefined ? { title: values.title } : {}),
        }),
      );
      await writeFileAtomic(values.out, built.html);
      const lines = [
        `rdm2 report: wrote ${values.out} (${summary.runs.length} runs, ${summary.counts.failed} failed; ${hrefs.size} run reports under ${join(pageDir, 'reports')})`,
      ];
      if (values.svgDir !== undefined && built.charts.length > 0) lines.push(`  charts as SVG: ${(await writeSvgs(values.svgDir, built.charts, [values.sweep])).join(', ')}`);
      if (notes.length > 0) io.stderr.write(['rdm2 report: some runs have no report:', ...notes].join('\n') + '\n');
      io.stdout.write(lines.join('\n') + '\n');
    });
}
