// The observables registry (lib/observables.ts) is the one list: the native core computes exactly
// its entries, and every result path (batch, file accumulator, monitor, JSON / CSV / .npz writers,
// the report's reader) carries each of them, checked here entry by entry against the independent
// reference so that a new entry is tested everywhere by adding it to the registry.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { decodeNpz } from '../lib/io/npz.js';
import { resultCsv } from '../lib/io/result_csv.js';
import { resultDocument } from '../lib/io/result_json.js';
import { resultNpz } from '../lib/io/result_npz.js';
import { SpectralMonitor } from '../lib/monitor.js';
import { checkNativeObservables, native } from '../lib/native.js';
import { OBSERVABLES, OBSERVABLE_NAMES } from '../lib/observables.js';
import { analysisFromResult } from '../lib/report/result_input.js';
import { expectError, expectRel, randomMatrix } from './helpers.js';
import { tempDir, writeNpy } from './io_fixtures.js';
import { naiveWindow, rng, rowsOf } from '../bench/reference/naive.js';

const T = 40;
const n = 7;
const W = 9;
const data = randomMatrix(T, n, rng(17).normal, Float64Array) as Float64Array;
const a = analyzeSync({ data, shape: [T, n] }, { window: W, stride: 2, threads: 1 });

describe('observables registry', () => {
  it('lists the five observables of the result formats, in file order, each with a description and a type', () => {
    // The result files (JSON keys, CSV columns, .npz arrays) written so far hold these, in this
    // order; a new observable is appended after them.
    expect(OBSERVABLE_NAMES.slice(0, 5)).toEqual(['trace', 'pr', 'entropy', 'shc', 'topShare']);
    expect(new Set(OBSERVABLE_NAMES).size).toBe(OBSERVABLE_NAMES.length);
    for (const o of OBSERVABLES) {
      expect(o.description.length).toBeGreaterThan(10);
      expect(o.type).toBe('float64');
    }
  });

  it('the native core computes exactly the registry, in order', () => {
    expect(native().observables).toEqual(OBSERVABLE_NAMES);
    // A core whose list differs (a stale build) is refused when loaded, with the way out.
    for (const stale of [['trace', 'pr', 'entropy', 'shc'], [...OBSERVABLE_NAMES].reverse(), undefined]) {
      expectError(() => checkNativeObservables(stale), 'ERR_RDM2_NATIVE_LOAD', /native build is out of date\. Rebuild it with `npm run build:native`/);
    }
  });

  it('batch analysis: every observable, against the naive reference', () => {
    const rows = rowsOf(data, T, n);
    for (let j = 0; j < a.windows; j++) {
      const end = a.t[j]!;
      const ref = naiveWindow(rows.slice(end - W + 1, end + 1), 'none', 1);
      for (const name of OBSERVABLE_NAMES) expectRel(a[name][j]!, ref[name], 1e-9, 1e-12, `${name} of window ${j}`);
    }
  });

  it('the monitor gives every observable of the batch analysis, window by window', () => {
    const m = new SpectralMonitor({ probes: n, window: W, warn: false });
    const all = analyzeSync({ data, shape: [T, n] }, { window: W, threads: 1 });
    for (let t = 0; t < T; t++) {
      const s = m.push(data.subarray(t * n, (t + 1) * n));
      if (t < W - 1) continue;
      for (const name of OBSERVABLE_NAMES) expectRel(s![name], all[name][t - W + 1]!, 1e-9, 1e-12, `${name} at ${t}`);
    }
    m.close();
  });

  it('analyzeFile (the chunk accumulator) carries every observable unchanged', async () => {
    const file = writeNpy(join(tempDir(), 'losses.npy'), data, T, n);
    // A tiny chunk budget: many chunks appended.
    const fa = await analyzeFile(file, { window: W, stride: 2, threads: 1, chunkBytes: 1 });
    for (const name of OBSERVABLE_NAMES) expect(fa.analysis[name], name).toEqual(a[name]);
  });

  it('JSON, CSV and .npz results hold every observable; the report reads each one back', () => {
    const doc = resultDocument({ analysis: a });
    const back = analysisFromResult(JSON.parse(JSON.stringify(doc)), 'r.json');
    const lines = resultCsv({ analysis: a }).trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    const header = lines[0]!.split(',');
    const npz = decodeNpz(resultNpz({ analysis: a }), 'r.npz');
    for (const name of OBSERVABLE_NAMES) {
      expect(doc[name], name).toEqual(Array.from(a[name]));
      expect(back[name], name).toEqual(a[name]);
      const col = header.indexOf(name);
      expect(col, name).toBeGreaterThan(0);
      expect(lines.slice(1).map((l) => Number(l.split(',')[col])), name).toEqual(Array.from(a[name]));
      expect(npz.get(name)!.values, name).toEqual(a[name]);
      expect(npz.get(name)!.header.dtype.name, name).toBe('float64');
    }
  });
});
