import { describe, expect, it } from 'vitest';
import { DEFAULT_WARNING_OPTIONS, OnlineWarningDetector, detectWarnings, robustZ, type Warning } from '../lib/stats/index.js';
import { SeededRandom } from '../lib/stats/random.js';
import { expectRel, expectError } from './helpers.js';

/** Independent reference: the rule written out naively (array copies and sorts per value). */
function naiveWarnings(series: number[], B: number, thr: number, m: number, B0 = B) {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const z: number[] = [];
  const fired: number[] = [];
  const finite: number[] = [];
  let run = 0;
  for (const x of series) {
    if (!Number.isFinite(x)) {
      z.push(NaN);
      run = 0;
      continue;
    }
    let zx = NaN;
    if (finite.length >= B0) {
      const base = finite.slice(Math.max(0, finite.length - B));
      const md = med(base);
      let scale = 1.4826 * med(base.map((v) => Math.abs(v - md)));
      if (scale === 0) scale = (1.253314 * base.reduce((s, v) => s + Math.abs(v - md), 0)) / base.length;
      zx = scale === 0 ? (x === md ? 0 : x > md ? Infinity : -Infinity) : (x - md) / scale;
    }
    z.push(zx);
    finite.push(x);
    run = zx > thr ? run + 1 : 0;
    if (run === m) fired.push(z.length - 1);
  }
  return { z, fired };
}

describe('robustZ', () => {
  it('is (x - median) / (1.4826 MAD) on hand-computed cases (odd and even baselines)', () => {
    // median 3, |x - 3| = [2, 1, 0, 1, 2] -> MAD 1
    expectRel(robustZ(10, [5, 1, 4, 2, 3]), 7 / 1.4826, 1e-15);
    // median 2.5, deviations [1.5, 0.5, 0.5, 7.5] -> MAD (0.5 + 1.5) / 2 = 1
    expectRel(robustZ(4.5, [1, 2, 3, 10]), 2 / 1.4826, 1e-15);
    expectRel(robustZ(0.5, [1, 2, 3, 10]), -2 / 1.4826, 1e-15);
  });
  it('falls back to 1.253314 x the mean absolute deviation when the MAD is 0', () => {
    // median 5, deviations [0, 0, 0, 0, 4]: MAD 0, mean AD 0.8
    expectRel(robustZ(7, [5, 5, 9, 5, 5]), 2 / (1.253314 * 0.8), 1e-15);
  });
  it('gives 0 or +-Infinity against a constant baseline', () => {
    expect(robustZ(2, [2, 2, 2])).toBe(0);
    expect(robustZ(3, [2, 2, 2])).toBe(Infinity);
    expect(robustZ(1, [2, 2, 2])).toBe(-Infinity);
  });
  it('rejects an empty baseline', () => {
    expectError(() => robustZ(1, []), 'ERR_RDM2_SHAPE', /non-empty baseline/);
  });
});

describe('detectWarnings', () => {
  const series = [1, 2, 3, 2, 10, 11, 2];
  it('follows the rule on a hand-traced series (warm-up, MAD fallback, m consecutive, run end)', () => {
    const res = detectWarnings(series, { baseline: 3, z: 2, consecutive: 2 }, [0, 10, 20, 30, 40, 50, 60]);
    // k=3: baseline [1,2,3] -> z 0. k=4: baseline [2,3,2], MAD 0, mean AD 1/3 -> z = 8 / (1.253314 / 3).
    // k=5: baseline [3,2,10], median 3, MAD 1 -> z = 8 / 1.4826: second exceedance, the warning fires.
    // k=6: baseline [2,10,11], median 10, MAD 1 -> z = -8 / 1.4826: the run ends.
    const expected = [NaN, NaN, NaN, 0, 24 / 1.253314, 8 / 1.4826, -8 / 1.4826];
    expected.forEach((z, k) => expectRel(res.z[k], z, 1e-14, 0, `z[${k}]`));
    expect(res.warnings).toHaveLength(1);
    const w = res.warnings[0];
    expect(w.index).toBe(5);
    expect(w.step).toBe(50);
    expectRel(w.z, 8 / 1.4826, 1e-14);
    expect(w.value).toBe(11);
    expect([w.startIndex, w.startStep, w.endIndex, w.endStep]).toEqual([4, 40, 5, 50]);
    expect([w.peakIndex, w.peakStep, w.peakValue]).toEqual([4, 40, 10]);
    expectRel(w.peakZ, 24 / 1.253314, 1e-14);
    expect(res.options).toEqual({ baseline: 3, minBaseline: 3, z: 2, consecutive: 2, direction: 'up' });
  });
  it('scores from minBaseline values on, against a baseline that grows to baseline (hand-traced)', () => {
    const res = detectWarnings([1, 2, 3, 2, 10, 11, 2], { baseline: 4, minBaseline: 3, z: 2, consecutive: 2 });
    // k=3: baseline [1,2,3] (3 values) -> z 0. k=4: [1,2,3,2], median 2, MAD 0.5 -> z = 8 / 0.7413.
    // k=5: [2,3,2,10] (full: the oldest left), median 2.5, MAD 0.5 -> z = 8.5 / 0.7413: fires.
    // k=6: [3,2,10,11], median 6.5, MAD 4 -> z = -4.5 / 5.9304.
    const expected = [NaN, NaN, NaN, 0, 8 / (1.4826 * 0.5), 8.5 / (1.4826 * 0.5), -4.5 / (1.4826 * 4)];
    expected.forEach((z, k) => expectRel(res.z[k], z, 1e-14, 0, `z[${k}]`));
    expect(res.warnings.map((w) => w.index)).toEqual([5]);
    expect(res.options).toEqual({ baseline: 4, minBaseline: 3, z: 2, consecutive: 2, direction: 'up' });
    // minBaseline = baseline is the trailing baseline alone: nothing is scored before 4 values.
    expect(Array.from(detectWarnings([1, 2, 3, 2, 10], { baseline: 4, minBaseline: 4 }).z).slice(0, 4).every(Number.isNaN)).toBe(true);
  });
  it('fires once per run, and needs m consecutive exceedances', () => {
    expect(detectWarnings(series, { baseline: 3, z: 2, consecutive: 3 }).warnings).toHaveLength(0);
    const one = detectWarnings(series, { baseline: 3, z: 2, consecutive: 1 });
    expect(one.warnings.map((w) => [w.index, w.endIndex])).toEqual([[4, 5]]);
  });
  it("'down' mirrors 'up' on the negated series; 'both' sees either side", () => {
    const neg = series.map((x) => -x);
    const down = detectWarnings(neg, { baseline: 3, z: 2, consecutive: 2, direction: 'down' });
    expect(down.warnings).toHaveLength(1);
    expect(down.warnings[0].index).toBe(5);
    expectRel(down.warnings[0].peakZ, -24 / 1.253314, 1e-14);
    expect(detectWarnings(neg, { baseline: 3, z: 2, consecutive: 2 }).warnings).toHaveLength(0);
    expect(detectWarnings(neg, { baseline: 3, z: 2, consecutive: 2, direction: 'both' }).warnings[0].index).toBe(5);
  });
  it('skips NaN (degenerate windows): no z, not in the baseline, and it breaks a run', () => {
    const broken = detectWarnings([1, 2, 3, 2, 10, NaN, 11, 12], { baseline: 3, z: 2, consecutive: 2 });
    expect(Number.isNaN(broken.z[5])).toBe(true);
    // After the NaN the baseline is still [3, 2, 10]: z(11) = 8 / 1.4826 starts a new run of 1.
    expectRel(broken.z[6], 8 / 1.4826, 1e-14);
    expect(broken.warnings).toHaveLength(0);
    const warm = detectWarnings([1, NaN, 2, 3, 2], { baseline: 3, z: 2, consecutive: 1 });
    expect(Number.isNaN(warm.z[1])).toBe(true);
    expect(warm.z[4]).toBe(0); // baseline [1, 2, 3]: the NaN did not count
  });
  it('agrees value for value with a naive reference on a long random series', () => {
    const rng = new SeededRandom(11);
    const xs = Array.from({ length: 400 }, (_, k) => {
      if (k % 97 === 50) return NaN;
      const spike = k % 61 > 55 ? 6 : 0;
      return rng.normal() + spike + (k % 50 === 0 ? 1 : 0);
    });
    for (const B0 of [3, 10, 20]) {
      const ref = naiveWarnings(xs, 20, 3, 2, B0);
      const res = detectWarnings(xs, { baseline: 20, minBaseline: B0, z: 3, consecutive: 2 });
      ref.z.forEach((z, k) => expectRel(res.z[k], z, 1e-12, 0, `z[${k}] (minBaseline ${B0})`));
      expect(res.warnings.map((w) => w.index)).toEqual(ref.fired);
      expect(ref.fired.length).toBeGreaterThan(3);
    }
    // The default minBaseline is min(10, baseline).
    expect(detectWarnings(xs, { baseline: 20, z: 3, consecutive: 2 }).z).toEqual(detectWarnings(xs, { baseline: 20, minBaseline: 10, z: 3, consecutive: 2 }).z);
  });
  it('scores exactly as sorting the baseline and its deviations at every value (ties, zeros of both signs, MAD = 0)', () => {
    // The detector keeps its baseline sorted and finds the MAD by a merge; the rule's literal
    // form sorts the baseline and then the deviations for every value.
    const literal = (x: number, base: number[]): number => {
      const s = Float64Array.from(base).sort();
      const n = s.length;
      const median = (v: Float64Array) => (n % 2 === 1 ? v[n >> 1]! : 0.5 * (v[(n >> 1) - 1]! + v[n >> 1]!));
      const med = median(s);
      const dev = s.map((v) => Math.abs(v - med));
      let sum = 0;
      for (const d of dev) sum += d;
      let scale = 1.4826 * median(dev.sort());
      if (scale === 0) scale = (1.253314 * sum) / n;
      const diff = x - med;
      return scale === 0 ? (diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity) : diff / scale;
    };
    const rng = new SeededRandom(5);
    const pools = [
      () => Math.round(rng.normal() * 2) / 2, // many ties
      () => (rng.uniform() < 0.6 ? (rng.uniform() < 0.5 ? 0 : -0) : rng.normal()), // MAD 0, signed zeros
      () => (rng.uniform() < 0.3 ? 1.5 : rng.normal() * 1e-3 + 1.5),
      () => rng.normal() * 1e6,
    ];
    for (const draw of pools) {
      for (const [B, B0] of [[40, 10], [7, 3], [8, 8]] as const) {
        const xs = Array.from({ length: 300 }, (_, k) => (k % 53 === 20 ? NaN : draw()));
        const det = new OnlineWarningDetector({ baseline: B, minBaseline: B0, z: 3, consecutive: 2, direction: 'both' });
        const finite: number[] = [];
        xs.forEach((x, k) => {
          det.push(x);
          if (!Number.isFinite(x)) return expect(det.lastZ).toBeNaN();
          const want = finite.length >= B0 ? literal(x, finite.slice(-B)) : NaN;
          if (!Object.is(det.lastZ, want)) expect.fail(`value ${k}: z ${det.lastZ} but sorting gives ${want}`);
          expect(Object.is(robustZ(x, finite.length ? finite.slice(-B) : [x]), finite.length ? literal(x, finite.slice(-B)) : literal(x, [x]))).toBe(true);
          finite.push(x);
        });
        // A restored detector keeps scoring exactly.
        const resumed = OnlineWarningDetector.fromState(JSON.parse(JSON.stringify(det.state())));
        for (const x of [draw(), draw(), draw()]) {
          det.push(x);
          resumed.push(x);
          expect(Object.is(resumed.lastZ, det.lastZ)).toBe(true);
        }
      }
    }
  });

  it('uses the documented defaults', () => {
    expect(DEFAULT_WARNING_OPTIONS).toEqual({ baseline: 40, minBaseline: 10, z: 6, consecutive: 3, direction: 'up' });
    expect(detectWarnings([1, 2, 3]).options).toEqual(DEFAULT_WARNING_OPTIONS);
  });
  it('rejects bad input with a code and a clear message', () => {
    expectError(() => detectWarnings([]), 'ERR_RDM2_SHAPE', /series is empty/);
    expectError(() => detectWarnings([1, 2, 3], {}, [0, 1]), 'ERR_RDM2_SHAPE', /steps has 2 values but series has 3/);
    expectError(() => detectWarnings([1, 2, 3], {}, [0, 1, NaN]), 'ERR_RDM2_OPTION', /steps\[2\] must be a finite number/);
    expectError(() => detectWarnings([1, '2' as unknown as number]), 'ERR_RDM2_OPTION', /series\[1\] must be a number, got string/);
    expectError(() => detectWarnings(5 as unknown as number[]), 'ERR_RDM2_OPTION', /series must be an array/);
    expectError(() => detectWarnings([1], { baseline: 2 }), 'ERR_RDM2_OPTION', /baseline must be an integer >= 3.*got 2/);
    expectError(() => detectWarnings([1], { baseline: 3.5 }), 'ERR_RDM2_OPTION', /baseline must be an integer >= 3/);
    expectError(() => detectWarnings([1], { z: 0 }), 'ERR_RDM2_OPTION', /z must be a finite number > 0, got 0/);
    expectError(() => detectWarnings([1], { z: NaN }), 'ERR_RDM2_OPTION', /z must be a finite number > 0/);
    expectError(() => detectWarnings([1], { consecutive: 0 }), 'ERR_RDM2_OPTION', /consecutive must be an integer >= 1, got 0/);
    expectError(() => detectWarnings([1], { direction: 'sideways' as 'up' }), 'ERR_RDM2_OPTION', /direction must be one of 'up', 'down', 'both'/);
    expectError(() => detectWarnings([1], { threshold: 3 } as object), 'ERR_RDM2_OPTION', /unknown warning option 'threshold' \(known: baseline, minBaseline, z, consecutive, direction\)/);
    expectError(() => detectWarnings([1], { minBaseline: 2 }), 'ERR_RDM2_OPTION', /minBaseline must be an integer >= 3.*got 2/);
    expectError(() => detectWarnings([1], { baseline: 20, minBaseline: 21 }), 'ERR_RDM2_OPTION', /minBaseline \(21\) must be at most baseline \(20\)/);
  });
});

describe('OnlineWarningDetector', () => {
  const rng = new SeededRandom(5);
  const xs = Array.from({ length: 240 }, (_, k) => (k >= 150 && k < 160 ? 8 : 0) + (k >= 200 && k < 204 ? -9 : 0) + rng.normal());

  it('is what detectWarnings runs: pushes reproduce the batch z and warnings', () => {
    const opts = { baseline: 30, z: 4, consecutive: 2 };
    const batch = detectWarnings(xs, opts);
    const det = new OnlineWarningDetector(opts);
    const fired: Warning[] = [];
    xs.forEach((x, k) => {
      const w = det.push(x, 100 + k);
      expect(det.lastZ).toBe(batch.z[k]);
      if (w) fired.push(w);
    });
    expect(det.pushed).toBe(xs.length);
    expect(fired.map((w) => [w.index, w.step, w.z])).toEqual(batch.warnings.map((w) => [w.index, 100 + w.index, w.z]));
    expect(batch.warnings.length).toBe(1);
    // Online the warning is reported when it fires; the batch result carries the run's full extent.
    expect(fired[0].endIndex).toBe(fired[0].index);
    expect(batch.warnings[0].endIndex).toBe(159);
  });
  it('reports the run in progress through `active`, then null once it ends', () => {
    const det = new OnlineWarningDetector({ baseline: 3, z: 2, consecutive: 2 });
    [1, 2, 3, 2, 10].forEach((x) => expect(det.push(x)).toBeNull());
    expect(det.active).toBeNull();
    const w = det.push(11);
    expect(w?.index).toBe(5);
    expect(det.active?.endIndex).toBe(5);
    det.push(2);
    expect(det.active).toBeNull();
  });
  it('restores from a JSON round trip of state() and continues exactly, infinities included', () => {
    const opts = { baseline: 25, z: 4, consecutive: 3 };
    const whole = new OnlineWarningDetector(opts);
    const wholeOut = xs.map((x, k) => [whole.push(x, k * 2), whole.lastZ] as const);
    for (const cut of [0, 10, 152, 157, 239]) {
      const first = new OnlineWarningDetector(opts);
      const out = xs.slice(0, cut).map((x, k) => [first.push(x, k * 2), first.lastZ] as const);
      const saved = JSON.stringify(first.state());
      const resumed = OnlineWarningDetector.fromState(JSON.parse(saved));
      expect(resumed.state()).toEqual(first.state());
      xs.slice(cut).forEach((x, k) => out.push([resumed.push(x, (cut + k) * 2), resumed.lastZ] as const));
      expect(out).toEqual(wholeOut);
    }
    // A constant baseline makes z infinite: the state stays JSON-safe and exact.
    const det = new OnlineWarningDetector({ baseline: 3, z: 2, consecutive: 2 });
    [1, 1, 1, 5].forEach((x) => det.push(x));
    expect(det.lastZ).toBe(Infinity);
    const state = JSON.parse(JSON.stringify(det.state()));
    expect(state.run.peakZ).toBe('Infinity');
    const back = OnlineWarningDetector.fromState(state);
    const w = back.push(6);
    // Baseline [1, 1, 5]: MAD 0, mean AD 4/3 -> z = 5 / (1.253314 * 4 / 3).
    expectRel(w!.z, 5 / ((1.253314 * 4) / 3), 1e-14);
    expect(w!.peakZ).toBe(Infinity);
    expect([w!.startIndex, w!.peakIndex, w!.index]).toEqual([3, 3, 4]);
  });
  it('restores a state written before minBaseline existed as a trailing-only detector', () => {
    const opts = { baseline: 25, z: 4, consecutive: 3 };
    const old = new OnlineWarningDetector({ ...opts, minBaseline: 25 });
    xs.slice(0, 12).forEach((x) => old.push(x));
    const state = JSON.parse(JSON.stringify(old.state()));
    delete state.options.minBaseline;
    const back = OnlineWarningDetector.fromState(state);
    expect(back.options.minBaseline).toBe(25);
    expect(back.state()).toEqual(old.state());
  });
  it('rejects bad pushes and bad states', () => {
    const det = new OnlineWarningDetector();
    expectError(() => det.push('1' as unknown as number), 'ERR_RDM2_OPTION', /value must be a number, got string/);
    expectError(() => det.push(1, Infinity), 'ERR_RDM2_OPTION', /step must be a finite number/);
    const good = det.state();
    expectError(() => OnlineWarningDetector.fromState({ ...good, version: 2 as 1 }), 'ERR_RDM2_OPTION', /unsupported version 2/);
    expectError(() => OnlineWarningDetector.fromState(null as unknown as typeof good), 'ERR_RDM2_OPTION', /not an object/);
    expectError(
      () => OnlineWarningDetector.fromState({ ...good, baseline: new Array(41).fill(0) }),
      'ERR_RDM2_OPTION',
      /baseline must be an array of at most 40 numbers/,
    );
    expectError(() => OnlineWarningDetector.fromState({ ...good, baseline: [1, NaN] }), 'ERR_RDM2_OPTION', /baseline\[1\] must be a finite number/);
    expectError(() => OnlineWarningDetector.fromState({ ...good, count: -1 }), 'ERR_RDM2_OPTION', /count must be an integer >= 0/);
    expectError(() => OnlineWarningDetector.fromState({ ...good, options: { ...good.options, z: -1 } }), 'ERR_RDM2_OPTION', /z must be a finite number > 0/);
    expectError(
      () => OnlineWarningDetector.fromState({ ...good, run: { length: 1, startIndex: 0, startStep: 0, endStep: 0, peakIndex: 0, peakStep: 0, peakZ: 'big' as 'Infinity', peakValue: 1, fired: null } }),
      'ERR_RDM2_OPTION',
      /run.peakZ must be a number/,
    );
  });
});
