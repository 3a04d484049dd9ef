// The "Formats" paragraph of `rdm2 analyze --help`, from the format registry.
import { LOSS_READERS, RESULT_WRITERS } from '../io/format_registry.js';

function table(rows: [string, string][], width: number): string[] {
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

/** Loss file formats (read) and result formats (written), one line each. */
export function formatsHelp(): string {
  const read: [string, string][] = LOSS_READERS.map((r) => [r.extensions.join(' '), r.description]);
  const written: [string, string][] = RESULT_WRITERS.map((w) => [w.extensions.join(' '), w.description]);
  const width = Math.max(...[...read, ...written].map(([k]) => k.length));
  return [
    '\nLoss files (by extension; HDF5 takes a dataset path: runs.h5:/seed1/losses):',
    ...table(read, width),
    'Results (--out, by extension):',
    ...table(written, width),
  ].join('\n');
}
