// Which compiled kernels the native core runs: one prebuilt binary carries baseline x86-64,
// AVX2 (x86-64-v3) and AVX-512 kernels and picks the widest this CPU supports when it loads;
// RDM2_ISA=baseline|avx2|avx512 forces one.
import { native } from './native.js';

/** An instruction-set level of the native kernels. */
export type InstructionSet = 'baseline' | 'avx2' | 'avx512';

/** What {@link instructionSet} reports. */
export interface InstructionSetInfo {
  /** The kernels every analysis and monitor runs with, or null when RDM2_ISA cannot be honoured (then every analysis fails with `ERR_RDM2_ISA`). */
  selected: InstructionSet | null;
  /** The widest level this CPU (and operating system) supports. */
  best: InstructionSet;
  /** Every level this CPU can run. */
  supported: InstructionSet[];
  /** RDM2_ISA as set in the environment, or null. */
  forced: string | null;
  /** Why RDM2_ISA cannot be honoured (unknown name, or a level this CPU lacks). */
  error?: string;
}

/**
 * Which instruction set the native kernels run with. Results agree across levels to
 * rounding (docs/benchmarks.md states the bounds); only the speed differs.
 *
 * @example
 * ```ts
 * import { instructionSet } from 'rdm2';
 * const { selected, supported } = instructionSet();
 * console.log(`kernels: ${selected} (this CPU runs ${supported.join(', ')})`);
 * ```
 */
export function instructionSet(): InstructionSetInfo {
  const info = native().isa();
  const forced = process.env.RDM2_ISA ? process.env.RDM2_ISA : null;
  return { selected: info.selected, best: info.best, supported: info.supported, forced, ...(info.error ? { error: info.error } : {}) };
}
