// The paper's Figure 1 synthetic scenario: probes in groups, one group carries a sigmoid
// "structural coordinate" a(t); everything else is noise.
import { SeededRandom } from '../stats/random.js';
import { checkValue, defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';

/** Options of {@link syntheticScenario}; every field has a default. */
export interface SyntheticScenarioOptions {
  /** Number of probes n. Default 60. */
  probes?: number;
  /** Number of equal groups, labelled 'A', 'B', 'C', ... (1..26, at most `probes`). Default 3. */
  groups?: number;
  /** Number of checkpoints T. Default 240. */
  steps?: number;
  /** PRNG seed (any safe integer). Default 0. */
  seed?: number;
  /** Standard deviation of the i.i.d. Gaussian noise on every loss. Default 0.05. */
  noise?: number;
  /** Mean size of the loss drop v_i of a participating probe (v_i uniform in [0.5, 1.5] x amplitude). Default 0.5. */
  amplitude?: number;
  /** Checkpoint index (may be fractional) where a(t) = 0.5. Default 0.6 T. */
  center?: number;
  /** Sigmoid width in checkpoints: a(t) = 1 / (1 + exp(-(t - center) / width)). Default 8. */
  width?: number;
  /** Label of the group that takes part in the transition. Default 'B'. */
  activeGroup?: string;
  /** Typical loss level; each probe's base loss is baseLoss + U(-0.05, 0.05). Default 2.3. */
  baseLoss?: number;
  /** Training steps between checkpoints: checkpoint k is at step k x stepInterval. Default 1. */
  stepInterval?: number;
  /** Randomly permute the probes (columns), so group membership is not contiguous. Default false. */
  shuffleProbes?: boolean;
}

/** A generated run with its ground truth. */
export interface SyntheticScenario {
  /** T x n per-probe losses, row-major. */
  losses: { data: Float64Array; shape: [number, number] };
  /** Training step of each checkpoint (length T). */
  steps: Float64Array;
  /** Group label of each probe (length n). */
  groups: string[];
  /** The structural coordinate a(t) at each checkpoint (length T), rising from ~0 to ~1. */
  a: Float64Array;
  /** The loss-drop direction v (length n), nonzero only on the active group. */
  v: Float64Array;
  /** Step of the first checkpoint with a >= 0.5 (the transition time). */
  transitionStep: number;
  /** Checkpoint index of the first checkpoint with a >= 0.5. */
  transitionCheckpoint: number;
  /** Step of the first checkpoint with a >= 0.1 (start of the transition). */
  step10: number;
  /** Step of the first checkpoint with a >= 0.9 of its final value (end of the transition). */
  step90: number;
  /** Checkpoint index of the first checkpoint with a >= 0.9 of its final value. */
  checkpoint90: number;
  /** The options used, defaults filled in. */
  options: Required<SyntheticScenarioOptions>;
}

/** The options of {@link syntheticScenario}. */
export const SYNTHETIC_SCENARIO_OPTIONS = defineOptions('syntheticScenario', {
  probes: { type: 'integer', min: 1, max: 1 << 24, default: 60, doc: 'number of probes n' },
  groups: { type: 'integer', min: 1, max: 26, default: 3, doc: "number of equal groups 'A', 'B', ... (at most the number of probes)" },
  steps: { type: 'integer', min: 2, max: 1 << 24, default: 240, doc: 'number of checkpoints T' },
  seed: { type: 'seed', default: 0, doc: 'PRNG seed' },
  noise: { type: 'number', min: 0, default: 0.05, doc: 'standard deviation of the Gaussian noise on every loss' },
  amplitude: { type: 'number', min: 0, default: 0.5, doc: 'mean size of the loss drop of a participating probe' },
  center: { type: 'number', defaultDoc: '0.6 T', doc: 'checkpoint index where a(t) = 0.5' },
  width: { type: 'number', min: 0, exclusiveMin: true, default: 8, doc: 'sigmoid width in checkpoints' },
  activeGroup: { type: 'string', default: 'B', doc: 'label of the group that takes part in the transition' },
  baseLoss: { type: 'number', default: 2.3, doc: 'typical loss level' },
  stepInterval: { type: 'number', min: 0, exclusiveMin: true, default: 1, doc: 'training steps between checkpoints' },
  shuffleProbes: { type: 'boolean', default: false, doc: 'randomly permute the probes' },
});

type _SyntheticScenarioSchemaMatches = Assert<SameKeys<typeof SYNTHETIC_SCENARIO_OPTIONS.fields, SyntheticScenarioOptions>>;

function firstAtLeast(a: Float64Array, level: number): number {
  for (let k = 0; k < a.length; k++) if (a[k] >= level) return k;
  return a.length - 1;
}

/**
 * Generates the paper's Figure 1 scenario: n probes in equal groups A, B, C, ...; probe i's
 * loss at checkpoint t is `l_i(t) = b_i - a(t) v_i + noise * eps_it`, with a(t) a sigmoid
 * structural coordinate, v supported on the active group only (default B), b_i a base loss
 * and eps i.i.d. standard normal. The covariance of a window is then
 * `Var_window(a) v v^T + noise^2 I`: block structure on B appears only while a(t) moves.
 * Deterministic for a given seed.
 *
 * Ground truth returned with it: `a`, `v`, the transition step (a crosses 0.5), and the steps
 * where a reaches 10% and 90% of its final value.
 *
 * @example
 * ```ts
 * import { syntheticScenario, analyzeSync } from 'rdm2';
 * const s = syntheticScenario({ probes: 60, groups: 3, steps: 240, seed: 1 });
 * const a = analyzeSync(s.losses, { window: 20, topK: 1 });
 * // a.shc peaks while s.a rises; s.groups says which probes are in B.
 * ```
 */
export function syntheticScenario(options: SyntheticScenarioOptions = {}): SyntheticScenario {
  const o = resolveOptions(SYNTHETIC_SCENARIO_OPTIONS, options);
  const { probes: n, steps: T, seed, noise, amplitude, width, baseLoss, stepInterval, shuffleProbes, activeGroup } = o;
  const fields = SYNTHETIC_SCENARIO_OPTIONS.fields;
  const g = checkValue({ ...fields.groups, max: Math.min(26, n) }, 'groups', o.groups);
  const center = o.center ?? 0.6 * T;
  const labels = Array.from({ length: g }, (_, k) => String.fromCharCode(65 + k));
  if (!labels.includes(activeGroup)) optionError(`activeGroup must be one of ${labels.join(', ')}, got ${JSON.stringify(activeGroup)}`);

  const rng = new SeededRandom(seed);
  // Group of each column: contiguous equal blocks, then optionally permuted.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (shuffleProbes) rng.shuffle(order);
  const groups = new Array<string>(n);
  for (let c = 0; c < n; c++) groups[c] = labels[Math.floor((order[c] * g) / n)];

  const base = new Float64Array(n);
  const v = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    base[c] = baseLoss + 0.1 * (rng.uniform() - 0.5);
    if (groups[c] === activeGroup) v[c] = amplitude * (0.5 + rng.uniform());
  }
  const a = new Float64Array(T);
  const steps = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    a[t] = 1 / (1 + Math.exp(-(t - center) / width));
    steps[t] = t * stepInterval;
  }
  const data = new Float64Array(T * n);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < n; c++) data[t * n + c] = base[c] - a[t] * v[c] + noise * rng.normal();
  }
  const final = a[T - 1];
  const k50 = firstAtLeast(a, 0.5);
  const k10 = firstAtLeast(a, 0.1 * final);
  const k90 = firstAtLeast(a, 0.9 * final);
  return {
    losses: { data, shape: [T, n] },
    steps,
    groups,
    a,
    v,
    transitionStep: steps[k50],
    transitionCheckpoint: k50,
    step10: steps[k10],
    step90: steps[k90],
    checkpoint90: k90,
    options: {
      probes: n, groups: g, steps: T, seed, noise, amplitude, center, width,
      activeGroup, baseLoss, stepInterval, shuffleProbes,
    },
  };
}
