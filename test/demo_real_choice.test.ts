// The real settings' choice on seeds 0-4: the frozen settings (lib/demo/real_chosen.ts) are what the
// scripted procedure gives, and the protocol's pieces (horizon, threshold rule, grid, criterion,
// subsampling) do what docs/real-networks.md says.
import { describe, expect, it, vi } from 'vitest';
import { beats, cellScore, chooseSettingsFor } from '../lib/demo/real_choice.js';
import { REAL_CHOSEN } from '../lib/demo/real_chosen.js';
import { CHOICE_SEEDS, REPORT_SEEDS, SETTINGS_GRID, SHIFT_FRACTIONS, classifyWarnings, gridCells, horizonStart, shiftWarnings } from '../lib/demo/real_protocol.js';
import { REAL_SETTINGS, readRealRun, subsampleRun } from '../lib/demo/real_runs.js';

vi.setConfig({ testTimeout: 0 });

describe('the protocol', () => {
  it('chooses on seeds 0-4 and reports on seeds 5-9, never both', () => {
    expect(CHOICE_SEEDS).toEqual([0, 1, 2, 3, 4]);
    expect(REPORT_SEEDS).toEqual([5, 6, 7, 8, 9]);
    for (const { name } of REAL_SETTINGS) expect(REAL_CHOSEN[name].seeds).toEqual([0, 1, 2, 3, 4]);
  });
  it('the horizon is the second half of the time before the transition; warnings are classified by the step they fire at', () => {
    expect(horizonStart(0, 900)).toBe(450);
    expect(horizonStart(100, 900)).toBe(500);
    const w = (...steps: number[]) => steps.map((step) => ({ step }));
    expect(classifyWarnings(w(), 0, 900)).toEqual({ hitStep: null, leadSteps: null, tooEarly: false, warnings: 0 });
    expect(classifyWarnings(w(449), 0, 900)).toEqual({ hitStep: null, leadSteps: null, tooEarly: true, warnings: 1 });
    expect(classifyWarnings(w(450), 0, 900)).toEqual({ hitStep: 450, leadSteps: 450, tooEarly: false, warnings: 1 });
    expect(classifyWarnings(w(100, 600, 700), 0, 900)).toEqual({ hitStep: 600, leadSteps: 300, tooEarly: true, warnings: 3 });
    expect(classifyWarnings(w(900, 1000), 0, 900)).toEqual({ hitStep: null, leadSteps: null, tooEarly: false, warnings: 2 }); // at the transition: late
    expect(classifyWarnings(w(895), 0, 900)).toEqual({ hitStep: 895, leadSteps: 5, tooEarly: false, warnings: 1 });
  });
  it('the threshold rule warns when the series moved by f from its extreme since the last warning', () => {
    const steps = Float64Array.from({ length: 8 }, (_, i) => 10 * i);
    expect(shiftWarnings(Float64Array.of(1, 0.95, 0.85, 0.8), steps, 0.1)).toEqual([{ step: 20 }]);
    // Up from the running minimum too; each warning restarts the extremes from its own value.
    expect(shiftWarnings(Float64Array.of(1, 0.95, 1.05, 1.2, 1.1, 0.99, 0.98, 1.1), steps, 0.1)).toEqual([{ step: 20 }, { step: 30 }, { step: 50 }, { step: 70 }]);
    expect(shiftWarnings(Float64Array.of(2, 2, 2), steps, 0.05)).toEqual([]);
  });
  it('the grid: 108 cells in order of preference, the defaults first; beta varies fastest', () => {
    const cells = gridCells();
    expect(cells).toHaveLength(3 * 3 * 2 * 2 * 3);
    expect(cells[0]).toEqual({ cadence: 1, window: 20, transform: 'none', detrend: 'none', beta: 1 });
    expect(cells[1]).toEqual({ cadence: 1, window: 20, transform: 'none', detrend: 'none', beta: 0.5 });
    expect(cells.at(-1)).toEqual({ cadence: 4, window: 40, transform: 'log', detrend: 'linear', beta: 2 });
    expect(new Set(cells.map((c) => JSON.stringify(c))).size).toBe(108);
    expect(SETTINGS_GRID.cadence).toEqual([1, 2, 4]);
    expect(SHIFT_FRACTIONS).toEqual([0.1, 0.05, 0.2, 0.5]);
  });
  it('the criterion: hits minus too early, then the longer mean lead; an equal score keeps the earlier cell', () => {
    expect(cellScore({ hits: 4, tooEarly: 1, meanLead: 0 })).toBe(3);
    expect(beats({ hits: 4, tooEarly: 0, meanLead: 10 }, { hits: 5, tooEarly: 2, meanLead: 500 })).toBe(true);
    expect(beats({ hits: 3, tooEarly: 0, meanLead: 300 }, { hits: 3, tooEarly: 0, meanLead: 200 })).toBe(true);
    expect(beats({ hits: 3, tooEarly: 0, meanLead: 200 }, { hits: 3, tooEarly: 0, meanLead: 200 })).toBe(false);
  });
  it('subsampling keeps every c-th checkpoint with its step', async () => {
    const run = await readRealRun('grokking', 0);
    const sub = subsampleRun(run, 4);
    const n = run.losses.shape[1];
    expect(sub.losses.shape).toEqual([101, n]);
    expect(Array.from(sub.steps.subarray(0, 3))).toEqual([0, 20, 40]);
    expect(Array.from(sub.losses.data.subarray(2 * n, 3 * n))).toEqual(Array.from(run.losses.data.subarray(8 * n, 9 * n)));
    expect(sub.transition).toBe(run.transition);
    expect(subsampleRun(run, 1)).toBe(run);
  });
});

describe('lib/demo/real_chosen.ts is what the scripted choice gives on seeds 0-4', () => {
  for (const { name } of REAL_SETTINGS) {
    it(name, async () => {
      const choice = await chooseSettingsFor(name);
      expect(choice.seeds).toEqual([...CHOICE_SEEDS]);
      expect(choice).toEqual(REAL_CHOSEN[name]);
    });
  }
});
