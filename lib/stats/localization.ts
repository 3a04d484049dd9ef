// Localisation of an eigenvector over probes.
import { checkVector } from './block_energy.js';

/**
 * Inverse participation ratio of a probe-space vector: sum v_i^4 / (sum v_i^2)^2, which is
 * sum v_i^4 for a unit vector. 1/n when the weight is spread evenly over n probes, 1 when it
 * sits on a single probe; 1/IPR is the effective number of probes carrying the vector.
 *
 * @throws Rdm2Error ERR_RDM2_SHAPE on an empty vector; ERR_RDM2_OPTION on a zero or non-finite vector.
 *
 * @example
 * ```ts
 * localization([0.5, 0.5, 0.5, 0.5]); // 0.25
 * localization([1, 0, 0, 0]);         // 1
 * ```
 */
export function localization(vector: ArrayLike<number>): number {
  const norm2 = checkVector(vector);
  let s4 = 0;
  for (let i = 0; i < vector.length; i++) {
    const x2 = vector[i] * vector[i];
    s4 += x2 * x2;
  }
  return s4 / (norm2 * norm2);
}
