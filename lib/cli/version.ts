// `rdm2 --version`: the package version and the native kernels in use.
import { instructionSet } from '../isa.js';
import { rdm2Version } from '../io/producer.js';

/** One line: version, kernels (and why RDM2_ISA cannot be used, if so), what the CPU supports. */
export function versionLine(): string {
  let kernels: string;
  try {
    const isa = instructionSet();
    kernels = isa.selected
      ? `native kernels: ${isa.selected}${isa.forced ? ' (RDM2_ISA)' : ''}; this CPU supports ${isa.supported.join(', ')}`
      : `native kernels: none usable: ${isa.error}`;
  } catch (err) {
    kernels = `native core not loaded: ${(err as Error).message.split('\n')[0]}`;
  }
  return `${rdm2Version()} (${kernels})`;
}
