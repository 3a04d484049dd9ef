// The contract every batch driver meets: prepare once (untimed), then timed repetitions.
import type { Observables } from '../observables.js';
import type { DriverSpec, Workload } from '../workloads.js';

export interface DriverContext {
  workload: Workload;
  data: Float32Array | Float64Array;
  spec: DriverSpec;
  /** A scratch directory for this child process (numpy reads the losses from a file there). */
  tmpDir: string;
}

export interface Repetition {
  /** Wall-clock seconds of the work alone (no process start-up, no data loading). */
  seconds: number;
  /** CPU seconds of the work alone (user + system), when the driver can tell. */
  cpu?: number;
  /** CPU seconds spent in a child process over the whole call, start-up included (numpy). */
  childCpu?: number;
  /** The answer (drivers that compute observables). */
  result?: Observables;
  /** Multiply-adds done (kernel drivers, which report a rate instead of an answer). */
  macs?: number;
}

export interface PreparedDriver {
  /** Windows computed per repetition: all of them, or the first `spec.windows` (then extrapolated). */
  windows: number;
  run(): Promise<Repetition>;
}

export interface Driver {
  name: string;
  /** One line for the docs and the table legend. */
  description: string;
  /** True for drivers that report an arithmetic rate rather than observables. */
  kernel?: boolean;
  /** Why this driver cannot run here (missing python, too large for the reference), or null. */
  unavailable(ctx: DriverContext): string | null;
  prepare(ctx: DriverContext): PreparedDriver;
}

/** Rows needed for the first `windows` windows of a workload. */
export function rowsForWindows(w: Workload, windows: number): number {
  return w.W + (windows - 1) * w.stride;
}
