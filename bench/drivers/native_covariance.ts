// native-covariance: the same core forced onto the n x n covariance (form X^T X, solve n x n).
import type { Driver } from './driver.js';
import { prepareNative } from './native_run.js';

/** Above this the n x n matrix (8 n^2 bytes) is not worth allocating in a benchmark child. */
const MAX_N = 8192;

export const nativeCovariance: Driver = {
  name: 'native-covariance',
  description:
    'the same core (Eigen, same flags) forced to form each window\'s n x n covariance and solve it (tuning { path: "covariance" }): the naive O(W n^2 + n^3) method at compiled speed',
  unavailable: (ctx) => (ctx.workload.n > MAX_N ? `n = ${ctx.workload.n} > ${MAX_N}: the n x n matrix alone is ${((8 * ctx.workload.n ** 2) / 2 ** 30).toFixed(1)} GiB` : null),
  prepare: (ctx) => prepareNative(ctx, { path: 'covariance' }),
};
