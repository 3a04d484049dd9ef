import { describe, expect, it } from 'vitest';
import { analyzeSync, Rdm2Error, SpectralMonitor } from '../lib/index.js';
import { detectWarnings } from '../lib/stats/warnings.js';
import { OBSERVABLE_NAMES } from '../lib/observables.js';
import { naiveWindow, rng } from '../bench/reference/naive.js';
import { expectError, expectRel, randomMatrix } from './helpers.js';

function rowsFrom(data: Float64Array | Float32Array, T: number, n: number) {
  return Array.from({ length: T }, (_, t) => data.subarray(t * n, (t + 1) * n));
}

describe('SpectralMonitor matches the batch analysis', () => {
  const cases = [
    { name: 'Gram path', n: 14, W: 8, detrend: 'none' as const },
    { name: 'Gram path, detrended', n: 14, W: 8, detrend: 'linear' as const },
    { name: 'n x n path', n: 5, W: 9, detrend: 'none' as const },
    { name: 'n x n path, detrended', n: 5, W: 9, detrend: 'linear' as const },
  ];
  for (const c of cases) {
    it(`${c.name}: row-by-row pushes equal analyze to 1e-9 across many wrap-arounds`, () => {
      const T = 12 * c.W;
      const r = rng(100 + c.n + c.W);
      const data = randomMatrix(T, c.n, () => 5 + r.normal());
      const batch = analyzeSync({ data, shape: [T, c.n] }, { window: c.W, detrend: c.detrend, topK: 2, threads: 1 });
      const monitor = new SpectralMonitor({ probes: c.n, window: c.W, detrend: c.detrend, topK: 2 });
      const summaries = rowsFrom(data, T, c.n).map((row, t) => monitor.push(row, 10 * t));
      expect(summaries.slice(0, c.W - 1).every((s) => s === null)).toBe(true);
      const live = summaries.slice(c.W - 1);
      expect(live.length).toBe(batch.windows);
      live.forEach((s, j) => {
        expect(s!.index).toBe(j);
        expect(s!.step).toBe(10 * batch.t[j]);
        for (const key of OBSERVABLE_NAMES) expectRel(s![key], batch[key][j], 1e-9, 0, `${key} ${j}`);
        for (let k = 0; k < batch.eigenCount; k++) {
          expectRel(s!.eigenvalues[k], batch.eigenvalues[j * batch.eigenCount + k], 1e-9, 1e-12 * batch.eigenvalues[j * batch.eigenCount]);
        }
        for (let i = 0; i < 2 * c.n; i++) expect(Math.abs(s!.eigenvectors![i] - batch.eigenvectors![j * 2 * c.n + i])).toBeLessThan(1e-5);
      });
    });
  }

  it('100,000 pushes with a large offset still match a fresh two-pass computation of the last window to 1e-8', () => {
    const n = 16, W = 8;
    const r = rng(4242);
    const monitor = new SpectralMonitor({ probes: n, window: W, detrend: 'linear', warn: false });
    const row = new Float64Array(n);
    const recent: number[][] = [];
    let last = null;
    for (let t = 0; t < 100_000; t++) {
      for (let i = 0; i < n; i++) row[i] = 1e3 + 0.5 * Math.sin(t / 5000) + 1e-4 * r.normal();
      recent.push(Array.from(row));
      if (recent.length > W) recent.shift();
      last = monitor.push(row);
      if (t % 25_000 === 24_999 || t === 99_999) {
        const ref = naiveWindow(recent, 'linear', 1);
        for (const key of OBSERVABLE_NAMES) expectRel(last![key], ref[key], 1e-8, 0, `${key} at ${t}`);
      }
    }
    expect(monitor.rowsPushed).toBe(100_000);
  });
});

describe('snapshot and restore', () => {
  const n = 12, W = 6, T = 80;
  const r = rng(55);
  const data = randomMatrix(T, n, () => 2 + r.normal());
  const rows = rowsFrom(data, T, n);

  it('a monitor restored mid-stream continues with identical results, detector included', () => {
    const opts = { probes: n, window: W, topK: 1, detrend: 'linear' as const, warn: { baseline: 5, z: 1, consecutive: 1 } };
    const straight = new SpectralMonitor(opts);
    const all = rows.map((row) => straight.push(row));
    const first = new SpectralMonitor(opts);
    rows.slice(0, 37).forEach((row) => first.push(row));
    const bytes = first.snapshot();
    first.close();
    const resumed = SpectralMonitor.restore(bytes);
    expect(resumed.options).toEqual(straight.options);
    const rest = rows.slice(37).map((row) => resumed.push(row));
    expect(rest.length).toBe(all.slice(37).length);
    expect(rest.some((s) => s?.warning)).toBe(true);
    rest.forEach((s, i) => expect(s).toEqual(all[37 + i]));
  });

  it('a snapshot taken before the window is full also resumes', () => {
    const a = new SpectralMonitor({ probes: n, window: W });
    rows.slice(0, 3).forEach((row) => a.push(row));
    const b = SpectralMonitor.restore(a.snapshot());
    const fromA = rows.slice(3, 20).map((row) => a.push(row));
    const fromB = rows.slice(3, 20).map((row) => b.push(row));
    expect(fromB).toEqual(fromA);
  });

  it('truncated, corrupted or foreign bytes are refused with ERR_RDM2_SNAPSHOT', () => {
    const m = new SpectralMonitor({ probes: n, window: W });
    rows.slice(0, 20).forEach((row) => m.push(row));
    const bytes = m.snapshot();
    const flip = bytes.slice();
    flip[Math.floor(bytes.length / 2)] ^= 0x10;
    const wrongVersion = bytes.slice();
    wrongVersion[8] = 9;
    const cases: [Uint8Array, RegExp][] = [
      [bytes.subarray(0, bytes.length - 9), /checksum mismatch/],
      [flip, /checksum mismatch/],
      [new Uint8Array(10), /too short/],
      [new TextEncoder().encode('not a snapshot at all, just text'), /wrong magic/],
      [wrongVersion, /format version 9/],
    ];
    for (const [input, message] of cases) {
      let caught: unknown;
      try {
        SpectralMonitor.restore(input);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Rdm2Error);
      expect((caught as Rdm2Error).code).toBe('ERR_RDM2_SNAPSHOT');
      expect((caught as Error).message).toMatch(message);
    }
  });
});

describe('Node-style interfaces', () => {
  const n = 10, W = 5, T = 60;
  const r = rng(77);
  const data = randomMatrix(T, n, r.normal);
  const rows = rowsFrom(data, T, n);
  const reference = () => {
    const m = new SpectralMonitor({ probes: n, window: W });
    return rows.map((row, t) => m.push(row, t)).filter((s) => s !== null);
  };

  it('stream(): rows in, summaries out, and a slow reader applies backpressure', async () => {
    const m = new SpectralMonitor({ probes: n, window: W });
    const s = m.stream();
    let accepted = 0;
    let refused = false;
    for (const row of rows) {
      accepted++;
      if (!s.write({ losses: row, step: accepted - 1 })) {
        refused = true;
        break;
      }
    }
    // Nobody reads yet: the transform's buffers fill and write() says stop before all rows are in.
    expect(refused).toBe(true);
    expect(accepted).toBeLessThan(rows.length);
    const out: unknown[] = [];
    s.on('data', (x) => out.push(x));
    await new Promise<void>((done) => s.once('drain', () => done()));
    for (const row of rows.slice(accepted)) s.write({ losses: row, step: out.length + W - 1 + 1000 });
    s.end();
    await new Promise<void>((done) => s.on('end', () => done()));
    const ref = reference();
    expect(out.length).toBe(ref.length);
    expect((out as { shc: number }[]).map((x) => x.shc)).toEqual(ref.map((x) => x.shc));
  });

  it('process(asyncIterable) yields the same summaries', async () => {
    const m = new SpectralMonitor({ probes: n, window: W });
    async function* gen() {
      for (let t = 0; t < T; t++) yield { losses: rows[t], step: t };
    }
    const got = [];
    for await (const s of m.process(gen())) got.push(s);
    expect(got).toEqual(reference());
  });

  it("emits 'warning' exactly where the batch detector finds them on the same SHC series", () => {
    const T2 = 400, n2 = 30;
    const r2 = rng(8);
    const d = new Float64Array(T2 * n2);
    for (let t = 0; t < T2; t++) {
      const a = 1 / (1 + Math.exp(-(t - 250) / 12));
      for (let i = 0; i < n2; i++) d[t * n2 + i] = 1 + (i < 10 ? 0.5 * a : 0) + 0.01 * r2.normal();
    }
    const warn = { baseline: 30, z: 4, consecutive: 2 };
    const m = new SpectralMonitor({ probes: n2, window: 20, warn });
    const events: number[] = [];
    m.on('warning', (w) => events.push(w.index));
    const summaries = rowsFrom(d, T2, n2).map((row) => m.push(row)).filter((s) => s !== null);
    const batch = detectWarnings(Float64Array.from(summaries, (s) => s!.shc), warn);
    expect(batch.warnings.length).toBeGreaterThan(0);
    expect(events).toEqual(batch.warnings.map((w) => w.index));
    expect(summaries.filter((s) => s!.warning).map((s) => s!.index)).toEqual(events);
  });
});

describe('bad input leaves the monitor unchanged', () => {
  const n = 6, W = 4;
  const r = rng(91);
  const rows = rowsFrom(randomMatrix(30, n, r.normal), 30, n);

  it('wrong length, NaN, bad types and bad steps are rejected and change nothing', () => {
    const a = new SpectralMonitor({ probes: n, window: W });
    const b = new SpectralMonitor({ probes: n, window: W });
    const nan = Float64Array.from(rows[0]);
    nan[3] = NaN;
    rows.slice(0, 10).forEach((row, i) => {
      a.push(row);
      if (i === 5) {
        expectError(() => a.push(new Float64Array(n + 1)), 'ERR_RDM2_SHAPE', /row has 7 values, the monitor has 6 probes/);
        expectError(() => a.push(nan), 'ERR_RDM2_NON_FINITE', /row 6, column 3: NaN is not finite/);
        expectError(() => a.push(new Int8Array(n) as unknown as Float64Array), 'ERR_RDM2_DTYPE', /row must be/);
        expectError(() => a.push(rows[0], NaN), 'ERR_RDM2_OPTION', /step must be a finite number/);
        expectError(() => a.pushMany([rows[1], nan as unknown as number[]]), 'ERR_RDM2_NON_FINITE', /row 7, column 3/);
      }
      b.push(row);
    });
    expect(a.rowsPushed).toBe(10);
    expect(a.push(rows[10])).toEqual(b.push(rows[10]));
  });

  it("nonFinite: 'skip-window' accepts the row and marks the W windows containing it", () => {
    const m = new SpectralMonitor({ probes: n, window: W, nonFinite: 'skip-window' });
    const nan = Float64Array.from(rows[0]);
    nan[0] = Infinity;
    const flags = [...rows.slice(0, 8), nan, ...rows.slice(9, 20)].map((row) => m.push(row)).filter((s) => s !== null).map((s) => s!.degenerate);
    // Windows end at rows 3..19; those containing row 8 end at rows 8..11.
    expect(flags).toEqual(Array.from({ length: 17 }, (_, j) => j + 3 >= 8 && j + 3 <= 11));
  });

  it('pushMany accepts a block and gives the same summaries as single pushes', () => {
    const a = new SpectralMonitor({ probes: n, window: W });
    const b = new SpectralMonitor({ probes: n, window: W });
    const block = new Float64Array(12 * n);
    rows.slice(0, 12).forEach((row, t) => block.set(row, t * n));
    const many = a.pushMany({ data: block, shape: [12, n] }, Array.from({ length: 12 }, (_, t) => t));
    const single = rows.slice(0, 12).map((row, t) => b.push(row, t)).filter((s) => s !== null);
    expect(many).toEqual(single);
    expectError(() => a.pushMany({ data: block, shape: [12, n] }, [1, 2]), 'ERR_RDM2_SHAPE', /steps has 2 entries for 12 rows/);
  });

  it('options are checked, and a closed monitor refuses pushes and snapshots', () => {
    expectError(() => new SpectralMonitor({ probes: 0, window: 4 }), 'ERR_RDM2_OPTION', /probes must be an integer >= 1/);
    expectError(() => new SpectralMonitor({ probes: 4, window: 1 }), 'ERR_RDM2_OPTION', /window must be an integer >= 2/);
    expectError(() => new SpectralMonitor({ probes: 4, window: 3, topK: 3 }), 'ERR_RDM2_OPTION', /topK \(3\) exceeds/);
    expectError(() => new SpectralMonitor({ probes: 4, window: 3, stride: 2 } as never), 'ERR_RDM2_OPTION', /unknown option 'stride'/);
    const m = new SpectralMonitor({ probes: n, window: W });
    m.close();
    expect(m.closed).toBe(true);
    expectError(() => m.push(rows[0]), 'ERR_RDM2_CLOSED', /closed/);
    expectError(() => m.snapshot(), 'ERR_RDM2_CLOSED', /closed/);
  });
});
