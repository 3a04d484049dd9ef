// The native boundary: every enum crosses by name through one table per side, and an unknown or
// missing value is an error there, never a silent default.
import { describe, expect, it } from 'vitest';
import { NATIVE_ENUMS, checkNativeEnums, native, type NativeOptions } from '../lib/native.js';
import { expectError } from './helpers.js';

const data = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i));
const good: NativeOptions = { window: 4, stride: 1, topK: 0, detrend: 'none', transform: 'none', beta: 1, threads: 1, nonFinite: 'error' };

describe('native enums', () => {
  it("the addon's tables name exactly the library's values", () => {
    expect(native().enums).toEqual(NATIVE_ENUMS);
    expect(NATIVE_ENUMS.detrend).toEqual(['none', 'linear']);
    expect(NATIVE_ENUMS.nonFinite).toEqual(['unchecked', 'error', 'skip-window']);
    expectError(() => checkNativeEnums({ ...native().enums, detrend: ['none'] }), 'ERR_RDM2_NATIVE_LOAD', /detrend values \["none"\].*out of date/);
    expectError(() => checkNativeEnums(undefined), 'ERR_RDM2_NATIVE_LOAD', /Rebuild it with `npm run build:native`/);
  });

  it('every name of every table is accepted', () => {
    for (const detrend of NATIVE_ENUMS.detrend)
      for (const transform of NATIVE_ENUMS.transform)
        for (const nonFinite of NATIVE_ENUMS.nonFinite)
          for (const path of NATIVE_ENUMS.path) {
            const r = native().analyzeSync(data.map((x) => 2 + x), 10, 4, { ...good, detrend, transform, nonFinite, path });
            expect(r.windows).toBe(7);
          }
  });

  it('an unknown or missing value is rejected by analyze and by the monitor, never defaulted', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ detrend: 'quadratic' }, /option detrend: unknown value 'quadratic'/],
      [{ transform: 1 }, /option transform must be a string naming a value/],
      [{ nonFinite: 'ignore' }, /option nonFinite: unknown value 'ignore'/],
      [{ nonFinite: undefined }, /option nonFinite must be a string naming a value/],
      [{ path: 'svd' }, /option path: unknown value 'svd'/],
    ];
    for (const [change, message] of cases) {
      expect(() => native().analyzeSync(data, 10, 4, { ...good, ...change } as NativeOptions)).toThrow(message);
    }
    const Monitor = native().NativeMonitor;
    expect(() => new Monitor({ probes: 4, window: 3, topK: 0, detrend: 'linear', transform: 'none', beta: 1 })).not.toThrow();
    expect(() => new Monitor({ probes: 4, window: 3, topK: 0, detrend: 1 as never, transform: 'none', beta: 1 })).toThrow(/option detrend must be a string/);
    expect(() => new Monitor({ probes: 4, window: 3, topK: 0, detrend: 'none', transform: 'sqrt' as never, beta: 1 })).toThrow(/option transform: unknown value 'sqrt'/);
  });

  it('the block rule lives in the core only', () => {
    expect(native().blockWindows(40, 1)).toBe(160);
    expect(() => native().blockWindows(1, 1)).toThrow(/window >= 2 and stride >= 1/);
  });
});
