import { describe, expect, it } from 'vitest';
import { blockEnergy, detectWarnings, localization, summarizeRun, surrogateTestSync } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import type { Analysis } from '../lib/types.js';
import { expectError } from './helpers.js';

describe('summarizeRun', () => {
  const sc = syntheticScenario({ seed: 8, steps: 200, center: 120, stepInterval: 10, shuffleProbes: true });
  const a = analyzeSync(sc.losses, { window: 20, topK: 1, threads: 1 });

  it('condenses one run into a record that matches the underlying functions', () => {
    const rec = summarizeRun(a, { groups: sc.groups, transition: sc.transitionStep, steps: sc.steps });
    let peak = 0;
    let low = 0;
    for (let j = 0; j < a.windows; j++) {
      if (a.shc[j] > a.shc[peak]) peak = j;
      if (a.pr[j] < a.pr[low]) low = j;
    }
    expect(rec.shcPeak).toEqual({ window: peak, checkpoint: a.t[peak], step: 10 * a.t[peak], value: a.shc[peak] });
    expect(rec.prMin).toEqual({ window: low, checkpoint: a.t[low], step: 10 * a.t[low], value: a.pr[low] });
    const w = detectWarnings(a.shc).warnings;
    expect(rec.warningCount).toBe(w.length);
    expect(rec.firstWarning).toEqual({ window: w[0].index, checkpoint: a.t[w[0].index], step: 10 * a.t[w[0].index], value: w[0].value, z: w[0].z });
    expect(rec.leadSteps).toBe(sc.transitionStep - rec.firstWarning!.step);
    expect(rec.leadCheckpoints).toBe(sc.transitionCheckpoint - rec.firstWarning!.checkpoint);
    const v = a.eigenvectors!.subarray(peak * a.probes, (peak + 1) * a.probes);
    const be = blockEnergy(v, sc.groups);
    expect(rec.blockEnergy).toEqual({ A: be.energy[0], B: be.energy[1], C: be.energy[2] });
    expect(rec.localization).toBe(localization(v));
    expect([rec.rows, rec.probes, rec.windows, rec.degenerateWindows]).toEqual([200, 60, 181, 0]);
    expect(rec.analysisOptions).toBe(a.options);
    expect(rec.surrogate).toBeNull();
    // Plain data: survives JSON.
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });
  it("keeps group labels that name Object.prototype's fields ('__proto__', 'constructor') as block energies (issue 13 item 22)", () => {
    const labels = sc.groups.map((g) => (g === 'A' ? '__proto__' : g === 'B' ? 'constructor' : 'toString'));
    const rec = summarizeRun(a, { groups: labels });
    const plain = summarizeRun(a, { groups: sc.groups });
    const e = rec.blockEnergy!;
    expect(Object.keys(e).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect([Object.getOwnPropertyDescriptor(e, '__proto__')?.value, e.constructor, e.toString]).toEqual([plain.blockEnergy!.A, plain.blockEnergy!.B, plain.blockEnergy!.C]);
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(rec)).blockEnergy).toEqual(e);
  });
  it('runs a surrogate test when asked, or takes a result computed elsewhere', () => {
    const rec = summarizeRun(a, { surrogate: { losses: sc.losses, kind: 'shuffle', count: 9, seed: 2 } });
    const { topK: _k, ...analysisOptions } = a.options;
    const r = surrogateTestSync(sc.losses, analysisOptions, { kind: 'shuffle', count: 9, seed: 2 });
    expect(rec.surrogate).toEqual({ pValue: r.pValue, count: 9, kind: 'shuffle', seed: 2, observed: r.observed });
    expect(summarizeRun(a, { surrogate: r }).surrogate).toEqual(rec.surrogate);
    const other = surrogateTestSync(sc.losses, { window: 10, threads: 1 }, { count: 1 });
    expectError(() => summarizeRun(a, { surrogate: other }), 'ERR_RDM2_OPTION', /computed with window = 10 but the analysis used 20/);
  });
  it('leaves unavailable fields null', () => {
    const bare = analyzeSync(sc.losses, { window: 20, threads: 1 });
    const rec = summarizeRun(bare);
    expect([rec.blockEnergy, rec.localization, rec.transition, rec.leadSteps, rec.leadCheckpoints]).toEqual([null, null, null, null, null]);
    expect(rec.shcPeak?.step).toBe(rec.shcPeak?.checkpoint); // no steps: checkpoint indices
    const quiet = summarizeRun(a, { warning: { z: 1e9 }, transition: 100 });
    expect([quiet.firstWarning, quiet.leadSteps, quiet.warningCount]).toEqual([null, null, 0]);
  });
  it('rejects bad input', () => {
    expectError(() => summarizeRun(a, { groups: ['A', 'B'] }), 'ERR_RDM2_SHAPE', /groups has 2 labels but there are 60 probes/);
    expectError(() => summarizeRun(a, { steps: [0, 1] }), 'ERR_RDM2_SHAPE', /steps has 2 values but the run \(T checkpoints\) has 200/);
    expectError(() => summarizeRun(a, { transition: 'late' as unknown as number }), 'ERR_RDM2_OPTION', /transition must be a finite step or/);
    expectError(() => summarizeRun(a, { group: [] } as object), 'ERR_RDM2_OPTION', /unknown summarizeRun option 'group'/);
    const bare = analyzeSync(sc.losses, { window: 20, threads: 1 });
    expectError(() => summarizeRun(bare, { groups: sc.groups }), 'ERR_RDM2_OPTION', /needs eigenvectors for block energies: run analyze with topK >= 1/);
    expectError(() => summarizeRun(a, { surrogate: { count: 3 } as never }), 'ERR_RDM2_OPTION', /a surrogate request needs the losses/);
    expectError(() => summarizeRun(a, { surrogate: { losses: [[1, 2], [3, 4]] } }), 'ERR_RDM2_SHAPE', /surrogate losses are 2 x 2 but the analysis ran on 200 x 60/);
    expectError(() => summarizeRun({ t: [1] } as unknown as Analysis), 'ERR_RDM2_OPTION', /summarizeRun needs an Analysis/);
  });
});
