import { describe, expect, it } from 'vitest';
import { localization } from '../lib/stats/index.js';
import { expectRel, expectError } from './helpers.js';

describe('localization (inverse participation ratio)', () => {
  it('is 1/n for an even vector and 1 for a single probe', () => {
    expect(localization([0.5, 0.5, 0.5, 0.5])).toBe(0.25);
    expect(localization([0, -1, 0, 0])).toBe(1);
    expectRel(localization(new Float64Array(60).fill(1 / Math.sqrt(60))), 1 / 60, 1e-14);
  });
  it('is sum v^4 / (sum v^2)^2 for an unnormalised vector', () => {
    expectRel(localization([3, 4]), (81 + 256) / 625, 1e-15);
    expectRel(localization(new Float32Array([1, 1, 2])), (1 + 1 + 16) / 36, 1e-15);
  });
  it('rejects bad input', () => {
    expectError(() => localization([]), 'ERR_RDM2_SHAPE', /vector is empty/);
    expectError(() => localization([0, 0]), 'ERR_RDM2_OPTION', /zero vector/);
    expectError(() => localization([1, Infinity]), 'ERR_RDM2_OPTION', /vector\[1\] must be a finite number, got Infinity/);
  });
});
