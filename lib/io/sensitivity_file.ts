// A sensitivity table as a file: CSV (one row per setting) or JSON (columns), chosen by extension.
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import type { SensitivityTable } from '../stats/sensitivity.js';
import { writeFileAtomic } from './atomic_write.js';
import { rdm2Version } from './producer.js';

/** The columns of a sensitivity table, in file order. */
const COLUMNS = ['window', 'detrend', 'transform', 'peakWindow', 'peakCheckpoint', 'peakStep', 'peakHeight', 'peakLeadSteps', 'warningCount', 'firstWarningStep', 'leadSteps', 'leadCheckpoints', 'tau', 'tauPValue'] as const;

const cell = (v: number | string): string => (typeof v === 'string' ? v : Number.isFinite(v) ? String(v) : '');

/**
 * The table as CSV: a comment line with the input, transition and detector, a header, then one
 * row per setting (empty cells for "not available").
 *
 * @example
 * ```ts
 * sensitivityCsv(tab, 'run/losses.npy'); // '# rdm2 0.1.0 sensitivity of run/losses.npy; ...\nwindow,detrend,transform,...'
 * ```
 */
export function sensitivityCsv(t: SensitivityTable, input?: string): string {
  const w = t.warningOptions;
  const lines = [
    `# rdm2 ${rdm2Version()} sensitivity${input ? ` of ${input}` : ''}; transition ${t.transition ? `step ${t.transition.step} (checkpoint ${t.transition.checkpoint})` : 'not given'}; detector baseline ${w.minBaseline}..${w.baseline}, z ${w.z}, consecutive ${w.consecutive}`,
    COLUMNS.join(','),
  ];
  for (let r = 0; r < t.rows; r++) lines.push(COLUMNS.map((c) => cell(t[c][r]!)).join(','));
  return lines.join('\n') + '\n';
}

/** The table as a JSON document: the columns as arrays (null for "not available"), the transition, the detector and the input. */
export function sensitivityJson(t: SensitivityTable, input?: string): string {
  const doc: Record<string, unknown> = { rdm2: { version: rdm2Version(), kind: 'sensitivity' }, ...(input ? { input } : {}), rows: t.rows, transition: t.transition, warningOptions: t.warningOptions };
  for (const c of COLUMNS) doc[c] = Array.from(t[c] as ArrayLike<number | string>, (v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  return JSON.stringify(doc, null, 1) + '\n';
}

/** Writes a sensitivity table atomically as .csv or .json (by extension). */
export async function writeSensitivityTable(path: string, t: SensitivityTable, input?: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') await writeFileAtomic(path, sensitivityCsv(t, input));
  else if (ext === '.json') await writeFileAtomic(path, sensitivityJson(t, input));
  else throw new Rdm2Error('ERR_RDM2_OPTION', `cannot write a sensitivity table to ${path}: unknown extension '${ext || '(none)'}', expected .csv or .json`);
}
