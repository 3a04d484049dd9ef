// native-incremental: the library's batch path (W x W Gram kept up to date one row at a time).
import type { Driver } from './driver.js';
import { prepareNative } from './native_run.js';

export const nativeIncremental: Driver = {
  name: 'native-incremental',
  description: "the library's batch path: analyzeSync with default tuning (incremental W x W Gram, W new dot products per row)",
  unavailable: () => null,
  prepare: (ctx) => prepareNative(ctx, {}),
};
