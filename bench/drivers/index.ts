// The batch drivers by name.
import type { Driver } from './driver.js';
import { gemmPeak } from './gemm_peak.js';
import { naiveTs } from './naive_ts.js';
import { nativeCovariance } from './native_covariance.js';
import { nativeIncremental } from './native_incremental.js';
import { nativeScratch } from './native_scratch.js';
import { numpyCov, numpyGram } from './numpy.js';
import { openblasPeak } from './openblas_peak.js';

export const drivers: Record<string, Driver> = Object.fromEntries(
  [nativeIncremental, nativeScratch, nativeCovariance, naiveTs, numpyCov, numpyGram, gemmPeak, openblasPeak].map((d) => [d.name, d]),
);

export function driver(name: string): Driver {
  const d = drivers[name];
  if (!d) throw new Error(`unknown driver '${name}' (known: ${Object.keys(drivers).join(', ')})`);
  return d;
}
