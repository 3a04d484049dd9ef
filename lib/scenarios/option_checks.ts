// Option checks shared by the scenario generators (ERR_RDM2_OPTION on failure).
import { Rdm2Error } from '../errors.js';

export function fail(message: string): never {
  throw new Rdm2Error('ERR_RDM2_OPTION', message);
}

export function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

export function positive(name: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    fail(`${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(v)}`);
  }
  return v;
}
