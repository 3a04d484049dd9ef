// A watch warning for people (one line) and for programs (the JSON `--on-warning` reads on stdin).
import { rdm2Version } from '../io/producer.js';
import type { WatchAnalysisOptions, WatchWarning } from './watch_state.js';

/** A number for people: integers as they are, others to 4 significant digits. */
function num(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/**
 * One line: where the warning fired, how strong it is, and what carries the top eigenvector.
 *
 * @example
 * ```ts
 * warningLine(w); // 'warning at step 1640 (window 145): SHC 1.014, z = 13.47 (3 windows above 6); top eigenvector on B 0.94, C 0.04, A 0.02'
 * ```
 */
export function warningLine(w: WatchWarning, options: WatchAnalysisOptions): string {
  const rule = `${options.warning.consecutive} window${options.warning.consecutive === 1 ? '' : 's'} above ${num(options.warning.z)}`;
  let carriers = '';
  if (w.groups) carriers = `; top eigenvector on ${w.groups.slice(0, 4).map((g) => `${g.group} ${num(g.energy)}`).join(', ')}`;
  else if (w.topProbes) carriers = `; top eigenvector led by probes ${w.topProbes.map((p) => `${p.probe} (${num(p.weight)})`).join(', ')}`;
  return `warning at step ${num(w.step)} (window ${w.window}): SHC ${num(w.shc)}, z = ${num(w.z)} (${rule})${carriers}`;
}

/** The warning as a JSON document: what `--on-warning` gets on stdin and `--json` prints. */
export function warningDocument(w: WatchWarning, file: string, options: WatchAnalysisOptions): Record<string, unknown> {
  return {
    rdm2: { kind: 'warning', version: rdm2Version() },
    file,
    ...w,
    z: Number.isFinite(w.z) ? w.z : String(w.z),
    rule: { ...options.warning },
    analysis: { window: options.window, detrend: options.detrend, transform: options.transform, beta: options.beta },
  };
}
