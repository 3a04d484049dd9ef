// Checks of the series and step arrays the statistics functions take (ERR_RDM2_OPTION for a wrong
// type, ERR_RDM2_SHAPE for a wrong length).
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';

/**
 * Checks that `series` is a non-empty array-like of numbers; returns its length.
 * @internal shared by the statistics functions.
 */
export function checkSeries(series: unknown, what: string): number {
  if (series === null || typeof series !== 'object' || typeof (series as ArrayLike<number>).length !== 'number') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be an array or typed array of numbers`);
  }
  const n = (series as ArrayLike<number>).length;
  if (n === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} is empty`);
  for (let i = 0; i < n; i++) {
    if (typeof (series as ArrayLike<unknown>)[i] !== 'number') {
      throw new Rdm2Error('ERR_RDM2_OPTION', `${what}[${i}] must be a number, got ${typeof (series as ArrayLike<unknown>)[i]}`);
    }
  }
  return n;
}

/**
 * Checks a steps array: same length as its series, finite numbers.
 * @internal
 */
export function checkSteps(steps: unknown, n: number, what: string, of: string): void {
  if (steps === null || typeof steps !== 'object' || typeof (steps as ArrayLike<number>).length !== 'number') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be an array or typed array of numbers`);
  }
  const s = steps as ArrayLike<unknown>;
  if (s.length !== n) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} has ${s.length} values but ${of} has ${n}`);
  for (let i = 0; i < n; i++) {
    const v = s[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `${what}[${i}] must be a finite number, got ${showValue(v)}`);
    }
  }
}
