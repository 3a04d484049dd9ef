// `--on-warning <command>`: a shell command run for each warning, the warning as JSON on stdin.
import { spawn } from 'node:child_process';

/** How the command ended. */
export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started. */
  error?: string;
}

/**
 * Runs `command` with `/bin/sh -c`, writes `json` (one line) to its stdin and waits for it to
 * exit. Its stdout and stderr go to `output` (the watch's stderr: its own stdout stays clean).
 * A command that does not read its stdin is fine.
 *
 * @example
 * ```ts
 * await runWarningCommand('jq .step >> warnings.log', JSON.stringify(doc), process.stderr);
 * ```
 */
export function runWarningCommand(command: string, json: string, output: { write(s: string): unknown }): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let settled = false;
    const done = (o: CommandOutcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    child.on('error', (err) => done({ code: null, signal: null, error: err.message }));
    child.stdout.setEncoding('utf8').on('data', (s: string) => output.write(s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => output.write(s));
    child.stdin.on('error', () => {}); // EPIPE: the command did not read its stdin
    child.stdin.end(json + '\n');
    child.on('close', (code, signal) => done({ code, signal }));
  });
}
