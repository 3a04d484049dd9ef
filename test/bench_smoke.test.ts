// The benchmark harness must never time a wrong answer: every driver, run the way the harness
// runs it, gives the same observables on tiny workloads (checked pairwise against the plain
// TypeScript reference, and through the harness's own child-job pipeline). No timing assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, type BatchResult } from '../bench/child.js';
import { drivers } from '../bench/drivers/index.js';
import { numpyInfo } from '../bench/drivers/numpy.js';
import type { StreamResult } from '../bench/drivers/monitor_push.js';
import { compareObservables, type Observables } from '../bench/observables.js';
import { makeLosses, workload, type Workload } from '../bench/workloads.js';

const tmpDir = mkdtempSync(join(tmpdir(), 'rdm2-bench-smoke-'));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));

const hasNumpy = numpyInfo().version !== null;
const answerDrivers = Object.values(drivers).filter((d) => !d.kernel);

const tiny: Workload[] = [
  // W <= n: the Gram regime, with eigenvectors and linear detrending, float32 input.
  workload({ T: 40, n: 12, W: 8, topK: 2, detrend: 'linear', dtype: 'float32', seed: 3 }),
  // n < W: the covariance regime, float64, stride 3.
  workload({ T: 45, n: 5, W: 9, stride: 3, dtype: 'float64', seed: 4 }),
];

async function answer(name: string, w: Workload, data: Float32Array | Float64Array): Promise<Observables> {
  const d = drivers[name];
  const ctx = { workload: w, data, spec: { driver: name }, tmpDir };
  expect(d.unavailable(ctx)).toBeNull();
  const rep = await d.prepare(ctx).run();
  expect(rep.result, `${name} returned no observables`).toBeDefined();
  return rep.result!;
}

describe.each(tiny)('benchmark drivers agree on $id', (w) => {
  const data = makeLosses(w);

  it('every driver matches the plain TypeScript reference to 1e-9', async () => {
    const reference = await answer('naive-ts', w, data);
    expect(reference.windows).toBe(Math.floor((w.T - w.W) / w.stride) + 1);
    for (const d of answerDrivers) {
      if (d.name === 'naive-ts') continue;
      if (d.name.startsWith('numpy') && !hasNumpy) continue;
      const got = await answer(d.name, w, data);
      const c = compareObservables(got, reference, 1e-9, 1e-6);
      expect(c.ok, `${d.name}: ${c.worst} rel ${c.maxRelError} vector ${c.maxVectorError}`).toBe(true);
      expect(got.windows).toBe(reference.windows);
      if (w.topK > 0) expect(got.eigenvectors?.length).toBe(reference.windows * w.topK * w.n);
    }
  });

  it("the harness's batch job runs every driver and accepts every answer", async () => {
    const names = answerDrivers.map((d) => d.name).filter((n) => hasNumpy || !n.startsWith('numpy'));
    const r = (await runJob({ kind: 'batch', workload: w, drivers: [...names, 'gemm-peak'].map((driver) => ({ driver })), reps: 2, probes: true, numpy: hasNumpy })) as BatchResult;
    expect(r.windows).toBe(Math.floor((w.T - w.W) / w.stride) + 1);
    for (const d of r.drivers) {
      expect(d.status, `${d.label}: ${d.note}`).toBe('ok');
      if (d.driver === 'gemm-peak') expect(d.rate).toBeGreaterThan(0);
      else {
        expect(d.check?.ok, d.label).toBe(true);
        expect(d.check!.maxRelError).toBeLessThanOrEqual(1e-9);
        expect(d.windows).toBe(r.windows);
      }
    }
    expect(r.rss.peakKiB).toBeGreaterThan(0);
  });
});

describe('the harness rejects wrong answers', () => {
  it('flags a perturbed observable instead of timing it', () => {
    const w = tiny[0];
    const base: Observables = {
      windows: 1,
      m: 2,
      n: 3,
      topK: 0,
      t: [w.W - 1],
      trace: [1],
      pr: [1.5],
      entropy: [0.5],
      shc: [0.1],
      topShare: [0.7],
      eigenvalues: [0.7, 0.3],
    };
    expect(compareObservables(base, base).ok).toBe(true);
    const off = { ...base, shc: [0.1 * (1 + 1e-8)] };
    const c = compareObservables(off, base);
    expect(c.ok).toBe(false);
    expect(c.worst).toBe('shc[0]');
  });
});

describe('streaming monitor job', () => {
  it('checks every summary against the batch analysis before timing pushes', async () => {
    const r = (await runJob({ kind: 'stream', id: 'smoke', W: 8, n: 12, dtype: 'float32', pushes: 16, reps: 2, seed: 5 })) as StreamResult;
    expect(r.check.ok, r.check.worst).toBe(true);
    expect(r.check.maxRelError).toBeLessThanOrEqual(1e-9);
    expect(r.push).toBeGreaterThan(0);
    expect(r.dots).toBeGreaterThan(0);
  });
});
