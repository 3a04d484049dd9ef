// `watch` in this process: following a growing file, the result against analyzeFile of the
// finished file, resuming after a stop, half-written rows, and every refusal.
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyzeFile, detectWarnings, summarizeFile, watch, type WatchProgress, type WatchWarning } from '../lib/index.js';
import { encodeRowStreamHeader, encodeRowStreamRecord } from '../lib/io/row_stream.js';
import { expectReject } from './helpers.js';
import { tempDir } from './io_fixtures.js';
import { expectSameResult, GROUPS, Z_AGREES, produce, PROBES, stepOf, transitionRun, writeGroupsSidecar } from './watch_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const W = 16;
const T = 180;
const data = transitionRun(T, 7);

async function reference(path: string) {
  const fa = await analyzeFile(path, { window: W, topK: 1 });
  return { ...fa, summary: summarizeFile(fa, {}) };
}

describe('watch follows a growing file', () => {
  for (const ext of ['rows', 'jsonl'] as const) {
    it(`${ext}: a producer appends at intervals; the watch ends on its end marker with analyze's results and warnings`, async () => {
      const dir = tempDir('rdm2-watch-');
      const path = join(dir, `live.${ext}`);
      writeGroupsSidecar(path);
      const producing = produce(path, data, { to: T, delayMs: 2 });
      const warnings: WatchWarning[] = [];
      const progress: WatchProgress[] = [];
      const updates: number[] = [];
      const r = await watch(dir, {
        window: W,
        pollMs: 5,
        batchBytes: 4096,
        onWarning: (w) => void warnings.push(w),
        onProgress: (p) => progress.push(p),
        onUpdate: (live) => updates.push(live.windows),
      });
      await producing;
      expect(r.status).toBe('ended');
      expect(r.file).toBe(path);
      expect(r.resumed).toBe(false);
      expect(r.rows).toBe(T);
      const want = await reference(path);
      expectSameResult(r.result!, want);
      // Warnings as they happened: the batch detector's, window for window, with the groups of the top eigenvector.
      const batch = detectWarnings(want.analysis.shc, {}, want.windowSteps!).warnings;
      expect(batch.length).toBeGreaterThan(0);
      expect(warnings.map((w) => [w.window, w.step, w.startWindow])).toEqual(batch.map((w) => [w.index, w.step, w.startIndex]));
      warnings.forEach((w, k) => expect(Math.abs(w.z - batch[k]!.z)).toBeLessThanOrEqual(Z_AGREES * Math.abs(batch[k]!.z)));
      expect(warnings[0]!.groups![0]!.group).toBe('B');
      expect(warnings[0]!.groups!.reduce((a, g) => a + g.energy, 0)).toBeCloseTo(1, 6);
      expect(warnings[0]!.checkpoint).toBe(want.analysis.t[warnings[0]!.window]);
      expect(r.warnings).toEqual(warnings);
      // It followed: several batches, and it saw the producer ahead of it at some point.
      expect(new Set(updates).size).toBeGreaterThan(3);
      expect(progress.some((p) => p.phase === 'following' && p.rows > 0 && p.rows < T)).toBe(true);
      expect(progress.at(-1)).toMatchObject({ phase: 'ended', rows: T, windows: T - W + 1 });
    });
  }

  it('waits for the file to appear, and for its first whole row', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'late.rows');
    const phases: string[] = [];
    const watching = watch(path, { window: W, pollMs: 5, onProgress: (p) => phases.push(p.phase) });
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(path, encodeRowStreamHeader(PROBES, 'float64').subarray(0, 40)); // not even a whole header yet
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(path, encodeRowStreamHeader(PROBES, 'float64').subarray(40));
    appendFileSync(path, encodeRowStreamRecord(stepOf(0), data.subarray(0, PROBES), 'float64').subarray(0, 30)); // half a row
    await new Promise((r) => setTimeout(r, 60));
    truncateSync(path, 64);
    for (let t = 0; t < T; t++) appendFileSync(path, encodeRowStreamRecord(stepOf(t), data.subarray(t * PROBES, (t + 1) * PROBES), 'float64'));
    appendFileSync(path, encodeRowStreamRecord(-1, new Float64Array(PROBES), 'float64'));
    const r = await watching;
    expect(phases[0]).toBe('waiting');
    expect(r.status).toBe('ended');
    expectSameResult(r.result!, await reference(path));
  });
});

describe('analysis options', () => {
  it('detrend, log transform, beta and skip-window NaN rows: the same result as analyze with the same options', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'live.jsonl');
    const bad = Float64Array.from(data);
    bad[70 * PROBES + 5] = NaN;
    bad[71 * PROBES + 2] = Infinity;
    await produce(path, bad, { to: T });
    const opts = { window: W, topK: 2, detrend: 'linear' as const, transform: 'log' as const, beta: 2, nonFinite: 'skip-window' as const };
    const r = await watch(path, { ...opts, pollMs: 5, batchBytes: 3000, warning: { baseline: 20, z: 4 } });
    const fa = await analyzeFile(path, opts);
    const want = { ...fa, summary: summarizeFile(fa, { warning: { baseline: 20, z: 4 } }) };
    expect(Array.from(want.analysis.degenerate).filter((d) => d === 1)).toHaveLength(W + 1);
    expectSameResult(r.result!, want);
    expect(r.result!.analysis.options).toMatchObject({ detrend: 'linear', transform: 'log', beta: 2, topK: 2, nonFinite: 'skip-window' });
  });
});

describe('resuming', () => {
  it('a watch stopped after every few batches and started again ends with the same results; no row twice, none skipped', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'live.rows');
    writeGroupsSidecar(path);
    await produce(path, data, { to: T });
    const seen: WatchWarning[] = [];
    let runs = 0;
    let resumedRuns = 0;
    let rowsAtStart = -1;
    for (;;) {
      runs++;
      const ac = new AbortController();
      let first = -1;
      const r = await watch(path, {
        window: W,
        pollMs: 5,
        batchBytes: 7 * (8 + 8 * PROBES),
        signal: ac.signal,
        onWarning: (w) => void seen.push(w),
        onUpdate: (live) => {
          if (first < 0) first = live.rows;
          if (live.rows - first >= 25) ac.abort();
        },
      });
      if (r.resumed) resumedRuns++;
      // Each run starts at the row where the previous one stopped.
      if (runs > 1) expect(first).toBe(rowsAtStart);
      rowsAtStart = r.rows;
      if (r.status === 'ended') {
        expectSameResult(r.result!, await reference(path));
        break;
      }
      expect(r.status).toBe('stopped');
      expect(r.rows % 7).toBe(0);
    }
    expect(runs).toBeGreaterThan(5);
    expect(resumedRuns).toBe(runs - 1);
    // Every warning reported once, in order.
    const want = detectWarnings((await reference(path)).analysis.shc, {}, (await reference(path)).windowSteps!).warnings;
    expect(seen.map((w) => w.window)).toEqual(want.map((w) => w.index));
    // A finished state answers again without reading.
    const again = await watch(path, {});
    expect(again).toMatchObject({ status: 'ended', resumed: true, rows: T });
    expectSameResult(again.result!, await reference(path));
  });

  it('a half-written last row is never read: the watch waits, then reads it once the producer completes it', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'live.rows');
    const w = await produce(path, data, { to: 50, finish: false });
    const record = encodeRowStreamRecord(stepOf(50), data.subarray(50 * PROBES, 51 * PROBES), 'float64');
    appendFileSync(path, record.subarray(0, 37)); // the producer is killed mid-row
    const progress: WatchProgress[] = [];
    const stoppedRun = await watch(path, { window: W, pollMs: 5, idleTimeoutMs: 80, onProgress: (p) => progress.push(p) });
    expect(stoppedRun).toMatchObject({ status: 'idle', rows: 50, windows: 50 - W + 1 });
    expect(progress.at(-1)).toMatchObject({ lagBytes: 37, lagRows: 0 });
    // The producer resumes: it cuts its partial record (as the recorder's resume does) and goes on.
    truncateSync(path, 64 + 50 * record.length);
    await produce(path, data, { from: 50, to: T, writer: w });
    const r = await watch(path, { window: W, pollMs: 5 });
    expect(r).toMatchObject({ status: 'ended', resumed: true, rows: T });
    expectSameResult(r.result!, await reference(path));
  });

  it('JSONL: a last line without its newline is not read', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'live.jsonl');
    const w = await produce(path, data, { to: 40, finish: false });
    const line = JSON.stringify({ step: stepOf(40), losses: Array.from(data.subarray(40 * PROBES, 41 * PROBES)) });
    appendFileSync(path, line.slice(0, 50));
    const first = await watch(path, { window: W, pollMs: 5, idleTimeoutMs: 80 });
    expect(first).toMatchObject({ status: 'idle', rows: 40 });
    appendFileSync(path, line.slice(50) + '\n\n');
    truncateSync(path, readFileSync(path).length - 1);
    const more = await watch(path, { pollMs: 5, idleTimeoutMs: 80 });
    expect(more).toMatchObject({ status: 'idle', rows: 41, resumed: true });
    await produce(path, data, { from: 41, to: T, writer: w });
    const r = await watch(path, { pollMs: 5 });
    expectSameResult(r.result!, await reference(path));
  });
});

describe('refusals', () => {
  async function stoppedState(): Promise<{ dir: string; path: string }> {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'live.rows');
    await (await produce(path, data, { to: 60, finish: false })).close({ finished: false });
    expect((await watch(path, { window: W, pollMs: 5, idleTimeoutMs: 50 })).status).toBe('idle');
    return { dir, path };
  }

  it('other options on resume, another file for the state, a replaced file, a corrupt state; --restart starts over', async () => {
    const { dir, path } = await stoppedState();
    await expectReject(watch(path, { window: W + 1, pollMs: 5 }), 'ERR_RDM2_USAGE', /window = 17, but the saved watch state was made with window = 16/);
    await expectReject(watch(path, { warning: { z: 3 }, pollMs: 5 }), 'ERR_RDM2_USAGE', /warning z = 3, but the saved watch state was made with 6/);
    const other = join(dir, 'other.rows');
    await (await produce(other, data, { to: 60, finish: false })).close({ finished: false });
    await expectReject(watch(other, { state: `${path}.watch`, pollMs: 5 }), 'ERR_RDM2_USAGE', /belongs to .*live\.rows, not .*other\.rows/);
    // The file is rewritten with other values: its last row read no longer matches.
    const spoiled = readFileSync(path);
    spoiled[64 + 59 * (8 + 8 * PROBES) + 20] ^= 0xff;
    writeFileSync(path, spoiled);
    await expectReject(watch(path, { pollMs: 5, idleTimeoutMs: 50 }), 'ERR_RDM2_FILE', /the last row this watch read has changed/);
    truncateSync(path, 64 + 10 * (8 + 8 * PROBES));
    await expectReject(watch(path, { pollMs: 5, idleTimeoutMs: 50 }), 'ERR_RDM2_FILE', /fewer than the \d+ this watch had read/);
    const statePath = join(`${path}.watch`, 'state.bin');
    const state = readFileSync(statePath);
    state[state.length - 10] ^= 1;
    writeFileSync(statePath, state);
    await expectReject(watch(path, { pollMs: 5 }), 'ERR_RDM2_SNAPSHOT', /invalid watch state: checksum mismatch/);
    const r = await watch(path, { window: W, restart: true, pollMs: 5, idleTimeoutMs: 50 });
    expect(r).toMatchObject({ status: 'idle', resumed: false, rows: 10 });
  });

  it('a second watch on the same state is refused while the first runs; a stale lock is taken over', async () => {
    const { path } = await stoppedState();
    const ac = new AbortController();
    const first = watch(path, { pollMs: 5, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    await expectReject(watch(path, { pollMs: 5 }), 'ERR_RDM2_FILE', new RegExp(`another watch \\(pid ${process.pid}\\)`));
    ac.abort();
    expect((await first).status).toBe('stopped');
    writeFileSync(join(`${path}.watch`, 'lock'), '999999999');
    expect((await watch(path, { pollMs: 5, idleTimeoutMs: 30 })).status).toBe('idle');
    expect(existsSync(join(`${path}.watch`, 'lock'))).toBe(false);
  });

  it('a NaN loss names its record; a wrong extension, a missing directory, a directory with two streams', async () => {
    const dir = tempDir('rdm2-watch-');
    const path = join(dir, 'nan.rows');
    const bad = Float64Array.from(data.subarray(0, 30 * PROBES));
    bad[20 * PROBES + 3] = NaN;
    await produce(path, bad, { to: 30 });
    await expectReject(watch(path, { window: W, pollMs: 5 }), 'ERR_RDM2_NON_FINITE', /nan\.rows: record 20 \(byte \d+\): column 3: NaN is not finite/);
    await expectReject(watch(join(dir, 'x.npy'), { window: W }), 'ERR_RDM2_USAGE', /follows \.rows row streams and \.jsonl/);
    await expectReject(watch(join(dir, 'nope', 'x.rows'), { window: W }), 'ERR_RDM2_USAGE', /neither it nor its directory .* exists/);
    const two = join(dir, 'two');
    mkdirSync(two);
    writeFileSync(join(two, 'a.rows'), '');
    writeFileSync(join(two, 'b.jsonl'), '');
    await expectReject(watch(two, { window: W }), 'ERR_RDM2_USAGE', /holds several loss streams \(a\.rows, b\.jsonl\)/);
    await expectReject(watch(path, { pollMs: 5, restart: true }), 'ERR_RDM2_OPTION', /window is required to start a watch/);
    await expectReject(watch(path, { window: 1, pollMs: 5, restart: true }), 'ERR_RDM2_OPTION', /window must be an integer >= 2/);
    expect(GROUPS.length).toBe(PROBES);
  });
});
