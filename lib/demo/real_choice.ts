// The scripted choice of the real runs' settings on seeds 0-4 (CHOICE_SEEDS): every indicator gets
// the grid cell that scores best by one stated criterion, so the SHC and the scalar baselines are
// tuned with the same effort on the same seeds. `npm run choose:real` runs it and writes the
// result into lib/demo/real_chosen.ts, which the demo reads; nothing here looks at seeds 5-9.
import type { IndicatorName } from '../stats/baselines.js';
import { CHOICE_SEEDS, SHIFT_FRACTIONS, evaluateRun, evaluateShifts, gridCells, type RealAnalysisSettings, type WarningOutcome } from './real_protocol.js';
import { readRealRun, type RealRun, type RealSettingName } from './real_runs.js';

/** How one grid cell did for one indicator on the choice seeds. */
export interface CellScore {
  /** Seeds with a warning within the horizon. */
  hits: number;
  /** Seeds with a warning before the horizon (false alarms). */
  tooEarly: number;
  /** Mean lead (steps) over the seeds with a warning within the horizon; 0 when none. */
  meanLead: number;
}

/** The criterion: hits minus too-early seeds, higher is better. */
export function cellScore(s: CellScore): number {
  return s.hits - s.tooEarly;
}

/**
 * Whether cell score `a` beats `b`: a higher {@link cellScore}; on a tie a longer mean lead; on a
 * tie still the cell earlier in the grid's order of preference wins (so `a`, coming later, does not).
 */
export function beats(a: CellScore, b: CellScore): boolean {
  const d = cellScore(a) - cellScore(b);
  return d > 0 || (d === 0 && a.meanLead > b.meanLead);
}

/** A row of the demo's table: an indicator run through the warning detector, or a group's mean loss under the threshold rule ({@link shiftWarnings}). */
export type RowName = IndicatorName | `shift:${string}`;

/** The threshold rule's one setting. */
export interface ShiftSettings {
  /** The fraction the mean loss must move by. */
  fraction: number;
}

/** The settings of a row: an analysis cell for a detector row, a fraction for a threshold row. */
export type RowSettings = RealAnalysisSettings | ShiftSettings;

/** Whether a row is the threshold rule on a group's mean loss. */
export function isShiftRow(name: RowName): name is `shift:${string}` {
  return name.startsWith('shift:');
}

/** One row's choice. */
export interface RowChoice {
  row: RowName;
  settings: RowSettings;
  /** The chosen cell's score on the choice seeds. */
  score: CellScore;
  /** Cells that scored the same criterion value (the choice among them by mean lead, then order). */
  tiedCells: number;
  /** Cells tried for this row (beta varies only for the SHC; the threshold rule has only its fraction). */
  cells: number;
}

/** The choice for one real setting. */
export interface SettingChoice {
  setting: RealSettingName;
  seeds: number[];
  rows: RowChoice[];
}

interface Tally {
  hits: number;
  tooEarly: number;
  leads: number[];
}

function tally(map: Map<RowName, Tally>, name: RowName, o: WarningOutcome): void {
  const acc = map.get(name) ?? { hits: 0, tooEarly: 0, leads: [] };
  if (o.leadSteps !== null) {
    acc.hits++;
    acc.leads.push(o.leadSteps);
  }
  if (o.tooEarly) acc.tooEarly++;
  map.set(name, acc);
}

/**
 * Chooses, for every row of one real setting, the settings that score best on the choice seeds:
 * most seeds with a warning within the horizon minus seeds with a warning before it, then the
 * longest mean lead, then the order of preference. Detector rows (the SHC and the indicators of
 * `compareIndicators`) choose among {@link gridCells} with the detector at its defaults, beta
 * varied for the SHC only (no other indicator depends on it); threshold rows (`shift:<group>`)
 * choose among {@link SHIFT_FRACTIONS}.
 *
 * @param runs the runs of the choice seeds (default: read from data/real).
 */
export async function chooseSettingsFor(setting: RealSettingName, runs?: RealRun[], options: { threads?: number } = {}): Promise<SettingChoice> {
  const rs = runs ?? (await Promise.all(CHOICE_SEEDS.map((seed) => readRealRun(setting, seed))));
  const order: RowName[] = [];
  const best = new Map<RowName, { settings: RowSettings; score: CellScore; tied: number; cells: number }>();
  const consider = (tallies: Map<RowName, Tally>, settings: RowSettings): void => {
    for (const [name, acc] of tallies) {
      const score: CellScore = { hits: acc.hits, tooEarly: acc.tooEarly, meanLead: acc.leads.length ? acc.leads.reduce((a, b) => a + b, 0) / acc.leads.length : 0 };
      const cur = best.get(name);
      if (!cur) {
        order.push(name);
        best.set(name, { settings, score, tied: 1, cells: 1 });
        continue;
      }
      cur.cells++;
      if (cellScore(score) === cellScore(cur.score)) cur.tied++;
      if (beats(score, cur.score)) {
        if (cellScore(score) > cellScore(cur.score)) cur.tied = 1;
        cur.settings = settings;
        cur.score = score;
      }
    }
  };
  for (const settings of gridCells()) {
    const shcOnly = settings.beta !== 1;
    const tallies = new Map<RowName, Tally>();
    for (const run of rs) {
      const ev = await evaluateRun(run, settings, { ...(shcOnly ? { indicators: ['shc'] } : {}), ...options });
      ev.indicator.forEach((name, r) => tally(tallies, name, ev.outcome[r]!));
    }
    consider(tallies, settings);
  }
  for (const fraction of SHIFT_FRACTIONS) {
    const tallies = new Map<RowName, Tally>();
    for (const run of rs) for (const { group, outcome } of evaluateShifts(run, fraction)) tally(tallies, `shift:${group}`, outcome);
    consider(tallies, { fraction });
  }
  return {
    setting,
    seeds: rs.map((r) => r.seed),
    rows: order.map((row) => {
      const b = best.get(row)!;
      return { row, settings: b.settings, score: b.score, tiedCells: b.tied, cells: b.cells };
    }),
  };
}
