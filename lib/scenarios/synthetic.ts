// The paper's Figure 1 synthetic scenario: probes in groups, one group carries a sigmoid
// "structural coordinate" a(t); everything else is noise.
import { Rdm2Error } from '../errors.js';
import { SeededRandom, checkSeed } from '../stats/random.js';
import { fail, intIn, positive } from './option_checks.js';

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

const KNOWN = new Set([
  'probes', 'groups', 'steps', 'seed', 'noise', 'amplitude', 'center', 'width',
  'activeGroup', 'baseLoss', 'stepInterval', 'shuffleProbes',
]);

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
  if (typeof options !== 'object' || options === null) fail('syntheticScenario options must be an object');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown syntheticScenario option '${key}'`);
  const n = intIn('probes', options.probes ?? 60, 1, 1 << 24);
  const g = intIn('groups', options.groups ?? 3, 1, Math.min(26, n));
  const T = intIn('steps', options.steps ?? 240, 2, 1 << 24);
  const seed = checkSeed(options.seed ?? 0);
  const noise = positive('noise', options.noise ?? 0.05, true);
  const amplitude = positive('amplitude', options.amplitude ?? 0.5, true);
  const center = options.center ?? 0.6 * T;
  if (typeof center !== 'number' || !Number.isFinite(center)) fail(`center must be a finite number, got ${JSON.stringify(center)}`);
  const width = positive('width', options.width ?? 8);
  const baseLoss = options.baseLoss ?? 2.3;
  if (typeof baseLoss !== 'number' || !Number.isFinite(baseLoss)) fail(`baseLoss must be a finite number, got ${JSON.stringify(baseLoss)}`);
  const stepInterval = positive('stepInterval', options.stepInterval ?? 1);
  const shuffleProbes = options.shuffleProbes ?? false;
  if (typeof shuffleProbes !== 'boolean') fail(`shuffleProbes must be a boolean, got ${JSON.stringify(shuffleProbes)}`);
  const labels = Array.from({ length: g }, (_, k) => String.fromCharCode(65 + k));
  const activeGroup = options.activeGroup ?? 'B';
  if (!labels.includes(activeGroup)) fail(`activeGroup must be one of ${labels.join(', ')}, got ${JSON.stringify(activeGroup)}`);

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
