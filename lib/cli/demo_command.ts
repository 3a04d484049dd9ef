// `rdm2 demo`: the paper's reference scenarios, run end to end with no data of the user's own.
import type { Command } from 'commander';
import { join } from 'node:path';
import { DEMO_OPTIONS, runDemo, type DemoPart } from '../demo/run_demo.js';
import { schemaOption } from './schema_flags.js';
import type { CliIo } from './io.js';

interface DemoValues {
  out: string;
  seeds: number;
  only?: DemoPart[];
  quiet?: boolean;
}

/** Registers `demo` on the program; a scenario that is not reproduced sets `status.exitCode` to 1. */
export function registerDemo(program: Command, io: CliIo, status: { exitCode: number }): void {
  program
    .command('demo')
    .summary("reproduce the paper's synthetic and deep-linear-network results and judge the real runs (about a minute)")
    .description(
      "Run the paper's two reference scenarios and the three shipped real settings, and print a\n" +
        'verdict table for each:\n' +
        '  1. synthetic (Figure 1): 60 probes in groups A, B, C, a transition carried by group B only;\n' +
        '     the SHC peak, the step where a(t) reaches 90%, the first warning, the top eigenvector\n' +
        "     at the peak's energy per group;\n" +
        '  2. deep linear network (Figures 2 and 3): a depth-3 student learns a teacher with singular\n' +
        "     values 4, 3, 2, 1, one mode at a time; the lag between each mode's SHC peak and its\n" +
        '     alignment, over --seeds training runs, with a 95% interval;\n' +
        '  3-5. grokking, induction heads, an emergent-misalignment analogue: the recordings in\n' +
        '     data/real (no torch needed), settings chosen on seeds 0-4 and reported on seeds 5-9: the\n' +
        '     SHC early warning and peak, block energy, PR, a surrogate p-value, and the same detector\n' +
        '     on the scalar baselines side by side (docs/real-networks.md).\n' +
        'Writes into --out, atomically, for each generated scenario: losses.npy and losses.meta.json\n' +
        "(the input, for 'rdm2 analyze' / 'rdm2 report'), result.json, report.html and charts/*.svg; for\n" +
        'the deep linear network also lags.csv and lags.json (every seed); for each real setting\n' +
        'real/<setting>/result.json, report.html and charts/*.svg (seed 5); and verdict.txt (the table).',
    )
    .addOption(schemaOption('out', DEMO_OPTIONS.fields.out))
    .addOption(schemaOption('seeds', DEMO_OPTIONS.fields.seeds))
    .addOption(schemaOption('only', DEMO_OPTIONS.fields.only))
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 demo\n' +
        '  rdm2 demo --out /tmp/demo --seeds 10\n' +
        '  rdm2 demo --only grokking,induction-heads\n' +
        '\nExit status: 0 both generated scenarios reproduced (or not run), 1 one was not reproduced or a\n' +
        'file could not be written, 2 usage error. The real settings do not change it: a negative result\n' +
        'there is a finding, not a failure. Details: docs/demo.md, docs/real-networks.md.',
    )
    .action(async (values: DemoValues) => {
      const t0 = performance.now();
      const result = await runDemo({
        out: values.out,
        seeds: values.seeds,
        ...(values.only ? { only: values.only } : {}),
        log: values.quiet ? undefined : (line) => io.stderr.write(`rdm2 demo: ${line}\n`),
      });
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      io.stdout.write(result.table);
      const reports = result.files.filter((f) => f.endsWith('/report.html')).map((f) => join(result.out, f));
      const open = reports.length === 0 ? '' : `; open ${reports.length === 1 ? reports[0] : `${reports.slice(0, -1).join(', ')} and ${reports.at(-1)}`}`;
      io.stdout.write(`\nWrote ${result.files.length} files to ${result.out} in ${seconds} s${open}\n`);
      if (!result.reproduced) status.exitCode = 1;
    });
}
