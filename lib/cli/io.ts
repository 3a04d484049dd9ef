// Where the CLI reads its environment and writes its output: the process by default, buffers in tests.
// Paths on the command line are used as given (relative to the process's working directory).

/** A writable text stream as the CLI uses it. */
export interface CliStream {
  write(text: string): unknown;
  /** True on a terminal (progress bars); false or absent when piped. */
  isTTY?: boolean;
}

/** The CLI's surroundings. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
