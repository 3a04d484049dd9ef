// gemm-peak: Eigen's float64 matrix product, compiled with the core's flags, in the same child
// and interleaved with the other drivers. Its best rate is "what this build can do on this
// machine", against which the library's multiply-add rate is expressed.
import { native } from '../../lib/native.js';
import type { Driver } from './driver.js';

/** Shapes tried each repetition; the best rate wins. The last one is the workload's own Gram shape. */
export function gemmShapes(W: number, n: number): [number, number, number][] {
  return [
    [256, 256, 256],
    [512, 512, 512],
    [W, n, W],
  ];
}

export const gemmPeak: Driver = {
  name: 'gemm-peak',
  kernel: true,
  description: "Eigen's float64 C = A B compiled for the instruction set in use (one thread): best rate over 256^3, 512^3 and the workload's W x n x W shape",
  unavailable: () => null,
  prepare(ctx) {
    const { W, n } = ctx.workload;
    const bench = native().bench;
    return {
      windows: 0,
      async run() {
        let best = { seconds: Infinity, macs: 0 };
        for (const [a, b, c] of gemmShapes(W, n)) {
          const seconds = bench.timeGemm(a, b, c, 2, ctx.spec.isa ?? '');
          const macs = a * b * c;
          if (macs / seconds > best.macs / best.seconds || !Number.isFinite(best.seconds)) best = { seconds, macs };
        }
        return best;
      },
    };
  },
};
