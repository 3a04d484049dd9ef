// openblas-peak: the machine's real matrix-product rate on one core, numpy's OpenBLAS dgemm
// with one thread (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed for that child only), best
// over 256^3, 512^3, 1024^3 and the workload's W x n x W shape. The batch target is a share of it.
import { spawnSync } from 'node:child_process';
import type { Driver } from './driver.js';
import { numpyEnv, numpyInfo, PYTHON } from './numpy.js';

/** Best multiply-adds per second of numpy's dgemm on one BLAS thread over `shapes`, or null without numpy. */
export function openblasRate(shapes: [number, number, number][], reps = 5): { rate: number; shape: [number, number, number] } | null {
  if (!numpyInfo().version) return null;
  const code = [
    'import json, sys, time, numpy as np',
    `shapes = ${JSON.stringify(shapes)}`,
    'best = (0.0, None)',
    'for (m, k, n) in shapes:',
    '    a = np.random.rand(m, k); b = np.random.rand(k, n); c = a @ b',
    `    for _ in range(${reps}):`,
    '        t = time.perf_counter(); np.matmul(a, b, out=c); s = time.perf_counter() - t',
    '        if m * k * n / s > best[0]: best = (m * k * n / s, [m, k, n])',
    'print(json.dumps(best))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env: numpyEnv(1) });
  if (r.status !== 0) return null;
  const [rate, shape] = JSON.parse(r.stdout.trim()) as [number, [number, number, number]];
  return { rate, shape };
}

export const openblasPeak: Driver = {
  name: 'openblas-peak',
  kernel: true,
  description: "numpy's OpenBLAS float64 dgemm on one thread: best rate over 256^3, 512^3, 1024^3 and the workload's W x n x W shape (the machine's real rate)",
  unavailable: () => (numpyInfo().version ? null : numpyInfo().note),
  prepare(ctx) {
    const { W, n } = ctx.workload;
    const shapes: [number, number, number][] = [
      [256, 256, 256],
      [512, 512, 512],
      [1024, 1024, 1024],
      [W, n, W],
    ];
    return {
      windows: 0,
      async run() {
        const best = openblasRate(shapes, 3);
        if (!best) throw new Error('numpy dgemm failed');
        const macs = best.shape[0] * best.shape[1] * best.shape[2];
        return { seconds: macs / best.rate, macs };
      },
    };
  },
};
