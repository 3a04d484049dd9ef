// The report as a person sees it: opened from disk in the system Chromium with the network blocked.
// Never skipped: without Chromium this test fails and says what to install.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSync, buildReport, buildSweepReport, sensitivitySync, summarizeRun, syntheticScenario, windowSteps, type SweepCurve, type SweepRunRecord } from '../lib/index.js';
import { countMarks, decodePng, luminanceVariance } from './report_helpers.js';

// Debian's package; elsewhere (Ubuntu's snap, a custom build) point RDM2_CHROMIUM at the binary.
const CHROMIUM = process.env.RDM2_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** Luminance variance of a blank page is 0; a page of text and charts is in the hundreds or more. */
const VARIANCE_FLOOR = 150;

interface PageCheck {
  consoleErrors: string[];
  failedRequests: string[];
  sections: string[];
  svgs: number;
  marks: Record<string, number>;
  png: Buffer;
}

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rdm2-report-browser-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Opens an HTML file in a fresh Chromium profile with every non-file request blocked, and inspects it. */
async function openInChromium(file: string, markNames: string[]): Promise<PageCheck> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the report browser test needs it. Install it with \`apt-get install -y chromium\` (Debian) or set RDM2_CHROMIUM to a Chromium binary, then rerun. This test does not skip.`);
  }
  const profile = await mkdtemp(join(work, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  try {
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) await route.continue();
      else {
        failedRequests.push(`blocked: ${url}`);
        await route.abort('blockedbyclient');
      }
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith('file:') && !url.startsWith('data:')) failedRequests.push(`request: ${url}`);
    });
    page.on('requestfailed', (req) => failedRequests.push(`failed: ${req.url()} (${req.failure()?.errorText})`));
    const response = await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(response?.ok() ?? true).toBe(true);
    const dom = await page.evaluate((names) => {
      const marks: Record<string, number> = {};
      for (const name of names) {
        let count = 0;
        for (const g of document.querySelectorAll(`g.role-mark.${name}_marks`)) count += g.querySelectorAll(':scope > path, :scope > line, :scope > text').length;
        marks[name] = count;
      }
      return {
        sections: [...document.querySelectorAll('section')].map((s) => s.id),
        svgs: document.querySelectorAll('svg').length,
        marks,
      };
    }, markNames);
    const png = await page.screenshot({ type: 'png', fullPage: true });
    return { consoleErrors, failedRequests, ...dom, png };
  } finally {
    await context.close();
  }
}

describe('the HTML report in Chromium', () => {
  it('shows the run report with no console errors, no requests, every chart drawn, and a page that is not blank', async () => {
    const s = syntheticScenario({ probes: 30, groups: 3, steps: 160, seed: 2, width: 5, stepInterval: 50 });
    const a = analyzeSync(s.losses, { window: 16, topK: 1, threads: 1 });
    const sensitivity = sensitivitySync(s.losses, { windows: [8, 16], transform: ['none', 'log'], transition: s.transitionStep, steps: s.steps, warning: { baseline: 20 }, threads: 1 });
    const { html, charts, summary } = await buildReport(
      a,
      { losses: s.losses, steps: s.steps, groups: s.groups, transition: s.transitionStep, sensitivity, source: 'synthetic (30 probes, seed 2)' },
      { warning: { baseline: 20 } },
    );
    const file = join(work, 'report.html');
    await writeFile(file, html);
    const names = ['probes', 'eigvec_bars', 'energy_bars', 'cov1_cells', 'shares', 'eigenvalues', 'shc_line', 'warning', 'sens_cells', 'sens_text'];
    const page = await openInChromium(file, names);
    if (process.env.RDM2_REPORT_SCREENSHOT) await writeFile(process.env.RDM2_REPORT_SCREENSHOT, page.png);

    expect(page.consoleErrors).toEqual([]);
    expect(page.failedRequests).toEqual([]);
    expect(page.sections).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum', 'sensitivity']);
    expect(page.svgs).toBe(6);
    // The browser sees the marks the SVG strings hold.
    // Mark names are unique across the charts, so each is counted over all of them.
    const allSvg = charts.map((c) => c.svg).join('');
    const expected = Object.fromEntries(names.map((n) => [n, countMarks(allSvg, n)]));
    expect(expected).toMatchObject({ probes: 30, eigvec_bars: 30, energy_bars: 3, cov1_cells: 900, shares: 6, eigenvalues: 5, shc_line: 1, sens_cells: 8, sens_text: 8 });
    expect(expected.warning).toBe(3 * summary.warningCount);
    expect(page.marks).toEqual(expected);

    const png = decodePng(page.png);
    expect(png.width).toBe(1280);
    expect(png.height).toBeGreaterThan(2000);
    expect(luminanceVariance(png)).toBeGreaterThan(VARIANCE_FLOOR);
  });

  it('shows the sweep report the same way', async () => {
    const records: SweepRunRecord[] = [];
    const curves: SweepCurve[] = [];
    for (const [group, seeds] of [['lr=0.1', [1, 2, 3]], ['lr=0.3', [4, 5]]] as const) {
      for (const seed of seeds) {
        const s = syntheticScenario({ probes: 12, steps: 160, seed, width: 8 });
        const a = analyzeSync(s.losses, { window: 16, topK: 1, threads: 1 });
        const sum = summarizeRun(a, { groups: s.groups, transition: s.transitionStep, warning: { baseline: 20, z: 3 } });
        const path = `${group}/seed=${seed}/losses.npy`;
        records.push({ ...sum, path, status: 'ok', error: null });
        curves.push({ path, steps: windowSteps(a), shc: a.shc, pr: a.pr, transition: s.transitionStep });
      }
    }
    records.push({ path: 'lr=0.3/seed=6/losses.npy', status: 'failed', error: 'losses.npy: truncated file' });
    const { html } = await buildSweepReport(records, { reportHref: (r) => `reports/${r.path}.html`, source: 'out/summary.json', curves });
    const file = join(work, 'sweep.html');
    await writeFile(file, html);
    const page = await openInChromium(file, ['lead_runs', 'lead_mean', 'lead_ci', 'sweep_shc', 'sweep_pr', 'sweep_zero']);
    if (process.env.RDM2_SWEEP_SCREENSHOT) await writeFile(process.env.RDM2_SWEEP_SCREENSHOT, page.png);
    expect(page.consoleErrors).toEqual([]);
    expect(page.failedRequests).toEqual([]);
    expect(page.sections).toEqual(['overview', 'lead-times', 'curves', 'runs', 'failed']);
    expect(page.svgs).toBe(2);
    expect(records.map((r) => r.leadSteps)).toEqual([53, 8, 6, 21, 20, undefined]);
    expect(page.marks).toEqual({ lead_runs: 5, lead_mean: 2, lead_ci: 2, sweep_shc: 5, sweep_pr: 5, sweep_zero: 1 });
    expect(luminanceVariance(decodePng(page.png))).toBeGreaterThan(VARIANCE_FLOOR);
  });
});
