// Shared by the native drivers: the library's own batch entry points, timed as a user calls them
// (validation and the non-finite scan included), on the whole workload or its first windows.
import { prepareAnalysis, runPreparedSync, type CoreTuning } from '../../lib/analyze.js';
import { toLossView } from '../../lib/loss_matrix.js';
import { pickObservableColumns } from '../../lib/observables.js';
import type { Analysis } from '../../lib/types.js';
import type { Observables } from '../observables.js';
import { windowCount } from '../workloads.js';
import { rowsForWindows, type DriverContext, type PreparedDriver } from './driver.js';

export function analysisObservables(a: Analysis): Observables {
  return {
    windows: a.windows,
    m: a.eigenCount,
    n: a.probes,
    topK: a.options.topK,
    t: a.t,
    ...pickObservableColumns(a),
    eigenvalues: a.eigenvalues,
    eigenvectors: a.eigenvectors,
  };
}

export function prepareNative(ctx: DriverContext, tuning: CoreTuning): PreparedDriver {
  const w = ctx.workload;
  const all = windowCount(w);
  const windows = Math.min(all, ctx.spec.windows ?? all);
  const rows = rowsForWindows(w, windows);
  const data = rows === w.T ? ctx.data : ctx.data.subarray(0, rows * w.n);
  const opts = { window: w.W, stride: w.stride, topK: w.topK, detrend: w.detrend, threads: ctx.spec.threads ?? 1 };
  return {
    windows,
    async run() {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const a = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [rows, w.n] }), opts, { ...tuning, ...(ctx.spec.isa ? { isa: ctx.spec.isa } : {}) }));
      const seconds = (performance.now() - t0) / 1e3;
      const c = process.cpuUsage(c0);
      return { seconds, cpu: (c.user + c.system) / 1e6, result: analysisObservables(a) };
    },
  };
}
