// The live page of `rdm2 watch --serve` as a person sees it, in the system Chromium: points arrive
// (two screenshots differ), no console errors, every request to 127.0.0.1 only. Never skipped.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startLiveServer, watch, type LiveWatch } from '../lib/index.js';
import { decodePng, luminanceVariance } from './report_helpers.js';
import { tempDir } from './io_fixtures.js';
import { produce, transitionRun, writeGroupsSidecar } from './watch_run.js';

vi.setConfig({ testTimeout: 0 });

const CHROMIUM = process.env.RDM2_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VARIANCE_FLOOR = 150;

let profileRoot: string | undefined;
afterAll(async () => {
  if (profileRoot) await rm(profileRoot, { recursive: true, force: true });
});

describe('rdm2 watch --serve in Chromium', () => {
  it('shows new points as windows arrive, offline, with no console errors and no request beyond 127.0.0.1', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: the live page test needs it. Install it with \`apt-get install -y chromium\` (Debian) or set RDM2_CHROMIUM, then rerun. This test does not skip.`);
    }
    const dir = tempDir('rdm2-live-');
    const file = join(dir, 'live.rows');
    writeGroupsSidecar(file);
    const T = 150;
    const data = transitionRun(T, 5, 100);
    const writer = await produce(file, data, { to: 40, finish: false });
    const server = await startLiveServer({ port: 0, minRefreshMs: 50 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    let live: LiveWatch | undefined;
    const watching = watch(file, { window: 16, pollMs: 10, keepLosses: true, onUpdate: (l) => {
        live = l;
        server.update(l);
      },
    });

    profileRoot = await mkdtemp(join(tmpdir(), 'rdm2-live-browser-'));
    const context = await chromium.launchPersistentContext(profileRoot, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 1400 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const elsewhere: string[] = [];
    try {
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith(server.url) || url.startsWith('data:')) await route.continue();
        else {
          elsewhere.push(url);
          await route.abort('blockedbyclient');
        }
      });
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
      page.on('request', (req) => requests.push(req.url()));
      page.on('requestfailed', (req) => consoleErrors.push(`failed: ${req.url()} (${req.failure()?.errorText})`));

      await page.goto(server.url, { waitUntil: 'load' });
      // The first report: the windows of the first 40 rows.
      await page.waitForFunction(() => document.querySelector('section#signals svg') !== null && /live: 40 rows/.test(document.getElementById('rdm2-live-status')!.textContent ?? ''));
      const first = await page.screenshot({ fullPage: false });
      const v1 = Number(await page.evaluate(() => document.body.dataset.version));
      const windows1 = await page.evaluate(() => document.getElementById('rdm2-live-status')!.textContent);

      // The producer goes on to the end of the run: the page follows without a reload.
      await produce(file, data, { from: 40, to: T, delayMs: 2, writer });
      const result = await watching;
      expect(result.status).toBe('ended');
      await server.settled();
      await page.waitForFunction(() => document.getElementById('rdm2-live-status')!.className === 'ended');
      await page.waitForFunction((v) => Number(document.body.dataset.version) > v, v1);
      const second = await page.screenshot({ fullPage: false });
      const status2 = await page.evaluate(() => document.getElementById('rdm2-live-status')!.textContent);
      expect(windows1).toMatch(/^live: 40 rows, 25 windows/);
      expect(status2).toMatch(new RegExp(`^ended: ${T} rows, ${T - 15} windows, [1-9]\\d* warnings?`));
      expect(live!.ended).toBe(true);

      // The two screenshots differ, and neither is blank.
      expect(first.equals(second)).toBe(false);
      for (const png of [first, second]) expect(luminanceVariance(decodePng(png))).toBeGreaterThan(VARIANCE_FLOOR);
      // The page holds the whole report now, with its warnings drawn.
      const sections = await page.evaluate(() => Array.from(document.querySelectorAll('main > section'), (s) => s.id));
      expect(sections).toEqual(['summary', 'losses', 'signals', 'covariance', 'eigenvector', 'spectrum']);
      const scripts = await page.evaluate(() => Array.from(document.scripts, (s) => s.src));
      expect(scripts).toEqual([`${server.url}live.js`]);
      await page.close();
    } finally {
      await context.close();
      await server.close();
    }
    expect(consoleErrors).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(requests.length).toBeGreaterThan(3);
    for (const url of requests) expect(url.startsWith(server.url)).toBe(true);
  });

  it('answers only to this machine\'s names, and serves nothing else', async () => {
    const server = await startLiveServer({ port: 0 });
    try {
      const get = (path: string) => fetch(`${server.url.slice(0, -1)}${path}`);
      expect((await get('/')).status).toBe(200);
      // fetch cannot set Host: a page that rebinds its own name to 127.0.0.1 sends its name.
      const rebound = await new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: `evil.example:${server.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end(),
      );
      expect(rebound).toBe(403);
      expect((await get('/nope')).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
      const page = await (await get('/')).text();
      expect(page).toContain("script-src 'self'");
      expect(page).not.toMatch(/<script[^>]+src="http/);
      expect(await (await get('/status.json')).json()).toMatchObject({ version: 0, windows: 0 });
    } finally {
      await server.close();
    }
  });
});
