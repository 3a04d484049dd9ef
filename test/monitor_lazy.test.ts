// Without a warning detector (warn: false) and without eigenvectors (topK 0) nothing needs a
// window's spectrum at every push, so the monitor journals each window (the new row's W Gram
// values; the whole Gram after a reference move) and solves it only when a summary's
// spectral field is first read: a push costs its dot products. The numbers are the same as an
// eager monitor's, read at any time later, after a snapshot, even after close().
import { describe, expect, it } from 'vitest';
import { SpectralMonitor, type MonitorOptions, type MonitorWindow } from '../lib/index.js';
import { native, PUSH_CHECK, PUSH_LAZY } from '../lib/native.js';
import { expectError, randomMatrix } from './helpers.js';
import { rng } from '../bench/reference/naive.js';

const n = 20, W = 8, T = 60;
const data = randomMatrix(T, n, rng(5).normal);
const rows = Array.from({ length: T }, (_, t) => data.subarray(t * n, (t + 1) * n));
const SPECTRAL = ['trace', 'pr', 'entropy', 'shc', 'topShare', 'degenerate', 'eigenvalues'] as const;

describe('lazy summaries', () => {
  // A detector that never fires keeps the eager monitor's summaries comparable (warning null).
  const eager = new SpectralMonitor({ probes: n, window: W, warn: { z: 1e9 } });
  const expected = rows.map((r, t) => eager.push(r, 10 * t));

  it('equal the eager monitor\'s, field by field and as JSON, read late and after close()', () => {
    const lazy = new SpectralMonitor({ probes: n, window: W, warn: false });
    const got = rows.map((r, t) => lazy.push(r, 10 * t));
    lazy.close();
    got.forEach((s, t) => {
      const e = expected[t];
      if (!e) return expect(s).toBeNull();
      expect(s!.step).toBe(e.step);
      expect(s!.index).toBe(e.index);
      expect(s!.warning).toBeNull();
      for (const key of SPECTRAL) expect(s![key], `${key} at ${t}`).toEqual(e[key]);
      expect(JSON.stringify(s)).toBe(JSON.stringify(e));
    });
  });

  it('a summary read once is computed once (the same arrays on every read)', () => {
    const lazy = new SpectralMonitor({ probes: n, window: W, warn: false });
    let last = null;
    for (const r of rows) last = lazy.push(r) ?? last;
    expect(last!.eigenvalues).toBe(last!.eigenvalues);
  });

  it('with a detector or eigenvectors the summaries are plain objects', () => {
    const withVectors = new SpectralMonitor({ probes: n, window: W, warn: false, topK: 1 });
    let s = null;
    for (const r of rows.slice(0, W)) s = withVectors.push(r);
    expect(Object.keys(s!)).toEqual(expect.arrayContaining(['trace', 'shc', 'eigenvectors']));
    expect(Object.keys(expected[W]!)).toEqual(expect.arrayContaining(['trace', 'shc', 'eigenvalues', 'warning']));
  });
});

// Every spectral field and the JSON of a window, as one comparable value.
function numbers(s: MonitorWindow | null): unknown {
  if (!s) return null;
  return { json: JSON.stringify(s), ...Object.fromEntries(SPECTRAL.map((k) => [k, s[k]])) };
}

describe('lazy windows read from the journal', () => {
  // Long enough to fill several journal chunks (a chunk holds 2^16 doubles: at W = 16 a base
  // record is 263 of them and a column record 23, so one chunk lasts about 1,700 pushes) and to
  // move the reference every W pushes; outliers far from the window force rebuilds, NaN rows
  // (skip-window) journal zero columns and degenerate windows.
  const N = 24, Wl = 16, T = 4000;
  const r = rng(11);
  const big = randomMatrix(T, N, () => 3 + r.normal());
  for (let t = 0; t < T; t++) {
    if (t % 211 === 50) big.fill(1e9, t * N, (t + 1) * N);
    if (t % 307 === 90) big[t * N + 5] = NaN;
    if (t >= 2000) for (let c = 0; c < N; c++) big[t * N + c] += 0.01 * (t - 2000);
  }
  const bigRows = Array.from({ length: T }, (_, t) => big.subarray(t * N, (t + 1) * N));
  const options: MonitorOptions = { probes: N, window: Wl, nonFinite: 'skip-window' };
  const eagerMonitor = new SpectralMonitor({ ...options, warn: { z: 1e9 } });
  const eagerWindows = bigRows.map((row, t) => numbers(eagerMonitor.push(row, t)));

  it('equal the eager windows whether read at once, at the end, or in any order', () => {
    const atOnce = new SpectralMonitor({ ...options, warn: false });
    const late = new SpectralMonitor({ ...options, warn: false });
    const held: (MonitorWindow | null)[] = [];
    bigRows.forEach((row, t) => {
      expect(numbers(atOnce.push(row, t)), `window at row ${t}, read at once`).toEqual(eagerWindows[t]);
      held.push(late.push(row, t));
    });
    expect(eagerWindows.filter((w) => w !== null && (w as { degenerate: boolean }).degenerate).length).toBeGreaterThan(10);
    // Backwards, then every window again: a read never disturbs another window's record.
    for (let t = T - 1; t >= 0; t -= 1) expect(numbers(held[t]!), `window at row ${t}, read late`).toEqual(eagerWindows[t]);
    held.forEach((w, t) => expect(numbers(w), `window at row ${t}, read twice`).toEqual(eagerWindows[t]));
  });

  it('read after a snapshot, a restore and more pushes on both monitors', () => {
    const first = new SpectralMonitor({ ...options, warn: false });
    const before = bigRows.slice(0, 1000).map((row, t) => first.push(row, t));
    const second = SpectralMonitor.restore(first.snapshot());
    const fromFirst = bigRows.slice(1000, 1500).map((row, i) => first.push(row, 1000 + i));
    const fromSecond = bigRows.slice(1000, 1500).map((row, i) => second.push(row, 1000 + i));
    before.forEach((w, t) => expect(numbers(w), `row ${t}`).toEqual(eagerWindows[t]));
    fromFirst.forEach((w, i) => expect(numbers(w), `row ${1000 + i}`).toEqual(eagerWindows[1000 + i]));
    fromSecond.forEach((w, i) => expect(numbers(w), `restored, row ${1000 + i}`).toEqual(eagerWindows[1000 + i]));
  });

  it('read after close(); the closed monitor refuses pushes with a coded error', () => {
    const m = new SpectralMonitor({ ...options, warn: false });
    const held = bigRows.slice(0, 600).map((row, t) => m.push(row, t));
    m.close();
    expectError(() => m.push(bigRows[600]!), 'ERR_RDM2_CLOSED', /closed/);
    held.forEach((w, t) => expect(numbers(w), `row ${t}`).toEqual(eagerWindows[t]));
  });

  it('rows given as views at any byte offset (float32 and float64) read the view, not its buffer\'s start', () => {
    const viewed = new SpectralMonitor({ ...options, warn: false });
    const copied = new SpectralMonitor({ ...options, warn: false });
    const f32 = new Float32Array(3 + 200 * N);
    for (let t = 0; t < 200; t++) {
      f32.set(bigRows[t]!, 3 + t * N);
      const padded = new Float64Array(5 + N);
      padded.set(f32.subarray(3 + t * N, 3 + (t + 1) * N), 5);
      const view = t % 2 ? f32.subarray(3 + t * N, 3 + (t + 1) * N) : padded.subarray(5);
      const a = viewed.push(view, t);
      const b = copied.push(Float64Array.from(f32.subarray(3 + t * N, 3 + (t + 1) * N)), t);
      expect(numbers(a), `row ${t}`).toEqual(numbers(b));
    }
  });

  it('a row whose buffer was detached (transferred) is refused with a coded error and changes nothing', () => {
    const m = new SpectralMonitor({ ...options, warn: false });
    const held = bigRows.slice(0, 40).map((row, t) => m.push(row, t));
    const copy = Float64Array.from(bigRows[40]!);
    structuredClone(copy.buffer, { transfer: [copy.buffer] });
    expect(copy.length).toBe(0);
    expectError(() => m.push(copy), 'ERR_RDM2_SHAPE', /0 values/);
    held.push(...bigRows.slice(40, 80).map((row, i) => m.push(row, 40 + i)));
    held.forEach((w, t) => expect(numbers(w), `row ${t}`).toEqual(eagerWindows[t]));
  });
});

describe('the native journal', () => {
  it('is native memory behind an opaque handle: offsets are checked, other objects refused, a lazy push needs room first', () => {
    const core = new (native().NativeMonitor)({ probes: n, window: W, topK: 0, detrend: 'none', transform: 'none', beta: 1, nonFinite: 'error' });
    // Pushes that leave the window unfilled need no journal; the one that fills it does, and is refused whole.
    for (let t = 0; t < W - 1; t++) expect(core.push(rows[t]!, PUSH_LAZY | PUSH_CHECK)).toBeNull();
    expect(() => core.push(rows[W - 1]!, PUSH_LAZY | PUSH_CHECK)).toThrow(/no room for a record/);
    const journal = core.newJournal();
    expect(Object.keys(journal)).toEqual([]);
    expect(ArrayBuffer.isView(journal)).toBe(false);
    const base = core.push(rows[W - 1]!, PUSH_LAZY | PUSH_CHECK) as number;
    expect(base).toBe(7 + W * W); // the first record of a block is a base: header and the W x W Gram
    const column = core.push(rows[W]!, PUSH_LAZY | PUSH_CHECK) as number;
    expect(column - base).toBe(7 + W); // then a column record: header and W values
    expect(core.journalLimit()).toBe(2 ** 16 - (7 + W * W));
    expect(core.solveJournal(journal, 0).shc).toBeGreaterThan(0);
    expect(core.solveJournal(journal, base).shc).toBeGreaterThan(0);
    for (const at of [-1, 1, base - 1, base + 1, column, 2 ** 16 - 1, 2 ** 16, 1e300, 0.5, NaN]) {
      expect(() => core.solveJournal(journal, at), `at ${at}`).toThrow(/not a window of this monitor's journal/);
    }
    for (const other of [new Float64Array(2 ** 16), {}, null, native()]) {
      expect(() => core.solveJournal(other as never, 0)).toThrow(/solveJournal\(journal, at\)/);
    }
    const window = core.solveJournal(journal, base);
    core.close();
    expect(core.solveJournal(journal, base)).toEqual(window);
  });
});

describe('the row scan of a push', () => {
  it('names the first unusable loss wherever it is in a long row (blocks, tail, several), float32 and float64', () => {
    const len = 1003; // not a multiple of any register block: a tail is scanned too
    for (const Ctor of [Float32Array, Float64Array]) {
      const m = new SpectralMonitor({ probes: len, window: 4, warn: false });
      const good = (t: number) => {
        const row = new Ctor(len);
        for (let c = 0; c < len; c++) row[c] = 1 + Math.sin(t + c);
        return row;
      };
      for (let t = 0; t < 5; t++) m.push(good(t));
      for (const [bad, value] of [[[0], NaN], [[31], Infinity], [[32, 33], -Infinity], [[517, 3], NaN], [[999, 1002], NaN], [[1002], Infinity]] as [number[], number][]) {
        const row = good(9);
        for (const c of bad) row[c] = value;
        const first = Math.min(...bad);
        expectError(() => m.push(row), 'ERR_RDM2_NON_FINITE', new RegExp(`row 5, column ${first}: `));
      }
      expect(m.rowsPushed).toBe(5);
      const skip = new SpectralMonitor({ probes: len, window: 4, warn: false, nonFinite: 'skip-window' });
      const windows = Array.from({ length: 8 }, (_, t) => {
        const row = good(t);
        if (t === 5) row[len - 1] = NaN;
        return skip.push(row);
      });
      expect(windows.map((w) => w?.degenerate ?? null)).toEqual([null, null, null, false, false, true, true, true]);
    }
  });
});
