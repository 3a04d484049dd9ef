// naive-ts: plain TypeScript, two-pass covariance of each window plus cyclic Jacobi on the n x n
// matrix (the project's independent test reference). Small n only.
import { naiveWindow } from '../reference/naive.js';
import { OBSERVABLE_NAMES, allocateObservableColumns } from '../../lib/observables.js';
import type { Observables } from '../observables.js';
import { windowCount } from '../workloads.js';
import type { Driver } from './driver.js';

const MAX_N = 256;

export const naiveTs: Driver = {
  name: 'naive-ts',
  description: 'plain TypeScript two-pass covariance + cyclic Jacobi on the n x n matrix (bench/reference/naive.ts); small n only',
  unavailable: (ctx) => (ctx.workload.n > MAX_N ? `n = ${ctx.workload.n} > ${MAX_N} (Jacobi on n x n in plain TS)` : null),
  prepare(ctx) {
    const w = ctx.workload;
    const all = windowCount(w);
    const windows = Math.min(all, ctx.spec.windows ?? all);
    const m = Math.min(w.W - 1, w.n);
    // Nested rows are the reference's input format; building them is not timed.
    const rows: number[][] = [];
    for (let t = 0; t < w.W + (windows - 1) * w.stride; t++) rows.push(Array.from(ctx.data.subarray(t * w.n, (t + 1) * w.n)));
    return {
      windows,
      async run() {
        const columns = allocateObservableColumns(windows);
        const out: Observables = {
          windows,
          m,
          n: w.n,
          topK: w.topK,
          t: new Int32Array(windows),
          ...columns,
          eigenvalues: new Float64Array(windows * m),
          eigenvectors: w.topK > 0 ? new Float64Array(windows * w.topK * w.n) : undefined,
        };
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let j = 0; j < windows; j++) {
          const end = w.W - 1 + j * w.stride;
          const r = naiveWindow(rows.slice(end - w.W + 1, end + 1), w.detrend, 1);
          (out.t as Int32Array)[j] = end;
          for (const name of OBSERVABLE_NAMES) columns[name][j] = r[name];
          (out.eigenvalues as Float64Array).set(r.eigenvalues.slice(0, m), j * m);
          for (let k = 0; k < w.topK; k++) (out.eigenvectors as Float64Array).set(r.eigenvectors[k], (j * w.topK + k) * w.n);
        }
        const seconds = (performance.now() - t0) / 1e3;
        const c = process.cpuUsage(c0);
        return { seconds, cpu: (c.user + c.system) / 1e6, result: out };
      },
    };
  },
};
