// `rdm2 demo`: the paper's reference scenarios, run end to end with no data of the user's own.
import type { Command } from 'commander';
import { join } from 'node:path';
import { DEMO_OPTIONS, runDemo } from '../demo/run_demo.js';
import { schemaOption } from './schema_flags.js';
import type { CliIo } from './io.js';

interface DemoValues {
  out: string;
  seeds: number;
  quiet?: boolean;
}

/** Registers `demo` on the program; a scenario that is not reproduced sets `status.exitCode` to 1. */
export function registerDemo(program: Command, io: CliIo, status: { exitCode: number }): void {
  program
    .command('demo')
    .summary("reproduce the paper's synthetic and deep-linear-network results (about a minute)")
    .description(
      "Run the paper's two reference scenarios and print a verdict table:\n" +
        '  1. synthetic (Figure 1): 60 probes in groups A, B, C, a transition carried by group B only;\n' +
        '     the SHC peak, the step where a(t) reaches 90%, the first warning, the top eigenvector\n' +
        "     at the peak's energy per group;\n" +
        '  2. deep linear network (Figures 2 and 3): a depth-3 student learns a teacher with singular\n' +
        "     values 4, 3, 2, 1, one mode at a time; the lag between each mode's SHC peak and its\n" +
        '     alignment, over --seeds training runs, with a 95% interval.\n' +
        'Writes into --out, atomically, for each scenario: losses.npy and losses.meta.json (the input,\n' +
        "for 'rdm2 analyze' / 'rdm2 report'), result.json, report.html and charts/*.svg; for the deep\n" +
        'linear network also lags.csv and lags.json (every seed); and verdict.txt (the table).',
    )
    .addOption(schemaOption('out', DEMO_OPTIONS.fields.out))
    .addOption(schemaOption('seeds', DEMO_OPTIONS.fields.seeds))
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 demo\n' +
        '  rdm2 demo --out /tmp/demo --seeds 10\n' +
        '\nExit status: 0 both scenarios reproduced, 1 a scenario was not reproduced or a file could not be\n' +
        'written, 2 usage error. Details: docs/demo.md.',
    )
    .action(async (values: DemoValues) => {
      const t0 = performance.now();
      const result = await runDemo({
        out: values.out,
        seeds: values.seeds,
        log: values.quiet ? undefined : (line) => io.stderr.write(`rdm2 demo: ${line}\n`),
      });
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      io.stdout.write(result.table);
      io.stdout.write(
        `\nWrote ${result.files.length} files to ${result.out} in ${seconds} s; open ${join(result.out, 'synthetic', 'report.html')} and ${join(result.out, 'deep_linear', 'report.html')}\n`,
      );
      if (!result.reproduced) status.exitCode = 1;
    });
}
