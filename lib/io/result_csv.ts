// Results as CSV: one row per window (window, t, step, the observables of lib/observables.ts,
// degenerate, lambda_1..lambda_m), after `#` comment lines naming the input, its sha256 and the
// options used (pandas: read_csv(path, comment='#')).
import { OBSERVABLE_NAMES } from '../observables.js';
import { writeFileAtomic } from './atomic_write.js';
import { rdm2Version } from './producer.js';
import type { ResultSource } from './result_json.js';

/** The CSV text of a result, a line at a time (each ending in a newline), for results larger than one string can hold. */
export function* resultCsvLines(r: ResultSource): Generator<string, void, undefined> {
  const a = r.analysis;
  const lines: string[] = [`# rdm2 ${rdm2Version()} analysis`];
  if (r.input) {
    // Quoted as JSON: a path may hold a newline, which would otherwise start a row of the table.
    lines.push(`# input: ${JSON.stringify(r.input.path)}`);
    if (r.input.sha256) lines.push(`# sha256: ${r.input.sha256}`);
    lines.push(`# shape: ${JSON.stringify(r.input.shape)} ${r.input.dtype} ${r.input.format}`);
  }
  lines.push(`# options: ${JSON.stringify(a.options)}`);
  if (r.meta?.transition !== undefined) lines.push(`# transition: ${r.meta.transition}`);
  if (r.meta?.transitions !== undefined && r.meta.transitions.length > 1) lines.push(`# transitions: ${JSON.stringify(r.meta.transitions)}`);
  const m = a.eigenCount;
  const header = ['window', 't', ...(r.windowSteps ? ['step'] : []), ...OBSERVABLE_NAMES, 'degenerate'];
  for (let k = 1; k <= m; k++) header.push(`lambda_${k}`);
  lines.push(header.join(','));
  for (const line of lines) yield `${line}\n`;
  for (let j = 0; j < a.windows; j++) {
    const row: (number | string)[] = [j, a.t[j]!];
    if (r.windowSteps) row.push(r.windowSteps[j]!);
    for (const name of OBSERVABLE_NAMES) row.push(a[name][j]!);
    row.push(a.degenerate[j]!);
    for (let k = 0; k < m; k++) row.push(a.eigenvalues[j * m + k]!);
    yield `${row.join(',')}\n`;
  }
}

/** The CSV text of a result. For large results use {@link resultCsvLines}. */
export function resultCsv(r: ResultSource): string {
  return [...resultCsvLines(r)].join('');
}

/** Writes the CSV result atomically, streamed. */
export async function writeResultCsv(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, batched(resultCsvLines(r)));
}

/** Lines joined into pieces of about 1 MiB, so a file is written in few calls. */
function* batched(lines: Iterable<string>): Generator<string, void, undefined> {
  let piece: string[] = [];
  let length = 0;
  for (const line of lines) {
    piece.push(line);
    length += line.length;
    if (length >= 1 << 20) {
      yield piece.join('');
      piece = [];
      length = 0;
    }
  }
  if (piece.length > 0) yield piece.join('');
}
