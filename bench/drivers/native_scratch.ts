// native-scratch: the same kernels, but every window's Gram rebuilt from scratch (O(W^2 n) per window).
import type { Driver } from './driver.js';
import { prepareNative } from './native_run.js';

export const nativeScratch: Driver = {
  name: 'native-scratch',
  description: 'the same native kernels with every window\'s W x W Gram recomputed from scratch (tuning { scratch: true }): what the incremental update buys',
  unavailable: () => null,
  prepare: (ctx) => prepareNative(ctx, { scratch: true }),
};
