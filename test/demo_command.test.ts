// `rdm2 demo` and runDemo: the files written (atomically, readable by `rdm2 analyze`), the table printed,
// and every error path.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo, type DemoOptions } from '../lib/demo/run_demo.js';
import { deepLinearVerdictLines, syntheticVerdictLines } from '../lib/demo/verdict.js';
import { Rdm2Error } from '../lib/errors.js';
import { TEMP_FILE_PATTERN } from '../lib/io/atomic_write.js';
import { decodeNpy } from '../lib/io/npy.js';
import { runCliHere, tempDir } from './io_fixtures.js';

// Reduced deep linear network (1801 steps, 24 probes); the synthetic scenario at its real size.
const reduced: DemoOptions = { seeds: 2, deepLinear: { trainer: { steps: 1800, initScale: 0.002, probes: 24 } }, only: ['synthetic', 'deep-linear'] };

const CHARTS = ['losses', 'signals', 'covariance', 'eigenvector', 'spectrum'];

function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('runDemo (reduced deep linear network, 2 seeds)', async () => {
  const out = join(tempDir('rdm2-demo-'), 'nested', 'out');
  const log: string[] = [];
  const r = await runDemo({ ...reduced, out, log: (l) => log.push(l) });
  const synthetic = r.synthetic!;
  const deepLinear = r.deepLinear!;

  it('writes the inputs, results, reports, charts, lags and the verdict table, and nothing else', () => {
    const expected = [
      'synthetic/losses.npy',
      'synthetic/losses.meta.json',
      'synthetic/report.html',
      ...CHARTS.map((c) => `synthetic/charts/${c}.svg`),
      'synthetic/result.json',
      'deep_linear/losses.npy',
      'deep_linear/losses.meta.json',
      'deep_linear/result.json',
      'deep_linear/lags.csv',
      'deep_linear/lags.json',
      'deep_linear/report.html',
      ...CHARTS.map((c) => `deep_linear/charts/${c}.svg`),
      'verdict.txt',
    ];
    expect([...r.files].sort()).toEqual([...expected].sort());
    expect(allFiles(out).sort()).toEqual([...expected].sort()); // no temporary files left behind
    expect(allFiles(out).some((f) => TEMP_FILE_PATTERN.test(f.split('/').pop()!))).toBe(false);
    expect(r.out).toBe(out);
  });

  it('prints and saves the verdict table: both scenarios, reproduced', () => {
    expect(r.table).toBe([...syntheticVerdictLines(synthetic), '', ...deepLinearVerdictLines(deepLinear)].join('\n') + '\n');
    expect(r.real).toEqual([]);
    expect(readFileSync(join(out, 'verdict.txt'), 'utf8')).toBe(r.table);
    expect(r.table.match(/verdict: reproduced/g)).toHaveLength(2);
    expect(r.reproduced).toBe(true);
    expect(synthetic.counts.seeds).toBe(2);
    expect(deepLinear.runs.map((x) => x.lags)).toEqual([
      [-14, -16, -20, -21],
      [-13, -14, -23, -25],
    ]);
  });

  it('logs progress', () => {
    expect(log[0]).toMatch(/^synthetic scenario: 2 seeds analysed in \d+\.\d s$/);
    expect(log).toContainEqual(expect.stringMatching(/^deep linear network: 2\/2 runs trained and analysed \(\d+\.\d s\)$/));
    expect(log.at(-1)).toMatch(/^results and reports written in \d+\.\d s$/);
  });

  it('the losses and their sidecar are the first seed of each scenario', () => {
    const syn = decodeNpy(readFileSync(join(out, 'synthetic', 'losses.npy')), 'synthetic/losses.npy');
    expect(syn.header.shape).toEqual([240, 60]);
    expect(Float64Array.from(syn.values as Float64Array)).toEqual(synthetic.scenario.losses.data);
    const synMeta = JSON.parse(readFileSync(join(out, 'synthetic', 'losses.meta.json'), 'utf8'));
    expect(synMeta).toEqual({ steps: Array.from(synthetic.scenario.steps), groups: synthetic.scenario.groups, transition: 1440 });
    const dln = decodeNpy(readFileSync(join(out, 'deep_linear', 'losses.npy')), 'deep_linear/losses.npy');
    expect(dln.header.shape).toEqual([1801, 24]);
    expect(Float64Array.from(dln.values as Float64Array)).toEqual(deepLinear.representative.run.losses.data);
    const dlnMeta = JSON.parse(readFileSync(join(out, 'deep_linear', 'losses.meta.json'), 'utf8'));
    expect(dlnMeta.steps).toHaveLength(1801);
    expect(dlnMeta.groups).toEqual(deepLinear.representative.run.probeGroups);
    // The four alignment steps, named by mode: the transitions 'rdm2 analyze' and 'rdm2 report' read back.
    expect(dlnMeta.transition).toEqual({ 'mode 1': 347, 'mode 2': 438, 'mode 3': 759, 'mode 4': 1332 });
  });

  it("the deep linear network's report draws its four alignments with a lead per transition", () => {
    const signals = readFileSync(join(out, 'deep_linear', 'charts', 'signals.svg'), 'utf8');
    const losses = readFileSync(join(out, 'deep_linear', 'charts', 'losses.svg'), 'utf8');
    const rules = (svg: string) => [...svg.matchAll(/<g class="mark-rule role-mark transition_marks"[^>]*>(.*?)<\/g>/gs)].reduce((k, m) => k + (m[1].match(/<line\b/g) ?? []).length, 0);
    expect(rules(losses)).toBe(4);
    expect(rules(signals)).toBe(3 * 4);
    const html = readFileSync(join(out, 'deep_linear', 'report.html'), 'utf8');
    expect(html).toContain('Lead time per transition');
    for (const k of [1, 2, 3, 4]) expect(html).toMatch(new RegExp(`mode ${k} at step \\d+ \\(checkpoint \\d+\\)`));
    const result = JSON.parse(readFileSync(join(out, 'deep_linear', 'result.json'), 'utf8'));
    expect(result.transitions.map((t: { label: string }) => t.label)).toEqual(['mode 1', 'mode 2', 'mode 3', 'mode 4']);
    expect(result.summary.run.transitions).toHaveLength(4);
  });

  it('result.json holds the analysis, the run summary and the verdict', () => {
    const syn = JSON.parse(readFileSync(join(out, 'synthetic', 'result.json'), 'utf8'));
    expect(syn.options).toMatchObject({ window: 20, topK: 1 });
    expect(syn.shc).toHaveLength(221);
    expect(syn.summary.verdict).toMatchObject({ shcPeakStep: 1540, step90: 1620, firstWarningStep: 1380, leadSteps: 60, peakBefore90: true });
    expect(syn.summary.reproduced).toBe(true);
    const dln = JSON.parse(readFileSync(join(out, 'deep_linear', 'result.json'), 'utf8'));
    expect(dln.shc).toHaveLength(1782);
    expect(dln.summary.alignments.map((a: { alignmentStep: number; lag: number }) => [a.alignmentStep, a.lag])).toEqual([
      [347, -14],
      [438, -16],
      [759, -20],
      [1332, -21],
    ]);
    expect(dln.summary.lagConvention).toMatch(/^lag = SHC peak step - alignment step; negative/);
  });

  it('lags.csv has one row per seed and mode; lags.json the per-mode summary', () => {
    const lines = readFileSync(join(out, 'deep_linear', 'lags.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('seed,mode,singular_value,alignment_step,shc_peak_step,lag,energy_on_own_probes');
    expect(lines).toHaveLength(1 + 2 * 4);
    expect(lines[1]).toMatch(/^0,1,4,347,333,-14,0\.9\d+$/);
    expect(lines[8]).toMatch(/^1,4,1,1243,1218,-25,0\.\d+$/);
    const json = JSON.parse(readFileSync(join(out, 'deep_linear', 'lags.json'), 'utf8'));
    expect(json.modes.map((m: { lagMean: number }) => m.lagMean)).toEqual([-13.5, -15, -21.5, -23]);
    expect(json.reproduced).toBe(true);
    expect(json.runs).toHaveLength(2);
  });

  it('the reports are self-contained HTML with the scenario details', () => {
    const syn = readFileSync(join(out, 'synthetic', 'report.html'), 'utf8');
    expect(syn).toContain("rdm2 demo: synthetic scenario (the paper&#39;s Figure 1)");
    expect(syn).not.toMatch(/<script/i);
    const dln = readFileSync(join(out, 'deep_linear', 'report.html'), 'utf8');
    expect(dln).toContain('mode 4 (s = 1)');
    expect(dln).toContain('aligned at step 1332');
    for (const c of CHARTS) expect(readFileSync(join(out, 'deep_linear', 'charts', `${c}.svg`), 'utf8')).toMatch(/^<svg/);
  });

  it("'rdm2 analyze' reads the demo's losses with their sidecar and finds the same SHC peak", async () => {
    const res = await runCliHere(['analyze', join(out, 'synthetic', 'losses.npy'), '--window', '20', '--top-k', '1', '--threads', '1']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/SHC peak +2\.063 at window 135 \(checkpoint 154, step 1540\)/);
    expect(res.stdout).toMatch(/B 0\.959/);
  });
});

describe('rdm2 demo (command line)', () => {
  it('runs at the default size with one seed: the table on stdout, exit 0', async () => {
    const out = join(tempDir('rdm2-demo-cli-'), 'demo');
    const r = await runCliHere(['demo', '--out', out, '--seeds', '1', '--only', 'synthetic,deep-linear', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("1. Synthetic (the paper's Figure 1): 60 probes in groups A, B, C; a(t) moves group B only");
    expect(r.stdout).toContain('   T = 3601 steps, 60 probes, loss noise 0.01, W = 20; 1 seed\n');
    expect(r.stdout.match(/verdict: reproduced/g)).toHaveLength(2);
    expect(r.stdout).toMatch(new RegExp(`\\nWrote 21 files to ${out} in \\d+\\.\\d s; open ${join(out, 'synthetic', 'report.html')} and ${join(out, 'deep_linear', 'report.html')}\\n$`));
    expect(readFileSync(join(out, 'verdict.txt'), 'utf8')).toBe(r.stdout.slice(0, r.stdout.indexOf('\nWrote ')));
  });

  it('progress on stderr; an unwritable --out fails after the computation with exit 1', async () => {
    const out = join(tempDir('rdm2-demo-cli-'), 'demo');
    // --out under a regular file: nothing can be written.
    const file = join(out + '-file');
    writeFileSync(file, 'x');
    const r = await runCliHere(['demo', '--out', join(file, 'sub'), '--seeds', '1', '--only', 'synthetic, deep-linear']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rdm2 demo: synthetic scenario: 1 seed analysed in \d+\.\d s\n/);
    expect(r.stderr).toMatch(/rdm2 demo: deep linear network: 1\/1 runs trained and analysed/);
    expect(r.stderr).toMatch(/rdm2 demo: error: .*sub.*cannot write: .* \[ERR_RDM2_FILE\]\n$/);
    expect(existsSync(join(file, 'sub'))).toBe(false);
  });

  const usage: [string, string[], string][] = [
    ['--seeds 0', ['--seeds', '0'], "option '--seeds <N>' argument '0' is invalid. expected an integer from 1 to 1000"],
    ['--seeds 1001', ['--seeds', '1001'], "option '--seeds <N>' argument '1001' is invalid. expected an integer from 1 to 1000"],
    ['--seeds abc', ['--seeds', 'abc'], "option '--seeds <N>' argument 'abc' is invalid. expected an integer from 1 to 1000"],
    ['unknown option', ['--fast'], "unknown option '--fast'"],
    ['--only grok', ['--only', 'grok'], "option '--only <parts>' argument 'grok' is invalid. expected synthetic or deep-linear or grokking or induction-heads or misalignment-analogue, got 'grok'"],
    ['--only with an empty item', ['--only', 'grokking,'], "option '--only <parts>' argument 'grokking,' is invalid. expected a comma-separated list with no empty item"],
    ['an argument', ['extra'], "too many arguments for 'demo'. Expected 0 arguments but got 1."],
  ];
  for (const [name, args, message] of usage) {
    it(`usage error: ${name}`, async () => {
      const r = await runCliHere(['demo', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`rdm2 demo: error: ${message} [ERR_RDM2_USAGE]\n(run 'rdm2 demo --help' for usage)\n`);
    });
  }

  it('--help describes the scenarios, the files and the exit status', async () => {
    const r = await runCliHere(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: rdm2 demo \[options\]/);
    for (const s of ['--out <dir>', '(default: "./rdm2-demo")', '--seeds <N>', '(default: 30)', '--only <parts>', 'grokking, induction-heads', '--quiet', 'lags.csv', 'verdict.txt', 'Exit status: 0 both generated scenarios reproduced', 'real/<setting>/result.json']) {
      // Compared with whitespace collapsed: commander wraps the help to the terminal's width.
      expect(r.stdout.replace(/\s+/g, ' ')).toContain(s);
    }
    const top = await runCliHere(['--help']);
    expect(top.stdout.replace(/\s+/g, ' ')).toContain(" demo [options] reproduce the paper's synthetic and deep-linear-network results and judge the real runs");
  });
});

describe('runDemo: every bad option is an ERR_RDM2_OPTION', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [], /demo options must be an object/],
    ['unknown option', { outDir: 'x' }, /unknown demo option 'outDir'/],
    ['empty out', { out: '' }, /out must be a non-empty path, got ""/],
    ['out not a string', { out: 5 }, /out must be a non-empty path, got 5/],
    ['seeds 0', { seeds: 0 }, /seeds must be an integer in \[1, 1000\], got 0/],
    ['seeds string', { seeds: '3' }, /seeds must be an integer in \[1, 1000\], got "3"/],
    ['log not a function', { log: 'stderr' }, /log must be a function/],
    ['synthetic not an object', { synthetic: 1 }, /synthetic must be an object of scenario options/],
    ['deepLinear null', { deepLinear: null }, /deepLinear must be an object of scenario options/],
    ['bad scenario option', { seeds: 1, synthetic: { window: 2 } }, /window must be an integer >= 4, got 2/],
    ['only empty', { only: [] }, /only must be a non-empty array of demo parts \(synthetic, deep-linear, grokking, induction-heads, misalignment-analogue\), got \[\]/],
    ['only unknown part', { only: ['grokking', 'dln'] }, /only entries must be one of synthetic, deep-linear, grokking, induction-heads, misalignment-analogue, got "dln"/],
  ];
  for (const [name, options, message] of cases) {
    it(name, async () => {
      let caught: unknown;
      try {
        await runDemo(options as DemoOptions);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Rdm2Error);
      expect((caught as Rdm2Error).code).toBe('ERR_RDM2_OPTION');
      expect((caught as Rdm2Error).message).toMatch(message);
    });
  }
});
