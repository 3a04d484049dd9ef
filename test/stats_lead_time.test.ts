import { describe, expect, it } from 'vitest';
import { detectWarnings, leadTime, transitionFromMetric, windowSteps, type Warning } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { expectError } from './helpers.js';

function warningAt(index: number, step: number): Warning {
  return { index, step, z: 7, value: 1, startIndex: index, startStep: step, endIndex: index, endStep: step, peakIndex: index, peakStep: step, peakZ: 7, peakValue: 1 };
}

describe('transitionFromMetric', () => {
  const steps = [0, 100, 200, 300, 400];
  it('finds the first checkpoint past the threshold, with the interpolated crossing step', () => {
    const tr = transitionFromMetric([0.1, 0.2, 0.45, 0.7, 0.9], steps, { threshold: 0.5 });
    // 0.45 at 200 -> 0.7 at 300: 200 + (0.05 / 0.25) * 100 = 220
    expect(tr).toEqual({ checkpoint: 3, step: 300, interpolatedStep: 220, value: 0.7, threshold: 0.5, direction: 'up' });
    expect(transitionFromMetric([0.1, 0.2, 0.5, 0.7], undefined, { threshold: 0.5 })?.checkpoint).toBe(2);
  });
  it("handles 'down' (a loss falling below a level)", () => {
    const tr = transitionFromMetric([2.3, 2.2, 1.9, 0.4, 0.1], steps, { threshold: 1, direction: 'down' });
    // 1.9 at 200 -> 0.4 at 300: 200 + (-0.9 / -1.5) * 100 = 260
    expect(tr?.checkpoint).toBe(3);
    expect(tr?.step).toBe(300);
    expect(tr?.interpolatedStep).toBeCloseTo(260, 12);
  });
  it('needs a real crossing: skips NaN, ignores a start already past, returns null if never crossed', () => {
    // 0.3 at step 200 (the NaN at 300 is skipped) -> 0.6 at 400: 200 + (0.2 / 0.3) * 200
    const tr = transitionFromMetric([0.8, 0.9, 0.3, NaN, 0.6], steps, { threshold: 0.5 });
    expect(tr).toMatchObject({ checkpoint: 4, step: 400 });
    expect(tr?.interpolatedStep).toBeCloseTo(200 + (0.2 / 0.3) * 200, 10);
    expect(transitionFromMetric([0.8, 0.9, 0.95], undefined, { threshold: 0.5 })).toBeNull();
    expect(transitionFromMetric([0.1, 0.2, 0.3], undefined, { threshold: 0.5 })).toBeNull();
  });
  it('rejects bad input', () => {
    expectError(() => transitionFromMetric([], undefined, { threshold: 0.5 }), 'ERR_RDM2_SHAPE', /metric is empty/);
    expectError(() => transitionFromMetric([1, 2, 3], [0, 1], { threshold: 0.5 }), 'ERR_RDM2_SHAPE', /steps has 2 values but the run \(T checkpoints\) has 3/);
    expectError(() => transitionFromMetric([1, 2, 3], [0, 2, 1], { threshold: 0.5 }), 'ERR_RDM2_OPTION', /steps must be strictly increasing, but steps\[2\] = 1 follows 2/);
    expectError(() => transitionFromMetric([1, 2], undefined, { threshold: NaN }), 'ERR_RDM2_OPTION', /threshold must be a finite number/);
    expectError(() => transitionFromMetric([1, 2], undefined, { threshold: 1, direction: 'left' as 'up' }), 'ERR_RDM2_OPTION', /direction must be one of 'up', 'down'/);
    expectError(() => transitionFromMetric([1, 2], undefined, { threshold: 1, level: 2 } as object as { threshold: number }), 'ERR_RDM2_OPTION', /unknown transition rule option 'level'/);
    expectError(() => transitionFromMetric([1, 2], undefined, undefined as unknown as { threshold: number }), 'ERR_RDM2_OPTION', /needs a rule/);
  });
});

describe('leadTime', () => {
  const steps = [0, 10, 20, 50, 80, 120, 160, 200];
  it('is transition minus first warning, in steps and in checkpoints (positive = early)', () => {
    const lt = leadTime([warningAt(1, 20), warningAt(4, 120)], 160, steps);
    expect(lt.leadSteps).toBe(140);
    // step 160 is checkpoint 6, step 20 is checkpoint 2
    expect(lt.leadCheckpoints).toBe(4);
    expect(lt.transition).toEqual({ step: 160, checkpoint: 6 });
    expect(lt.firstWarning?.index).toBe(1);
  });
  it('is negative when the warning comes late, and maps steps between checkpoints to the last one before', () => {
    const lt = leadTime([warningAt(3, 200)], 100, steps);
    expect(lt.leadSteps).toBe(-100);
    expect(lt.leadCheckpoints).toBe(4 - 7); // 100 -> checkpoint 4 (step 80); 200 -> 7
  });
  it('takes a Transition object and a detectWarnings result; without steps, both leads are in checkpoints', () => {
    const tr = transitionFromMetric([0, 0, 0, 0, 0, 1, 1, 1], steps, { threshold: 0.5 })!;
    expect(leadTime({ warnings: [warningAt(0, 20)], z: new Float64Array(1), options: { baseline: 3, minBaseline: 3, z: 1, consecutive: 1, direction: 'up' } }, tr, steps)).toMatchObject({
      leadSteps: 100,
      leadCheckpoints: 3,
    });
    expect(leadTime([warningAt(0, 3)], 10)).toMatchObject({ leadSteps: 7, leadCheckpoints: 7 });
  });
  it('gives null leads when nothing warned', () => {
    expect(leadTime([], 5)).toEqual({ firstWarning: null, transition: { step: 5, checkpoint: 5 }, leadSteps: null, leadCheckpoints: null });
  });
  it('works end to end with windowSteps on an analysis', () => {
    const T = 60;
    const n = 3;
    const data = new Float64Array(T * n);
    for (let t = 0; t < T; t++) for (let c = 0; c < n; c++) data[t * n + c] = Math.sin(t * (c + 1) * 0.9) + (t >= 45 && c < 2 ? 5 * Math.sin(t) : 0);
    const a = analyzeSync({ data, shape: [T, n] }, { window: 5, threads: 1 });
    const st = Array.from({ length: T }, (_, t) => 1000 + 10 * t);
    const ws = windowSteps(a, st);
    expect(Array.from(ws.slice(0, 3))).toEqual([1040, 1050, 1060]);
    expect(Array.from(windowSteps(a).slice(0, 2))).toEqual([4, 5]);
    const res = detectWarnings(a.trace, { baseline: 10, z: 3, consecutive: 1 }, ws);
    expect(res.warnings.length).toBeGreaterThan(0);
    const w = res.warnings[0];
    expect(w.step).toBe(1000 + 10 * a.t[w.index]);
    const lt = leadTime(res, 1550, st);
    expect(lt.leadSteps).toBe(1550 - w.step);
    expect(lt.leadCheckpoints).toBe(55 - a.t[w.index]);
  });
  it('rejects bad input', () => {
    expectError(() => leadTime([], NaN), 'ERR_RDM2_OPTION', /transition must be a finite step, got NaN/);
    expectError(() => leadTime([], { step: 3 } as { step: number; checkpoint: number }), 'ERR_RDM2_OPTION', /transition must be a finite step or \{ checkpoint, step \}/);
    expectError(() => leadTime({} as never, 3), 'ERR_RDM2_OPTION', /warnings must be a detectWarnings result or an array of warnings/);
    expectError(() => leadTime([], 3, []), 'ERR_RDM2_SHAPE', /steps is empty/);
    expectError(() => leadTime([], 3, [0, 0]), 'ERR_RDM2_OPTION', /strictly increasing/);
    const a = analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 2, threads: 1 });
    expectError(() => windowSteps(a, [0, 1]), 'ERR_RDM2_SHAPE', /steps has 2 values but the run \(T checkpoints\) has 3/);
  });
});
