// `rdm2 analyze`: the summary, --json, --out in every format, and every error path with its exit status.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { formatNumber } from '../lib/cli/run_summary_text.js';
import { gram2rdmSync } from '../lib/gaussian.js';
import { encodeNpy } from '../lib/io/npy.js';
import { decodeNpz } from '../lib/io/npz.js';
import { compareIndicators, summarizeRun } from '../lib/stats/index.js';
import { lossMatrix, runCliHere, runCliProcess, tempDir, writeCsv, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 }); // child processes: no wall-clock limit

const T = 60;
const n = 20;
const data = lossMatrix(T, n, 7);
const steps = Array.from({ length: T }, (_, t) => 100 * t);
const groups = Array.from({ length: n }, (_, i) => (i < 7 ? 'A' : i < 14 ? 'B' : 'C'));
const dir = tempDir('rdm2-cli-');
const run = join(dir, 'run');
const npy = writeNpy(join(run, 'losses.npy'), data, T, n);
writeText(join(run, 'meta.json'), JSON.stringify({ steps, groups, transition: 3000 }));
const bare = writeNpy(join(dir, 'bare', 'losses.npy'), data, T, n);
const WARN = ['--warn-baseline', '8', '--warn-z', '4', '--warn-consecutive', '2'];
const warning = { baseline: 8, z: 4, consecutive: 2 };
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function expectUsage(r: { code: number; stdout: string; stderr: string }, command: string, message: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`rdm2 ${command}: error: ${message} [ERR_RDM2_USAGE]\n(run 'rdm2 ${command} --help' for usage)\n`);
}

describe('rdm2 analyze (child process)', () => {
  it('prints the summary with warnings and lead time, and writes the JSON result', async () => {
    const out = join(dir, 'result.json');
    const r = await runCliProcess(['analyze', npy, '--window', '12', '--top-k', '1', '--threads', '2', ...WARN, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = analyzeSync({ data, shape: [T, n] }, { window: 12, topK: 1, threads: 2 });
    const s = summarizeRun(a, { steps, groups, transition: 3000, warning });
    expect(s.firstWarning).not.toBeNull();
    const at = (p: { window: number; checkpoint: number; step: number }) => `window ${p.window} (checkpoint ${p.checkpoint}, step ${p.step})`;
    expect(r.stdout).toBe(
      [
        `rdm2 analyze: ${npy}`,
        `  input        [60, 20] float64 .npy, sha256 ${sha(npy)}`,
        `  analysis     window 12, stride 1, detrend none, transform none, beta 1, top-k 1: 49 windows, 0 degenerate`,
        `  SHC peak     ${formatNumber(s.shcPeak!.value)} at ${at(s.shcPeak!)}`,
        `  PR minimum   ${formatNumber(s.prMin!.value)} at ${at(s.prMin!)}`,
        `  warnings     ${s.warningCount} (baseline 8, z > 4, 2 in a row); first at ${at(s.firstWarning!)}, z = ${formatNumber(s.firstWarning!.z)}`,
        `  transition   step 3000 (checkpoint 30): lead time ${s.leadSteps} steps (${s.leadCheckpoints} checkpoints)`,
        `  baselines    ${compareIndicators({ data, shape: [T, n] }, a, { steps, groups, transition: 3000, warning }).versusBaselines.text}`,
        `  block energy top eigenvector at the SHC peak: A ${formatNumber(s.blockEnergy!.A!)}, B ${formatNumber(s.blockEnergy!.B!)}, C ${formatNumber(s.blockEnergy!.C!)}`,
        `  result       ${out}`,
        '',
      ].join('\n'),
    );
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.shc).toEqual(Array.from(a.shc));
    expect(doc.eigenvectors[5][0]).toEqual(Array.from(a.eigenvectors!.subarray(5 * n, 6 * n)));
    expect(doc.input).toEqual({ path: npy, format: 'npy', sha256: sha(npy), bytes: readFileSync(npy).length, shape: [T, n], dtype: 'float64', variant: 'sliding' });
    expect(doc.options).toEqual(a.options);
    expect(doc.summary).toEqual(JSON.parse(JSON.stringify(s)));
    expect(doc.step).toEqual(Array.from(a.t, (t) => steps[t]));
  });

});

describe('rdm2 analyze (in process)', () => {
  it('--json prints the full result on stdout', async () => {
    const r = await runCliHere(['analyze', bare, '--window', '10', '--stride', '5', '--detrend', 'linear', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    const a = analyzeSync({ data, shape: [T, n] }, { window: 10, stride: 5, detrend: 'linear' });
    expect(doc.t).toEqual(Array.from(a.t));
    expect(doc.pr).toEqual(Array.from(a.pr));
    expect(doc.eigenvalues).toEqual(Array.from({ length: a.windows }, (_, j) => Array.from(a.eigenvalues.subarray(j * 9, (j + 1) * 9))));
    expect(doc.summary.transition).toBeNull();
    expect(doc.step).toBeUndefined();
  });

  it('summary without steps or transition', async () => {
    const r = await runCliHere(['analyze', bare, '--window', '12', '--threads', '1', '--warn-baseline', '200', '--warn-min-baseline', '200']);
    expect(r.code).toBe(0);
    const a = analyzeSync({ data, shape: [T, n] }, { window: 12, threads: 1 });
    const s = summarizeRun(a, { warning: { baseline: 200, minBaseline: 200 } });
    expect(r.stdout.split('\n').slice(3)).toEqual([
      `  SHC peak     ${formatNumber(s.shcPeak!.value)} at window ${s.shcPeak!.window} (checkpoint ${s.shcPeak!.checkpoint})`,
      `  PR minimum   ${formatNumber(s.prMin!.value)} at window ${s.prMin!.window} (checkpoint ${s.prMin!.checkpoint})`,
      '  warnings     none (baseline 200, z > 6, 3 in a row)',
      `  baselines    ${compareIndicators({ data, shape: [T, n] }, a, { warning: { baseline: 200, minBaseline: 200 } }).versusBaselines.text}`,
      '',
    ]);
  });

  it('--transition overrides meta.json; --groups overrides its groups', async () => {
    const gfile = writeText(join(dir, 'groups.txt'), Array.from({ length: n }, (_, i) => (i % 2 ? 'odd' : 'even')).join('\n'));
    const r = await runCliHere(['analyze', npy, '--window', '12', '--top-k', '1', ...WARN, '--transition', '1000', '--groups', gfile, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.transition).toBe(1000);
    expect(doc.summary.transition).toEqual({ step: 1000, checkpoint: 10 });
    expect(Object.keys(doc.summary.blockEnergy).sort()).toEqual(['even', 'odd']);
    expect(doc.groups).toHaveLength(n);
  });

  it('--out .csv and .npz', async () => {
    const csv = join(dir, 'r.csv');
    const npz = join(dir, 'r.npz');
    expect((await runCliHere(['analyze', bare, '--window', '12', '--out', csv])).code).toBe(0);
    expect((await runCliHere(['analyze', bare, '--window', '12', '--top-k', '2', '--out', npz])).code).toBe(0);
    const a = analyzeSync({ data, shape: [T, n] }, { window: 12, topK: 2 });
    const rows = readFileSync(csv, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rows).toHaveLength(1 + a.windows);
    expect(rows[1]!.split(',').slice(0, 7).map(Number)).toEqual([0, 11, a.trace[0], a.pr[0], a.entropy[0], a.shc[0], a.topShare[0]]);
    const z = decodeNpz(new Uint8Array(readFileSync(npz)), npz);
    expect(z.get('eigenvectors')!.values).toEqual(a.eigenvectors);
  });

  it('a [T, K, n] perturbation file: the Gaussian 2RDM', async () => {
    const blocks = lossMatrix(4 * 8, 5, 2);
    const g = join(dir, 'gauss.npy');
    writeFileSync(g, encodeNpy({ values: blocks, shape: [4, 8, 5] }));
    const r = await runCliHere(['analyze', g, '--top-k', '1', '--json']);
    expect(r.code).toBe(0);
    const ref = gram2rdmSync({ data: blocks, shape: [4, 8, 5] }, { topK: 1 });
    expect(JSON.parse(r.stdout).shc).toEqual(Array.from(ref.shc));
    const human = await runCliHere(['analyze', g]);
    expect(human.stdout.split('\n')[2]).toBe('  analysis     Gaussian 2RDM per checkpoint (K = 8 samples), transform none, beta 1, top-k 0: 4 windows, 0 degenerate');
    expectUsage(
      await runCliHere(['analyze', g, '--window', '4']),
      'analyze',
      `window = 4 does not apply to ${g}: it holds [T, K, n] perturbation blocks, and each block of K = 8 samples is analysed on its own (the Gaussian 2RDM)`,
    );
  });

  it('usage errors exit 2 with ERR_RDM2_USAGE', async () => {
    expectUsage(await runCliHere(['analyze']), 'analyze', "missing required argument 'file'");
    expectUsage(await runCliHere(['analyze', bare, 'extra', '--window', '5']), 'analyze', "too many arguments for 'analyze'. Expected 1 argument but got 2.");
    expectUsage(await runCliHere(['analyze', bare, '--window', 'abc']), 'analyze', "option '--window <W>' argument 'abc' is invalid. expected an integer >= 2 or 'auto'");
    expectUsage(await runCliHere(['analyze', bare, '--window', '1']), 'analyze', "option '--window <W>' argument '1' is invalid. expected an integer >= 2 or 'auto'");
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--beta', '-1']), 'analyze', "option '--beta <B>' argument '-1' is invalid. expected a finite number > 0");
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--threads', '0']), 'analyze', "option '--threads <N>' argument '0' is invalid. expected an integer from 1 to 1024");
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--transition', 'soon']), 'analyze', "option '--transition <step>' argument 'soon' is invalid. expected a finite number");
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--chunk-mb', '1e9']), 'analyze', "option '--chunk-mb <MB>' argument '1e9' is invalid. expected a finite number > 0 and <= 4096");
    expectUsage(
      await runCliHere(['analyze', bare, '--window', '5', '--detrend', 'quadratic']),
      'analyze',
      "option '--detrend <mode>' argument 'quadratic' is invalid. Allowed choices are none, linear.",
    );
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--out', 'r.txt']), 'analyze', "cannot write a result to r.txt: unknown extension '.txt', expected .json, .csv, .npz, .parquet, .arrow or .feather");
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--json', '--bogus']), 'analyze', "unknown option '--bogus'");
    expectUsage(await runCliHere(['analyze', bare]), 'analyze', `window is required: ${bare} holds [T, n] losses (checkpoints x probes)`);
    expectUsage(await runCliHere(['analyze', bare, '--window', '61']), 'analyze', 'window (61) is longer than the number of checkpoints T = 60');
    expectUsage(await runCliHere(['analyze', bare, '--window', '5', '--top-k', '5']), 'analyze', 'topK (5) exceeds the largest possible rank min(W-1, n) = 4');
    expect(await runCliHere(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: "rdm2: error: unknown command 'frobnicate' [ERR_RDM2_USAGE]\n(run 'rdm2 --help' for usage)\n" });
  });

  it('files that cannot be read exit 1 with ERR_RDM2_FILE, writing nothing', async () => {
    const out = join(dir, 'never.json');
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, readFileSync(bare).subarray(0, 500));
    const r = await runCliHere(['analyze', cut, '--window', '5', '--out', out]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `rdm2 analyze: error: ${cut}: byte 500: truncated: the header declares shape (60, 20) float64 (9600 bytes of data from byte 128), but the file ends after 372 bytes of data [ERR_RDM2_FILE]\n`,
    });
    expect(existsSync(out)).toBe(false);
    const ragged = writeText(join(dir, 'ragged.csv'), '1,2,3\n4,5,6\n7,8\n');
    expect(await runCliHere(['analyze', ragged, '--window', '2', '--out', out])).toEqual({
      code: 1,
      stdout: '',
      stderr: `rdm2 analyze: error: ${ragged}: line 3: 2 fields, expected 3 like line 1 [ERR_RDM2_FILE]\n`,
    });
    expect(existsSync(out)).toBe(false);
    const missing = join(dir, 'missing.npy');
    expect(await runCliHere(['analyze', missing, '--window', '5'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `rdm2 analyze: error: ${missing}: cannot read: no such file (ENOENT) [ERR_RDM2_FILE]\n`,
    });
    const gfile = writeText(join(dir, 'three.json'), '["a", "b", "c"]');
    expect(await runCliHere(['analyze', bare, '--window', '5', '--top-k', '1', '--groups', gfile])).toEqual({
      code: 1,
      stdout: '',
      stderr: `rdm2 analyze: error: ${gfile}: 3 labels, expected 20 (one per probe of ${bare}) [ERR_RDM2_FILE]\n`,
    });
    const nan = data.slice();
    nan[3] = NaN;
    const csv = writeCsv(join(dir, 'nan.csv'), nan, T, n);
    expect(await runCliHere(['analyze', csv, '--window', '5'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `rdm2 analyze: error: ${csv}: line 1, field 4: NaN is not finite, expected a finite loss (nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead) [ERR_RDM2_FILE]\n`,
    });
    const skipped = await runCliHere(['analyze', csv, '--window', '5', '--non-finite', 'skip-window', '--json']);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout).degenerate.slice(0, 2)).toEqual([1, 0]);
  });
});
