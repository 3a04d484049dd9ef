// Results as CSV: one row per window (window, t, step, the observables of lib/observables.ts,
// degenerate, lambda_1..lambda_m), after `#` comment lines naming the input, its sha256 and the
// options used (pandas: read_csv(path, comment='#')).
import { OBSERVABLE_NAMES } from '../observables.js';
import { writeFileAtomic } from './atomic_write.js';
import { rdm2Version } from './producer.js';
import type { ResultSource } from './result_json.js';

/** The CSV text of a result. */
export function resultCsv(r: ResultSource): string {
  const a = r.analysis;
  const lines: string[] = [`# rdm2 ${rdm2Version()} analysis`];
  if (r.input) {
    lines.push(`# input: ${r.input.path}`);
    if (r.input.sha256) lines.push(`# sha256: ${r.input.sha256}`);
    lines.push(`# shape: ${JSON.stringify(r.input.shape)} ${r.input.dtype} ${r.input.format}`);
  }
  lines.push(`# options: ${JSON.stringify(a.options)}`);
  if (r.meta?.transition !== undefined) lines.push(`# transition: ${r.meta.transition}`);
  const m = a.eigenCount;
  const header = ['window', 't', ...(r.windowSteps ? ['step'] : []), ...OBSERVABLE_NAMES, 'degenerate'];
  for (let k = 1; k <= m; k++) header.push(`lambda_${k}`);
  lines.push(header.join(','));
  for (let j = 0; j < a.windows; j++) {
    const row: (number | string)[] = [j, a.t[j]!];
    if (r.windowSteps) row.push(r.windowSteps[j]!);
    for (const name of OBSERVABLE_NAMES) row.push(a[name][j]!);
    row.push(a.degenerate[j]!);
    for (let k = 0; k < m; k++) row.push(a.eigenvalues[j * m + k]!);
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Writes the CSV result atomically. */
export async function writeResultCsv(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, resultCsv(r));
}
