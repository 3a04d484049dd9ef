// `rdm2 demo`: both reference scenarios run, written (results, reports, inputs) and judged.
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic_write.js';
import { encodeNpy } from '../io/npy.js';
import { writeResultJson } from '../io/result_json.js';
import { buildReport, type ReportInputs, type ReportOptions } from '../report/index.js';
import { summarizeRun } from '../stats/index.js';
import type { Analysis } from '../types.js';
import { LAG_CONVENTION, runDeepLinearDemo, type DeepLinearDemoOptions, type DeepLinearDemoResult } from './deep_linear_demo.js';
import { choiceItem, defineOptions, describeValue, listArg, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { REAL_CHOSEN } from './real_chosen.js';
import { runRealSetting, type RealSettingResult } from './real_demo.js';
import { HORIZON_FRACTION, SETTINGS_GRID, SHIFT_FRACTIONS, settingsText, type RealAnalysisSettings } from './real_protocol.js';
import { REAL_SETTINGS, type RealSettingName } from './real_runs.js';
import { SYNTHETIC_DEMO_OPTIONS, runSyntheticDemo, type SyntheticDemoOptions, type SyntheticDemoResult } from './synthetic_demo.js';
import { deepLinearReproduced, syntheticReproduced, verdictTable } from './verdict.js';

/** The parts of the demo, in the order it runs and numbers them: the two generated scenarios, then the three real settings. */
export const DEMO_PARTS = ['synthetic', 'deep-linear', 'grokking', 'induction-heads', 'misalignment-analogue'] as const;
/** One part of the demo (`rdm2 demo --only <parts>`). */
export type DemoPart = (typeof DEMO_PARTS)[number];

/** The real setting of a demo part (null for the two generated scenarios). */
export function realSettingOf(part: DemoPart): RealSettingName | null {
  const name = part.replaceAll('-', '_');
  return REAL_SETTINGS.some((s) => s.name === name) ? (name as RealSettingName) : null;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Output directory (created when missing). Default './rdm2-demo'. */
  out?: string;
  /** Seeds of each scenario, 1..1000. Default 30. Overridden by a scenario's own `seeds`. */
  seeds?: number;
  /** Synthetic scenario options (reduced sizes for tests). */
  synthetic?: SyntheticDemoOptions;
  /** Deep-linear scenario options (reduced sizes for tests). */
  deepLinear?: Omit<DeepLinearDemoOptions, 'onProgress'>;
  /** Which parts to run (see {@link DEMO_PARTS}). Default: all five. */
  only?: DemoPart[];
  /** Progress lines (e.g. to stderr); default none. */
  log?: (line: string) => void;
}

/** What {@link runDemo} returns. */
export interface DemoResult {
  /** The synthetic scenario (absent when not run). */
  synthetic?: SyntheticDemoResult;
  /** The deep linear network (absent when not run). */
  deepLinear?: DeepLinearDemoResult;
  /** The real settings that were run, in the demo's order: seeds 5-9 at the settings chosen on seeds 0-4. */
  real: RealSettingResult[];
  /** The verdict table (what `rdm2 demo` prints). */
  table: string;
  /**
   * Every generated scenario that ran was reproduced (see {@link syntheticReproduced},
   * {@link deepLinearReproduced}). The real settings' verdicts are findings, not checks of the
   * code, and do not enter it.
   */
  reproduced: boolean;
  /** Every file written, relative to `out`. */
  files: string[];
  out: string;
}

const scenarioOptions = (v: unknown, name: string): object => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) optionError(`${name} must be an object of scenario options`);
  return v;
};

/** The options of {@link runDemo} (and the flags of `rdm2 demo`). */
export const DEMO_OPTIONS = defineOptions('demo', {
  out: { type: 'string', nonEmpty: true, noun: 'path', default: './rdm2-demo', doc: 'output directory', cli: { value: 'dir' } },
  seeds: { ...SYNTHETIC_DEMO_OPTIONS.fields.seeds, doc: 'seeds (training runs) per scenario', cli: { value: 'N' } },
  synthetic: { type: 'custom', typeDoc: 'an object of scenario options', check: scenarioOptions as (v: unknown, name: string) => SyntheticDemoOptions, doc: 'synthetic scenario options' },
  deepLinear: {
    type: 'custom',
    typeDoc: 'an object of scenario options',
    check: scenarioOptions as (v: unknown, name: string) => Omit<DeepLinearDemoOptions, 'onProgress'>,
    doc: 'deep-linear scenario options',
  },
  only: {
    type: 'custom',
    typeDoc: `a non-empty array of ${DEMO_PARTS.join(', ')}`,
    default: (): DemoPart[] => [...DEMO_PARTS],
    defaultDoc: 'all',
    doc: 'which parts to run',
    cli: { value: 'parts', parse: listArg(choiceItem(DEMO_PARTS)), doc: `which parts to run, comma-separated: ${DEMO_PARTS.join(', ')}` },
    check: (v: unknown, name: string): DemoPart[] => {
      if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of demo parts (${DEMO_PARTS.join(', ')}), got ${describeValue(v)}`);
      for (const p of v) if (!(DEMO_PARTS as readonly unknown[]).includes(p)) optionError(`${name} entries must be one of ${DEMO_PARTS.join(', ')}, got ${describeValue(p)}`);
      return v as DemoPart[];
    },
  },
  log: { type: 'function', doc: 'progress lines (e.g. to stderr)' },
});

type _DemoSchemaMatches = Assert<SameKeys<typeof DEMO_OPTIONS.fields, DemoOptions>>;

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

async function writeLosses(dir: string, losses: { data: Float64Array; shape: readonly [number, number] }, meta: object, files: string[], prefix: string): Promise<void> {
  await writeFileAtomic(join(dir, 'losses.npy'), encodeNpy({ values: losses.data, shape: losses.shape }));
  await writeFileAtomic(join(dir, 'losses.meta.json'), jsonText(meta));
  files.push(`${prefix}/losses.npy`, `${prefix}/losses.meta.json`);
}

async function writeSynthetic(out: string, r: SyntheticDemoResult, files: string[]): Promise<void> {
  const dir = join(out, 'synthetic');
  const sc = r.scenario;
  await writeLosses(dir, sc.losses, { steps: Array.from(sc.steps), groups: sc.groups, transition: sc.transitionStep }, files, 'synthetic');
  await writeResultJson(join(dir, 'result.json'), {
    analysis: r.analysis,
    meta: { steps: sc.steps, groups: sc.groups, transition: sc.transitionStep },
    windowSteps: r.windowSteps,
    summary: { run: r.summary, verdict: r.verdict, seeds: r.counts, reproduced: syntheticReproduced(r), scenario: sc.options },
  });
  const v = r.verdict;
  await writeReport(
    dir,
    'synthetic',
    files,
    r.analysis,
    {
      losses: sc.losses,
      steps: sc.steps,
      groups: sc.groups,
      transition: sc.transitionStep,
      source: `rdm2 demo: synthetic scenario (seed ${r.options.seed})`,
      details: [
        ['scenario', `the paper's Figure 1: ${sc.options.probes} probes in groups A, B, C (columns shuffled); l(t) = base - a(t) v + noise ${sc.options.noise}, v on group B only`],
        ['transition', `a(t) = 0.5 at step ${sc.transitionStep}; a(t) reaches 10% at step ${sc.step10} and 90% at step ${sc.step90}`],
        ['verdict', `SHC peak at step ${v.shcPeakStep} (before 90%: ${v.peakBefore90 ? 'yes' : 'no'}); block energy on B ${(v.blockEnergy.B ?? NaN).toFixed(3)}; over ${r.counts.seeds} seeds: peak before 90% ${r.counts.peakBefore90}, warning before 90% ${r.counts.warningBefore90}, energy on B > 0.9 ${r.counts.energyOnB}`],
      ],
    },
    { title: "rdm2 demo: synthetic scenario (the paper's Figure 1)" },
  );
  files.push('synthetic/result.json');
}

/** Writes `report.html` and each chart as a standalone `charts/<id>.svg` (for papers and READMEs). */
async function writeReport(dir: string, prefix: string, files: string[], analysis: Analysis, inputs: ReportInputs, opts: ReportOptions): Promise<void> {
  const built = await buildReport(analysis, inputs, opts);
  await writeFileAtomic(join(dir, 'report.html'), built.html);
  files.push(`${prefix}/report.html`);
  for (const chart of built.charts) {
    await writeFileAtomic(join(dir, 'charts', `${chart.id}.svg`), chart.svg);
    files.push(`${prefix}/charts/${chart.id}.svg`);
  }
}

function lagsCsv(r: DeepLinearDemoResult): string {
  const lines = ['seed,mode,singular_value,alignment_step,shc_peak_step,lag,energy_on_own_probes'];
  const sv = r.options.trainer.singularValues;
  const cell = (v: number) => (Number.isFinite(v) ? String(v) : '');
  for (const run of r.runs) {
    run.alignmentSteps.forEach((a, k) => lines.push([run.seed, k + 1, sv[k], cell(a), cell(run.peakSteps[k]), cell(run.lags[k]), cell(run.energies[k])].join(',')));
  }
  return lines.join('\n') + '\n';
}

async function writeDeepLinear(out: string, r: DeepLinearDemoResult, files: string[]): Promise<void> {
  const dir = join(out, 'deep_linear');
  const { run, analysis, windowSteps, matches } = r.representative;
  // Each mode's alignment is a transition of its own (a mode that never aligned has none).
  const transitions = Array.from(run.alignmentSteps, (step, k) => ({ label: `mode ${k + 1}`, step })).filter((t) => Number.isFinite(t.step));
  const named = Object.fromEntries(transitions.map((t) => [t.label, t.step]));
  await writeLosses(dir, run.losses, { steps: Array.from(run.steps), groups: run.probeGroups, ...(transitions.length > 0 ? { transition: named } : {}) }, files, 'deep_linear');
  const summary = summarizeRun(analysis, { steps: run.steps, groups: run.probeGroups, ...(transitions.length > 0 ? { transitions } : {}) });
  const alignments = matches.map((m, k) => ({ mode: k + 1, singularValue: run.options.singularValues[k], alignmentStep: m.eventStep, shcPeakStep: m.step, shcPeak: m.value, lag: m.lag }));
  await writeResultJson(join(dir, 'result.json'), {
    analysis,
    meta: { steps: run.steps, groups: run.probeGroups, ...(transitions.length > 0 ? { transition: transitions[0]!.step, transitions } : {}) },
    windowSteps,
    summary: { run: summary, seed: run.options.seed, trainer: run.options, alignments, lagConvention: LAG_CONVENTION },
  });
  await writeFileAtomic(join(dir, 'lags.csv'), lagsCsv(r));
  await writeFileAtomic(
    join(dir, 'lags.json'),
    jsonText({ lagConvention: LAG_CONVENTION, reproduced: deepLinearReproduced(r), ordered: r.ordered, modes: r.modes, runs: r.runs, options: r.options }),
  );
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'none');
  await writeReport(
    dir,
    'deep_linear',
    files,
    analysis,
    {
      losses: run.losses,
      steps: run.steps,
      groups: run.probeGroups,
      ...(transitions.length > 0 ? { transitions } : {}),
      source: `rdm2 demo: deep linear network (seed ${run.options.seed})`,
      details: [
        ['scenario', `the paper's Figures 2 and 3: teacher s = ${run.options.singularValues.join(', ')} (d = ${run.options.dim}), student depth ${run.options.depth}, hidden ${run.options.hidden}, init scale ${run.options.initScale}, learning rate ${run.options.learningRate}, full-batch GD on a whitened training set; ${run.options.probes} probe losses with measurement noise ${run.options.noise}`],
        ...alignments.map(
          (a) =>
            [
              `mode ${a.mode} (s = ${a.singularValue})`,
              `aligned at step ${fmt(a.alignmentStep)}; SHC peak at step ${fmt(a.shcPeakStep)} (lag ${fmt(a.lag)}). Over ${r.options.seeds} seeds: lag ${fmt(r.modes[a.mode - 1].lagMean)} steps, 95% interval [${fmt(r.modes[a.mode - 1].lagLow)}, ${fmt(r.modes[a.mode - 1].lagHigh)}], peak found in ${r.modes[a.mode - 1].found}/${r.options.seeds}`,
            ] as [string, string],
        ),
        ['lag', LAG_CONVENTION],
        ['groups', "probe i is in group 'mode k' when its input is most aligned with the teacher's input direction v_k (largest (v_k . x_i)^2): its loss drops most during mode k's stage"],
      ],
    },
    { title: "rdm2 demo: deep linear network (the paper's Figures 2 and 3)" },
  );
  files.push('deep_linear/result.json', 'deep_linear/lags.csv', 'deep_linear/lags.json');
}

/**
 * Runs the demo: the synthetic scenario ({@link runSyntheticDemo}) and the deep linear network
 * ({@link runDeepLinearDemo}), writes for each into `out/<scenario>/` the losses (`losses.npy` with
 * a `losses.meta.json` sidecar, so `rdm2 analyze` and `rdm2 report` can be run on them), the
 * analysis result (`result.json`), an HTML report (`report.html`) and, for the deep linear network,
 * the per-seed lags (`lags.csv`, `lags.json`); then `verdict.txt`, the table `rdm2 demo` prints.
 * Every file is written atomically.
 *
 * @throws Rdm2Error ERR_RDM2_OPTION on a bad option; ERR_RDM2_FILE when a file cannot be written.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const o = resolveOptions(DEMO_OPTIONS, options);
  const { out, seeds } = o;
  const only = new Set(o.only);
  const log = (o.log as DemoOptions['log']) ?? (() => {});
  const files: string[] = [];

  let t0 = performance.now();
  let synthetic: SyntheticDemoResult | undefined;
  if (only.has('synthetic')) {
    synthetic = await runSyntheticDemo({ seeds, ...o.synthetic });
    log(`synthetic scenario: ${synthetic.counts.seeds} seed${synthetic.counts.seeds === 1 ? '' : 's'} analysed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  let deepLinear: DeepLinearDemoResult | undefined;
  if (only.has('deep-linear')) {
    t0 = performance.now();
    let lastLogged = 0;
    deepLinear = await runDeepLinearDemo({
      seeds,
      ...o.deepLinear,
      onProgress: (done, total) => {
        const now = performance.now();
        if (done === total || now - lastLogged > 5000) {
          lastLogged = now;
          log(`deep linear network: ${done}/${total} runs trained and analysed (${((now - t0) / 1000).toFixed(1)} s)`);
        }
      },
    });
  }
  const real: RealSettingResult[] = [];
  for (const part of DEMO_PARTS) {
    const name = realSettingOf(part);
    if (name === null || !only.has(part)) continue;
    t0 = performance.now();
    const r = await runRealSetting(name);
    real.push(r);
    log(`${name}: seeds ${r.reportSeeds.join(', ')} of the shipped runs analysed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  t0 = performance.now();
  if (synthetic) await writeSynthetic(out, synthetic, files);
  if (deepLinear) await writeDeepLinear(out, deepLinear, files);
  for (const r of real) await writeReal(out, r, files);
  const table = verdictTable({ synthetic, deepLinear, real });
  await writeFileAtomic(join(out, 'verdict.txt'), table);
  files.push('verdict.txt');
  log(`results and reports written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const reproduced = (!synthetic || syntheticReproduced(synthetic)) && (!deepLinear || deepLinearReproduced(deepLinear));
  return { ...(synthetic ? { synthetic } : {}), ...(deepLinear ? { deepLinear } : {}), real, table, reproduced, files, out };
}

/** The protocol of the real settings, as result.json records it. */
function realProtocol(): object {
  return {
    choiceSeeds: REAL_CHOSEN.grokking.seeds,
    criterion: 'per row: seeds with a warning within the horizon minus seeds with a warning before it; ties: longest mean lead, then the grid order',
    horizon: `a warning at a step in [first step + ${1 - HORIZON_FRACTION} (transition - first step), transition)`,
    grid: SETTINGS_GRID,
    shiftFractions: SHIFT_FRACTIONS,
    detector: 'the defaults: baseline 10 growing to 40 windows, z 6, 3 in a row',
  };
}

async function writeReal(out: string, r: RealSettingResult, files: string[]): Promise<void> {
  const prefix = `real/${r.info.name}`;
  const dir = join(out, 'real', r.info.name);
  const { representative: ev, ...rest } = r;
  await writeResultJson(join(dir, 'result.json'), {
    analysis: ev.analysis,
    meta: { steps: ev.steps, groups: ev.run.groups, transition: ev.run.transition },
    windowSteps: ev.windowSteps,
    summary: { ...rest, protocol: realProtocol(), shown: { seed: ev.run.seed, settings: ev.settings } },
  });
  files.push(`${prefix}/result.json`);
  const s = ev.settings as RealAnalysisSettings;
  await writeReport(
    dir,
    prefix,
    files,
    ev.analysis,
    {
      losses: ev.losses,
      steps: ev.steps,
      groups: ev.run.groups,
      transition: ev.run.transition,
      source: `rdm2 demo: data/real/${r.info.name}/seed${ev.run.seed}.npz`,
      details: [
        ['setting', `${r.info.title}: ${r.info.task}`],
        ['transition', `${r.info.rule}: step ${ev.run.transition}`],
        ['settings', `the SHC's, chosen on seeds ${r.choiceSeeds.join(', ')}: ${settingsText(s, r.stepsPerCheckpoint)}`],
        [
          'note',
          "below, every indicator is computed at the SHC's settings and the SHC peak is its largest value over the whole run; the demo's table (verdict.txt) gives each indicator its own settings chosen on seeds 0-4 and takes the SHC peak within the horizon's length of the transition",
        ],
      ],
    },
    { title: `rdm2 demo: ${r.info.title.split(' (')[0]} (seed ${ev.run.seed})` },
  );
}
