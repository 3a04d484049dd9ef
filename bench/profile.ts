// One analysis (or a run of monitor pushes) and nothing else: the target for a profiler.
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/rdm2-target.callgrind \
//     --toggle-collect='rdm2::analyzeSliding*' node --import tsx bench/profile.ts --T 400
//   callgrind_annotate --inclusive=yes /tmp/rdm2-target.callgrind | head -40
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/rdm2-push.callgrind \
//     --toggle-collect='*MonitorWrap::Push*' node --import tsx bench/profile.ts --stream --pushes 256
//
// Defaults: the target workload shape (n 4096, W 64, stride 1, float32, one thread).
import { parseArgs } from 'node:util';
import { analyzeSync } from '../lib/analyze.js';
import { SpectralMonitor } from '../lib/monitor.js';
import { makeLosses, windowCount } from './workloads.js';

const { values } = parseArgs({
  options: {
    T: { type: 'string', default: '2000' },
    n: { type: 'string', default: '4096' },
    W: { type: 'string', default: '64' },
    stride: { type: 'string', default: '1' },
    topK: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    detrend: { type: 'string', default: 'none' },
    f64: { type: 'boolean' },
    stream: { type: 'boolean' },
    pushes: { type: 'string', default: '256' },
  },
});
const T = Number(values.T), n = Number(values.n), W = Number(values.W), stride = Number(values.stride);
const dtype = values.f64 ? 'float64' : 'float32';

if (values.stream) {
  const pushes = Number(values.pushes);
  const data = makeLosses({ T: W + pushes, n, dtype, seed: 7 });
  const monitor = new SpectralMonitor({ probes: n, window: W, warn: false });
  const t0 = performance.now();
  for (let t = 0; t < W + pushes; t++) monitor.push(data.subarray(t * n, (t + 1) * n));
  const ms = performance.now() - t0;
  process.stdout.write(`${W + pushes} pushes (W ${W}, n ${n}) in ${ms.toFixed(1)} ms\n`);
} else {
  const data = makeLosses({ T, n, dtype, seed: 1 });
  const t0 = performance.now();
  const a = analyzeSync(
    { data, shape: [T, n] },
    { window: W, stride, topK: Number(values.topK), threads: Number(values.threads), detrend: values.detrend as 'none' | 'linear' },
  );
  const ms = performance.now() - t0;
  process.stdout.write(`${a.windows} windows (expected ${windowCount({ T, W, stride })}) of T ${T}, n ${n}, W ${W} in ${ms.toFixed(1)} ms\n`);
}
