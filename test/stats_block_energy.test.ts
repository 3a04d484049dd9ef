import { describe, expect, it } from 'vitest';
import { blockEnergy, resolveGroups } from '../lib/stats/index.js';
import { expectRel, expectError } from './helpers.js';

describe('blockEnergy', () => {
  it('E_g = sum of v_i^2 over the group, for a unit vector', () => {
    const e = blockEnergy([0.6, 0.8, 0], ['A', 'B', 'B']);
    expect(e.labels).toEqual(['A', 'B']);
    expectRel(e.energy[0], 0.36, 1e-15);
    expectRel(e.energy[1], 0.64, 1e-15);
  });
  it('divides by |v|^2 so energies sum to 1 for any nonzero vector', () => {
    const e = blockEnergy(new Float32Array([3, 4, 0]), ['A', 'B', 'B']);
    expectRel(e.energy[0], 9 / 25, 1e-15);
    expectRel(e.energy[1], 16 / 25, 1e-15);
  });
  it('sorts labels: numbers ascending, then strings; accepts integer typed arrays', () => {
    const e = blockEnergy([1, 2, 3, 4], [2, 1, 2, 10]);
    expect(e.labels).toEqual([1, 2, 10]);
    expect(Array.from(e.energy)).toEqual([4 / 30, 10 / 30, 16 / 30]);
    expect(blockEnergy([1, 1, 1], Int32Array.from([7, 3, 7])).labels).toEqual([3, 7]);
    expect(resolveGroups(['b', 2, 'a', 1], 4)).toEqual({ labels: [1, 2, 'a', 'b'], index: Int32Array.from([3, 1, 2, 0]) });
  });
  it('rejects bad input', () => {
    expectError(() => blockEnergy([1, 0], ['A']), 'ERR_RDM2_SHAPE', /groups has 1 labels but there are 2 probes/);
    expectError(() => blockEnergy([], []), 'ERR_RDM2_SHAPE', /vector is empty/);
    expectError(() => blockEnergy([0, 0], ['A', 'B']), 'ERR_RDM2_OPTION', /vector is the zero vector/);
    expectError(() => blockEnergy([1, NaN], ['A', 'B']), 'ERR_RDM2_OPTION', /vector\[1\] must be a finite number/);
    expectError(() => blockEnergy([1, 1], ['A', null as unknown as string]), 'ERR_RDM2_OPTION', /groups\[1\] must be a string or a finite number, got null/);
    expectError(() => blockEnergy([1, 1], [1, NaN]), 'ERR_RDM2_OPTION', /groups\[1\] must be a string or a finite number/);
    expectError(() => blockEnergy([1, 1], 'AB' as unknown as string[]), 'ERR_RDM2_OPTION', /groups must be an array with one label/);
    expectError(() => blockEnergy(3 as unknown as number[], ['A']), 'ERR_RDM2_OPTION', /vector must be an array/);
  });
});
