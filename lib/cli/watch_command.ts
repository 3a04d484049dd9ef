// `rdm2 watch <path>` (a loss file or a run directory): follow a run while it trains (lib/watch does the work).
import { Option, type Command } from 'commander';
import { stat } from 'node:fs/promises';
import { findSidecar, readGroupsFile } from '../io/meta.js';
import { refuseOutputOverInput } from '../io/output_guard.js';
import { resultJsonChunks } from '../io/result_json.js';
import { resultFormatOf, writeResult } from '../io/write_result.js';
import { startLiveServer, type LiveServer } from '../watch/live_server.js';
import { runWarningCommand } from '../watch/on_warning.js';
import { watchStatusLine } from '../watch/status_line.js';
import { watch, type WatchOptions, type WatchProgress } from '../watch/watch.js';
import { WATCH_OPTIONS } from '../watch/watch_options.js';
import { warningDocument, warningLine } from '../watch/warning_report.js';
import type { WatchAnalysisOptions } from '../watch/watch_state.js';
import { addWarningOptions, integerArg, numberArg, warningOptionsGiven, type WarningCliValues } from './analysis_options.js';
import { addSchemaFlags, optionsFromFlags, schemaOption } from './schema_flags.js';
import type { CliIo } from './io.js';
import { summaryLines } from './run_summary_text.js';
import { asUsageError, asUsageErrorAsync } from './usage_error.js';

/** Exit status of a watch stopped by --idle-timeout (its state saved: run it again to resume). */
export const EXIT_IDLE = 3;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The flags made from WATCH_OPTIONS. */
const FLAGGED = ['window', 'topK', 'detrend', 'transform', 'beta', 'nonFinite', 'state', 'restart', 'pollMs', 'idleTimeoutMs', 'tensorboard'] as const;

interface WatchValues extends WarningCliValues {
  groups?: string;
  transition?: number;
  out?: string;
  json?: boolean;
  serve?: number | true;
  onWarning?: string;
  idleTimeout?: number;
  quiet?: boolean;
}

function portArg(value: string): number {
  return integerArg(0, 65535)(value);
}

/** The status line on stderr: redrawn in place on a terminal, a line every 10 s otherwise. */
function statusWriter(io: CliIo, quiet: boolean): { progress(p: WatchProgress): void; clear(): void; final(p: WatchProgress | undefined): void } {
  const tty = io.stderr.isTTY === true;
  let last = 0;
  let lastText = '';
  let drawn = false;
  return {
    progress(p) {
      if (quiet) return;
      const now = Date.now();
      const text = watchStatusLine(p);
      if (tty) {
        if (now - last < 250) return;
        io.stderr.write(`\r\x1b[K${text}`);
        drawn = true;
      } else {
        if (now - last < 10_000 || text === lastText) return;
        io.stderr.write(`rdm2 watch: ${text}\n`);
      }
      last = now;
      lastText = text;
    },
    clear() {
      if (drawn) io.stderr.write('\r\x1b[K');
      drawn = false;
    },
    final(p) {
      if (quiet || !p) return;
      this.clear();
      io.stderr.write(`rdm2 watch: ${watchStatusLine(p)}\n`);
    },
  };
}

/** Registers `watch` on the program; its exit status goes to `status.exitCode`. */
export function registerWatch(program: Command, io: CliIo, status: { exitCode: number }): void {
  const cmd = program
    .command('watch')
    .summary('follow a run while it trains: warnings as they happen, live page, TensorBoard scalars')
    .description(
      'Follow a loss file while the training run appends to it (a .rows row stream or JSON Lines, see\n' +
        'docs/row-stream.md; a run directory holding one such file, waited for if not there yet) and analyse\n' +
        'every window as it completes. Each SHC warning is printed as it happens (step, z, the groups that\n' +
        'carry the top eigenvector, from the sidecar meta.json). Only whole rows are read. The watch ends on\n' +
        "the producer's end marker (then prints the summary 'rdm2 analyze' would print and writes --out), or\n" +
        'on SIGINT / SIGTERM / --idle-timeout after saving its state: run the same command again to resume\n' +
        'where it stopped, with no row analysed twice or skipped.',
    )
    .argument('<path>', 'the loss file (.rows, .jsonl, .ndjson), or the run directory holding exactly one');
  addSchemaFlags(cmd, WATCH_OPTIONS, ['window', 'topK', 'detrend', 'transform', 'beta', 'nonFinite']);
  addWarningOptions(cmd);
  cmd
    .option('--groups <file>', 'probe group labels (.json array, .npy, or one label per line); overrides the sidecar meta.json')
    .option('--transition <step>', "step of the transition, for the lead time in the final summary (overrides meta.json's)", numberArg)
    .addOption(schemaOption('state', WATCH_OPTIONS.fields.state))
    .addOption(schemaOption('restart', WATCH_OPTIONS.fields.restart))
    .option('--out <file>', 'when the producer ends, write the full result: .json, .csv or .npz (as rdm2 analyze --out)')
    .option('--json', 'print each warning as one JSON line on stdout (the document --on-warning gets), and the final result as JSON')
    .addOption(new Option('--serve [port]', 'serve a live page of the run report on http://127.0.0.1:<port>/ (default: a free port)').argParser(portArg))
    .addOption(schemaOption('tensorboard', WATCH_OPTIONS.fields.tensorboard))
    .option('--on-warning <command>', 'run <command> (with /bin/sh -c) for each warning, the warning as JSON on its stdin')
    .addOption(schemaOption('pollMs', WATCH_OPTIONS.fields.pollMs))
    .addOption(schemaOption('idleTimeoutMs', WATCH_OPTIONS.fields.idleTimeoutMs))
    .option('--quiet', 'no status line on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rdm2 watch runs/seed1 --window 32 --serve\n' +
        "  rdm2 watch runs/seed1/live.rows --window 32 --tensorboard runs/seed1/tb --on-warning './notify.sh'\n" +
        '  rdm2 watch runs/seed1 --out result.json      # resume a stopped watch: same command\n' +
        '\nOutput: warnings on stdout as they happen, then the run summary; a status line on stderr (rows read,\n' +
        'windows analysed, last step, lag behind the producer). --on-warning commands run one at a time; the\n' +
        'watch waits for each (a warning is delivered at least once: a watch killed between running the\n' +
        'command and saving its state runs it again when resumed).\n' +
        '\nExit status: 0 the producer ended and the run was analysed; 1 a file could not be read or analysed;\n' +
        '2 usage error; 3 stopped by --idle-timeout; 130 / 143 stopped by SIGINT / SIGTERM (state saved).',
    )
    .action(async (target: string, values: WatchValues, command: Command) => {
      if (values.out !== undefined) asUsageError(() => resultFormatOf(values.out!));
      const groups = values.groups !== undefined ? await readGroupsFile(values.groups) : undefined;
      // Only the detector options given on this command line: a resumed watch keeps its state's.
      const warning = warningOptionsGiven(values, (attribute) => command.getOptionValueSource(attribute) === 'cli');
      const abort = new AbortController();
      let signalName: string | undefined;
      const onSignal = (name: NodeJS.Signals) => {
        signalName ??= name;
        abort.abort();
      };
      const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
        const h = () => onSignal(name);
        process.on(name, h);
        return [name, h] as const;
      });
      const statusLine = statusWriter(io, values.quiet ?? false);
      let lastProgress: WatchProgress | undefined;
      let server: LiveServer | undefined;
      let analysis: WatchAnalysisOptions | undefined;
      let followed = target;
      try {
        if (values.serve !== undefined) {
          server = await startLiveServer({ port: values.serve === true ? 0 : values.serve, onError: (err) => io.stderr.write(`rdm2 watch: live page: ${(err as Error).message}\n`) });
          io.stderr.write(`rdm2 watch: live page at ${server.url}\n`);
        }
        const opts: WatchOptions = {
          ...(optionsFromFlags(values as unknown as Record<string, unknown>, WATCH_OPTIONS, FLAGGED) as WatchOptions),
          ...(Object.keys(warning).length > 0 ? { warning } : {}),
          ...(groups ? { groups } : {}),
          ...(values.transition !== undefined ? { transition: values.transition } : {}),
          keepLosses: server !== undefined,
          signal: abort.signal,
          onProgress: (p) => {
            lastProgress = p;
            statusLine.progress(p);
          },
          onUpdate: (live) => {
            analysis = live.options;
            followed = live.file;
            server?.update(live);
          },
          onWarning: async (w) => {
            const doc = warningDocument(w, followed, analysis!);
            statusLine.clear();
            if (values.json) io.stdout.write(JSON.stringify(doc) + '\n');
            else io.stdout.write(`rdm2 watch: ${warningLine(w, analysis!)}\n`);
            if (values.onWarning !== undefined) {
              const r = await runWarningCommand(values.onWarning, JSON.stringify(doc), io.stderr);
              if (r.error || r.code !== 0) {
                io.stderr.write(`rdm2 watch: --on-warning command ${r.error ? `could not start: ${r.error}` : r.signal ? `was killed by ${r.signal}` : `exited with status ${r.code}`}\n`);
              }
            }
          },
        };
        // --out is checked before following (when the loss file is named) and again before writing.
        const guardOut = async (file: string) => {
          if (values.out !== undefined) await refuseOutputOverInput(values.out, [file, await findSidecar(file), values.groups], `--out ${values.out}`);
        };
        if (!(await stat(target).then((st) => st.isDirectory()).catch(() => false))) await guardOut(target);
        const r = await asUsageErrorAsync(() => watch(target, opts));
        await server?.settled();
        statusLine.final(lastProgress);
        if (r.status === 'ended') {
          const result = r.result!;
          if (values.out !== undefined) {
            await guardOut(r.file);
            await writeResult(values.out, result);
          }
          if (values.json) for (const piece of resultJsonChunks(result)) io.stdout.write(piece);
          else {
            const lines = summaryLines(result, result.summary, values.out);
            lines[0] = `rdm2 watch: ${r.file} ended after ${r.rows} rows${r.resumed ? ' (resumed from a saved state)' : ''}`;
            io.stdout.write(lines.join('\n') + '\n');
          }
          status.exitCode = 0;
        } else {
          const why = r.status === 'idle' ? `no growth for ${values.idleTimeout} s` : `${signalName ?? 'stop requested'}`;
          io.stderr.write(`rdm2 watch: stopped (${why}) after ${r.rows} rows and ${r.windows} windows; state saved in ${r.state}: run the same command to resume\n`);
          status.exitCode = r.status === 'idle' ? EXIT_IDLE : (SIGNAL_EXIT[signalName ?? ''] ?? 130);
        }
      } catch (err) {
        statusLine.clear();
        throw err;
      } finally {
        for (const [name, h] of handlers) process.off(name, h);
        await server?.close();
      }
    });
}
