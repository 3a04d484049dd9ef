// `rdm2 sensitivity <file>`: the SHC's peak, first warning and lead time at every setting of a grid
// (window sizes x detrending x loss transform), printed as a table; optionally written as a table
// file and as an HTML page with the heatmap.
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { toLossMatrix } from '../io/loss_array.js';
import { readLossFile } from '../io/read_loss_file.js';
import { writeSensitivityTable } from '../io/sensitivity_file.js';
import { formatStep } from '../report/format.js';
import { buildSensitivityReport, sensitivityVerdict } from '../report/sensitivity_report.js';
import { SENSITIVITY_OPTIONS, sensitivity, type SensitivityOptions, type SensitivityTable } from '../stats/sensitivity.js';
import { addWarningOptions, numberArg, warningOptionsFrom, type WarningCliValues } from './analysis_options.js';
import type { CliIo } from './io.js';
import { formatNumber } from './run_summary_text.js';
import { addSchemaFlags, optionsFromFlags } from './schema_flags.js';
import { asUsageError, asUsageErrorAsync } from './usage_error.js';

/** The grid and shared analysis fields with a flag, in `--help` order. */
const FLAGS = ['windows', 'detrend', 'transform', 'stride', 'beta', 'threads', 'nonFinite'] as const;

interface SensitivityValues extends WarningCliValues {
  transition?: number;
  out?: string;
  html?: string;
  [flag: string]: unknown;
}

/** The table as the command prints it: one line per setting, columns aligned. */
export function sensitivityLines(file: string, t: SensitivityTable): string[] {
  const head = ['W', 'detrend', 'transform', 'SHC peak step', 'first warning', 'warnings', ...(t.transition ? ['lead (steps)'] : [])];
  const fmt = (v: number) => (Number.isFinite(v) ? formatStep(v) : '-');
  const rows = Array.from({ length: t.rows }, (_, r) => [
    String(t.window[r]),
    t.detrend[r]!,
    t.transform[r]!,
    fmt(t.peakStep[r]!),
    Number.isFinite(t.firstWarningStep[r]!) ? formatStep(t.firstWarningStep[r]!) : 'none',
    String(t.warningCount[r]),
    ...(t.transition ? [fmt(t.leadSteps[r]!)] : []),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => `  ${cells.map((x, c) => (c === 1 || c === 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ')}`;
  const w = t.warningOptions;
  return [
    `rdm2 sensitivity: ${file}`,
    `  transition ${t.transition ? `step ${formatNumber(t.transition.step)} (checkpoint ${t.transition.checkpoint})` : 'not given (leads need --transition or a meta.json transition)'}`,
    `  detector   baseline ${w.minBaseline} to ${w.baseline}, z > ${formatNumber(w.z)}, ${w.consecutive} in a row`,
    line(head),
    ...rows.map(line),
    `  verdict    ${sensitivityVerdict(t)}`,
  ];
}

/** Registers `sensitivity` on the program. */
export function registerSensitivity(program: Command, io: CliIo): void {
  const cmd = program
    .command('sensitivity')
    .summary('the SHC warning at every setting of a grid: window sizes x detrending x transform')
    .description(
      'Analyse one loss file at every setting of a grid (window sizes x detrending x loss transform) and\n' +
        'print, per setting, the step of the SHC peak, the first SHC warning and its lead time before the\n' +
        'transition (from --transition or the sidecar meta.json), with a one-line verdict: does the\n' +
        'conclusion hold across the grid? The file is read whole.',
    )
    .argument('<file>', 'loss file (.npy, .npz, .csv, .tsv, .jsonl) with [T, n] losses');
  addSchemaFlags(cmd, SENSITIVITY_OPTIONS, FLAGS);
  cmd.options.find((o) => o.long === '--windows')!.makeOptionMandatory(); // required by the library too
  addWarningOptions(cmd);
  cmd
    .option('--transition <step>', "step of the transition, for the lead times (overrides meta.json's)", numberArg)
    .option('--out <file>', 'also write the table: .csv (one row per setting) or .json (columns)')
    .option('--html <file>', 'also write an HTML page with the verdict, the heatmap and the table')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 sensitivity runs/seed1/losses.npy --windows 10,20,40 --detrend none,linear --transform none,log\n' +
        '  rdm2 sensitivity losses.csv --windows 16,32 --transition 1200 --out grid.csv --html grid.html\n' +
        '\nThe run report shows the same section with rdm2 report --sensitivity. Reference: docs/cli.md.\n' +
        '\nExit status: 0 ok, 1 the file could not be read or analysed, 2 usage error.',
    )
    .action(async (file: string, values: SensitivityValues) => {
      if (values.out !== undefined) {
        const ext = values.out.toLowerCase().slice(values.out.lastIndexOf('.'));
        if (ext !== '.csv' && ext !== '.json') usageError(`cannot write a sensitivity table to ${values.out}: unknown extension, expected .csv or .json`);
      }
      const lf = await readLossFile(file);
      if (lf.losses.shape.length === 3) usageError(`${file} holds [T, K, n] perturbation blocks: the sensitivity grid is over sliding windows of [T, n] losses`);
      const options = asUsageError(() => optionsFromFlags(values, SENSITIVITY_OPTIONS, FLAGS)) as Partial<SensitivityOptions>;
      const transition = values.transition ?? lf.meta.transition;
      const table = await asUsageErrorAsync(() =>
        sensitivity(toLossMatrix(lf.losses), {
          ...(options as SensitivityOptions),
          warning: warningOptionsFrom(values),
          ...(transition !== undefined ? { transition } : {}),
          ...(lf.meta.steps ? { steps: lf.meta.steps } : {}),
        }),
      );
      const lines = sensitivityLines(file, table);
      if (values.out !== undefined) {
        await writeSensitivityTable(values.out, table, file);
        lines.push(`  table      ${values.out}`);
      }
      if (values.html !== undefined) {
        const { html } = await buildSensitivityReport(table, { source: file, generatedAt: new Date().toISOString() });
        await writeFileAtomic(values.html, html);
        lines.push(`  page       ${values.html}`);
      }
      io.stdout.write(lines.join('\n') + '\n');
    });
}
