// Noise controls for calibrating the warning detector: runs with no transition at all, white or
// autocorrelated (AR(1)) in time, so any warning on them is a false alarm.
import { defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { SeededRandom } from '../stats/random.js';

/** Options of {@link noiseControl}; every field has a default. */
export interface NoiseControlOptions {
  /** Number of probes n. Default 60. */
  probes?: number;
  /** Number of checkpoints T. Default 240. */
  steps?: number;
  /** AR(1) coefficient phi of every probe's noise in time (0 = white noise, -1 < phi < 1). Default 0. */
  phi?: number;
  /** Standard deviation of every probe's noise (its stationary standard deviation for AR(1)). Default 0.05. */
  noise?: number;
  /** Typical loss level; each probe's base loss is baseLoss + U(-0.05, 0.05). Default 2.3. */
  baseLoss?: number;
  /** PRNG seed (any safe integer). Default 0. */
  seed?: number;
}

/** The options of {@link noiseControl}. */
export const NOISE_CONTROL_OPTIONS = defineOptions('noiseControl', {
  probes: { type: 'integer', min: 1, max: 1 << 24, default: 60, doc: 'number of probes n' },
  steps: { type: 'integer', min: 2, max: 1 << 24, default: 240, doc: 'number of checkpoints T' },
  phi: { type: 'number', min: -1, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0, doc: 'AR(1) coefficient of the noise in time (0: white)' },
  noise: { type: 'number', min: 0, default: 0.05, doc: 'standard deviation of the noise' },
  baseLoss: { type: 'number', default: 2.3, doc: 'typical loss level' },
  seed: { type: 'seed', default: 0, doc: 'PRNG seed' },
});

type _NoiseControlSchemaMatches = Assert<SameKeys<typeof NOISE_CONTROL_OPTIONS.fields, NoiseControlOptions>>;

/**
 * A noise control: T x n losses `l_i(t) = b_i + noise * x_i(t)`, where each probe's x_i is an
 * independent stationary AR(1) series of unit variance, `x(t) = phi x(t-1) + sqrt(1 - phi^2) eps(t)`
 * with x(0) standard normal (phi = 0: white noise), and b_i = baseLoss + U(-0.05, 0.05). Nothing
 * happens in it, so every warning on it is a false alarm. Deterministic for a given seed.
 *
 * @example
 * ```ts
 * import { analyzeSync, detectWarnings, noiseControl } from 'rdm2';
 * const c = noiseControl({ probes: 60, steps: 119, phi: 0.5, seed: 3 });
 * const alarms = detectWarnings(analyzeSync(c.losses, { window: 20 }).shc).warnings.length;
 * ```
 */
export function noiseControl(options: NoiseControlOptions = {}): { losses: { data: Float64Array; shape: [number, number] }; options: Required<NoiseControlOptions> } {
  const o = resolveOptions(NOISE_CONTROL_OPTIONS, options);
  const { probes: n, steps: T, phi, noise, baseLoss, seed } = o;
  const rng = new SeededRandom(seed);
  const data = new Float64Array(T * n);
  const innovation = Math.sqrt(1 - phi * phi);
  for (let c = 0; c < n; c++) {
    const base = baseLoss + 0.1 * (rng.uniform() - 0.5);
    let x = rng.normal();
    for (let t = 0; t < T; t++) {
      if (t > 0) x = phi * x + innovation * rng.normal();
      data[t * n + c] = base + noise * x;
    }
  }
  return { losses: { data, shape: [T, n] }, options: { probes: n, steps: T, phi, noise, baseLoss, seed } };
}
