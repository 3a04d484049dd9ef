// The `rdm2` command line: commander program, error reporting and exit status.
import { Command, CommanderError } from 'commander';
import { Rdm2Error } from '../errors.js';
import { registerAnalyze } from './analyze_command.js';
import { registerDemo } from './demo_command.js';
import { processIo, type CliIo } from './io.js';
import { registerMerge } from './merge_command.js';
import { registerReport } from './report_command.js';
import { registerSensitivity } from './sensitivity_command.js';
import { registerSweep } from './sweep_command.js';
import { versionLine } from './version.js';
import { registerWatch } from './watch_command.js';

/** Exit status: success. */
export const EXIT_OK = 0;
/** Exit status: a file could not be read or analysed, or a run of a sweep failed. */
export const EXIT_FAILURE = 1;
/** Exit status: the command line is wrong (unknown option, bad value, missing argument). */
export const EXIT_USAGE = 2;

/** Help is wrapped at this width whatever the terminal, so docs/cli.md matches it exactly. */
export const HELP_WIDTH = 100;

/** Builds the program; `exitCode` collects the status actions set (a sweep with failed runs). */
export function buildProgram(io: CliIo, status: { exitCode: number }): Command {
  const program = new Command('rdm2');
  program
    .description(
      'Spectral early warnings of phase transitions in training, from the 2RDM: the covariance of\n' +
        'per-sample losses over sliding windows of checkpoints.',
    )
    .version(versionLine(), '-V, --version', 'print the version and the native kernels in use')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .configureHelp({ helpWidth: HELP_WIDTH, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // reported by runCli, with the command and the error code
    })
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit status: 0 ok; 1 a file could not be read or analysed, or a run of a sweep failed;\n' +
        '2 usage error (unknown option, bad option value, missing argument).\n' +
        "Run 'rdm2 <command> --help' for a command's options. Reference: docs/cli.md.",
    );
  registerAnalyze(program, io);
  registerSweep(program, io, status);
  registerMerge(program, io, status);
  registerReport(program, io);
  registerSensitivity(program, io);
  registerDemo(program, io, status);
  registerWatch(program, io, status);
  return program;
}

function commandName(argv: readonly string[], program: Command): string {
  const names = program.commands.map((c) => c.name());
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && names.includes(first) ? `rdm2 ${first}` : 'rdm2';
}

/**
 * Runs the command line `argv` (without the node and script paths) and resolves to the exit
 * status; never exits the process itself.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const status = { exitCode: EXIT_OK };
  const program = buildProgram(io, status);
  const name = commandName(argv, program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return status.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT_OK; // --help, --version
      if (err.code === 'commander.help' || err.code === 'commander.helpDisplayed') return EXIT_USAGE; // help shown for a missing command
      const message = err.message.replace(/^error: /, '');
      io.stderr.write(`${name}: error: ${message} [ERR_RDM2_USAGE]\n(run '${name} --help' for usage)\n`);
      return EXIT_USAGE;
    }
    if (err instanceof Rdm2Error) {
      const usage = err.code === 'ERR_RDM2_USAGE';
      io.stderr.write(`${name}: error: ${err.message} [${err.code}]\n${usage ? `(run '${name} --help' for usage)\n` : ''}`);
      return usage ? EXIT_USAGE : EXIT_FAILURE;
    }
    io.stderr.write(`${name}: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
