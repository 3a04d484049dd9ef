// `rdm2 sensitivity`: the printed table, --out .csv/.json and --html, each cell against an
// independent analysis at its setting, and the usage errors with their exit status.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { encodeNpy } from '../lib/io/npy.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { detectWarnings, windowSteps } from '../lib/stats/index.js';
import { countMarks, parseStrictHtml } from './report_helpers.js';
import { runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const sc = syntheticScenario({ seed: 4, steps: 160, center: 100, stepInterval: 10, probes: 24 });
const dir = tempDir('rdm2-sens-');
const file = writeNpy(join(dir, 'run', 'losses.npy'), sc.losses.data, 160, 24);
writeText(join(dir, 'run', 'meta.json'), JSON.stringify({ steps: Array.from(sc.steps), transition: sc.transitionStep }));
const GRID = ['--windows', '12,24', '--detrend', 'none,linear', '--transform', 'none,log', '--threads', '1'];

/** The first warning and peak of an independent analysis at one setting. */
function reference(window: number, detrend: 'none' | 'linear', transform: 'none' | 'log', warning = {}) {
  const a = analyzeSync(sc.losses, { window, detrend, transform, threads: 1 });
  const ws = windowSteps(a, sc.steps);
  let peak = 0;
  for (let j = 0; j < a.windows; j++) if (a.shc[j] > a.shc[peak]) peak = j;
  const w = detectWarnings(a.shc, warning, ws).warnings;
  return { peakStep: ws[peak], first: w.length ? w[0].step : null, count: w.length };
}

describe('rdm2 sensitivity', () => {
  it('prints one line per setting, each the independent analysis at that setting, and the verdict', async () => {
    const r = await runCliHere(['sensitivity', file, ...GRID]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`rdm2 sensitivity: ${file}`);
    expect(lines[1]).toBe(`  transition step ${sc.transitionStep} (checkpoint ${sc.transitionCheckpoint})`);
    expect(lines[2]).toBe('  detector   baseline 10 to 40, z > 6, 3 in a row');
    expect(lines[3].trim().split(/\s{2,}/)).toEqual(['W', 'detrend', 'transform', 'SHC peak step', 'first warning', 'warnings', 'lead (steps)']);
    const rows = lines.slice(4, 12).map((l) => l.trim().split(/\s+/));
    let k = 0;
    for (const W of [12, 24]) {
      for (const d of ['none', 'linear'] as const) {
        for (const t of ['none', 'log'] as const) {
          const ref = reference(W, d, t);
          expect(rows[k], `W ${W} ${d} ${t}`).toEqual([
            String(W), d, t, String(ref.peakStep), ref.first === null ? 'none' : String(ref.first), String(ref.count), ref.first === null ? '-' : String(sc.transitionStep - ref.first),
          ]);
          k++;
        }
      }
    }
    expect(lines[12]).toMatch(/^ {2}verdict {4}The first SHC warning came before the transition in \d+ of 8 settings/);
  });

  it('--out writes the table as CSV or JSON, --html a page with the heatmap; warning flags apply', async () => {
    const csv = join(dir, 'grid.csv');
    const json = join(dir, 'grid.json');
    const html = join(dir, 'grid.html');
    const warn = ['--warn-z', '4', '--warn-min-baseline', '6'];
    expect((await runCliHere(['sensitivity', file, ...GRID, ...warn, '--out', csv, '--html', html])).code).toBe(0);
    expect((await runCliHere(['sensitivity', file, ...GRID, ...warn, '--out', json])).code).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# rdm2 .* sensitivity of .*losses\.npy; transition step 1000 \(checkpoint 100\); detector baseline 6\.\.40, z 4, consecutive 3$/);
    expect(lines[1]).toBe('window,detrend,transform,peakWindow,peakCheckpoint,peakStep,peakHeight,peakLeadSteps,warningCount,firstWarningStep,leadSteps,leadCheckpoints,tau,tauPValue');
    expect(lines).toHaveLength(10);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.window).toEqual([12, 12, 12, 12, 24, 24, 24, 24]);
    expect(doc.transform).toEqual(['none', 'log', 'none', 'log', 'none', 'log', 'none', 'log']);
    doc.window.forEach((W: number, r: number) => {
      const ref = reference(W, doc.detrend[r], doc.transform[r], { z: 4, minBaseline: 6 });
      expect(doc.firstWarningStep[r]).toBe(ref.first);
      expect(doc.warningCount[r]).toBe(ref.count);
      const cells = lines[2 + r].split(',');
      expect(cells.slice(0, 3)).toEqual([String(W), doc.detrend[r], doc.transform[r]]);
      expect(cells[9]).toBe(ref.first === null ? '' : String(ref.first));
    });
    const page = readFileSync(html, 'utf8');
    parseStrictHtml(page);
    expect(countMarks(page, 'sens_cells')).toBe(8);
    expect(countMarks(page, 'sens_text')).toBe(8);
    expect(countMarks(page, 'sens_values')).toBe(doc.firstWarningStep.filter((v: number | null) => v !== null).length);
  });

  it('rdm2 report --sensitivity adds the section (grid W/2, W, 2W x none, linear x none, log); --window auto says why', async () => {
    const html = join(dir, 'report.html');
    const r = await runCliHere(['report', file, '--window', 'auto', '--threads', '1', '--sensitivity', '--out', html]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    parseStrictHtml(page);
    expect(page).toContain('<section id="sensitivity"');
    expect(countMarks(page, 'sens_cells')).toBe(3 * 2 * 2); // W 8, 16, 32 (auto chose 16 = max(10, T / 10))
    expect(page).toContain('Window (auto)');
    expect(page).toContain('W = 16: autocorrelation time');
    const result = join(dir, 'result.json');
    expect((await runCliHere(['analyze', file, '--window', '16', '--out', result])).code).toBe(0);
    const refused = await runCliHere(['report', result, '--sensitivity', '--out', join(dir, 'r2.html')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--sensitivity needs the losses');
  });

  it('usage errors exit 2; an unreadable file exits 1', async () => {
    const usage = async (args: string[], message: string) => {
      const r = await runCliHere(['sensitivity', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    };
    await usage([file], "required option '--windows <W,...>' not specified");
    await usage([file, '--windows', '10,,20'], 'expected a comma-separated list with no empty item');
    await usage([file, '--windows', '10,1'], "expected window sizes (integers >= 2), got '1'");
    await usage([file, '--windows', '10', '--detrend', 'none,cubic'], "expected none or linear, got 'cubic'");
    await usage([file, '--windows', '10', '--transform', 'sqrt'], "expected none or log, got 'sqrt'");
    await usage([file, '--windows', '10', '--out', join(dir, 'x.txt')], 'unknown extension, expected .csv or .json');
    await usage([file, '--windows', '500'], 'window (500) is longer than the number of checkpoints T = 160');
    const pert = join(dir, 'pert.npy');
    writeFileSync(pert, encodeNpy({ values: new Float64Array(24).fill(1), shape: [2, 4, 3] }));
    await usage([pert, '--windows', '2'], 'holds [T, K, n] perturbation blocks');
    const r = await runCliHere(['sensitivity', join(dir, 'missing.npy'), '--windows', '10']);
    expect(r.code).toBe(1);
  });
});
