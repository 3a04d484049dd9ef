// The paper's deep-linear-network scenario (its Figures 2 and 3): a student deep linear network
// learns a teacher's singular modes one at a time, and every probe's loss is recorded at every step.
import { SeededRandom } from '../stats/random.js';
import { checkValue, defineOptions, describeValue, optionError, optionError as fail, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';

/** How the student's weights start. */
export type DeepLinearInit = 'random' | 'aligned';

/** Options of {@link simulateDeepLinear}; every field has a default. */
export interface DeepLinearOptions {
  /**
   * The teacher's nonzero singular values s_1 > s_2 > ... > 0 (strictly decreasing: mode k is the
   * k-th strongest). Default [4, 3, 2, 1].
   */
  singularValues?: readonly number[];
  /** d: input and output dimension of the teacher's d x d map, >= the number of singular values. Default: the number of singular values (a full-rank teacher). */
  dim?: number;
  /** h: width of every hidden layer (used when depth >= 2), >= 1. Default 32. */
  hidden?: number;
  /** L: number of weight matrices, 1..10 (1 is plain linear regression: no stages). Default 3. */
  depth?: number;
  /**
   * 'random' (default): every weight is i.i.d. N(0, initScale^2). 'aligned': every layer is
   * initScale times the teacher's singular bases (W_1 = s R V^T, hidden layers s R R^T,
   * W_L = s U R^T with R = [I_d; 0]), so the end-to-end map starts at initScale^L U V^T and every
   * mode evolves on its own: Saxe et al.'s exactly solvable case.
   */
  init?: DeepLinearInit;
  /** Initial weight scale (> 0; small initialisation gives stage-like learning, and the smaller it is the longer the plateaus between stages). Default 0.001. */
  initScale?: number;
  /**
   * Gradient-descent learning rate, > 0 and below the stability bound 2 / (L s_1^(2 - 2/L)) at the
   * solution (0.105 for s_1 = 4 at depth 3). Default 0.08.
   */
  learningRate?: number;
  /** Number of full-batch gradient-descent updates; losses are recorded before the first and after every update (T = steps + 1). Default 3600. */
  steps?: number;
  /** n: number of fixed probe inputs (x_i ~ N(0, I_d), drawn once), >= 1. Default 60. */
  probes?: number;
  /** P: training-set size (>= dim). The training inputs are whitened exactly: (1/P) sum x x^T = I. Default 4 dim. */
  trainSize?: number;
  /**
   * Standard deviation of i.i.d. Gaussian measurement noise added to every recorded probe loss
   * (not to training), >= 0. Default 0.01. It stands for the evaluation noise every real loss
   * recording has, and gives each window a noise floor, so the SHC is not computed on the
   * scale-free, near-zero variance of a deterministic plateau. The trajectory does not depend on it.
   */
  noise?: number;
  /** PRNG seed (any safe integer): teacher bases, initial weights, training and probe inputs, noise. Default 0. */
  seed?: number;
}

/** The resolved options of a run. */
export interface ResolvedDeepLinearOptions {
  singularValues: number[];
  dim: number;
  hidden: number;
  depth: number;
  init: DeepLinearInit;
  initScale: number;
  learningRate: number;
  steps: number;
  probes: number;
  trainSize: number;
  noise: number;
  seed: number;
}

/** A simulated training run with its ground truth. K = number of teacher modes (singular values). */
export interface DeepLinearRun {
  /** T x n per-probe losses l_i(t) = 0.5 ||W(t) x_i - T x_i||^2 (+ measurement noise), row-major, T = steps + 1. */
  losses: { data: Float64Array; shape: [number, number] };
  /** Training step of each checkpoint: 0, 1, ..., steps. */
  steps: Float64Array;
  /** Full-batch training loss (1/2P) sum ||W x - y||^2 at each checkpoint (length T); noise-free. */
  trainLoss: Float64Array;
  /** T x K row-major: the student's strength along teacher mode k, u_k^T W(t) v_k. */
  strengths: Float64Array;
  /** Step of the first checkpoint where mode k's strength reaches s_k / 2 (length K; NaN if never). */
  alignmentSteps: Float64Array;
  /** Checkpoint index of the same (length K; -1 if never). */
  alignmentCheckpoints: Int32Array;
  /** The teacher: left and right singular vectors as d x d row-major matrices (column k is u_k / v_k), and its map T (d x d). */
  teacher: { u: Float64Array; v: Float64Array; map: Float64Array; singularValues: Float64Array };
  /** n x d probe inputs, row-major. */
  probeInputs: Float64Array;
  /**
   * A group label per probe: `mode k` (1-based) for the teacher mode whose input direction v_k the
   * probe's input is most aligned with (largest (v_k . x_i)^2 over the K modes). Probe i's loss
   * drop while mode k is learned is proportional to (v_k . x_i)^2, so these are the probes that
   * take part most in mode k's stage.
   */
  probeGroups: string[];
  /** The student's end-to-end map W = W_L ... W_1 after the last step (d x d, row-major). */
  finalMap: Float64Array;
  /** The options used, defaults filled in. */
  options: ResolvedDeepLinearOptions;
}

const positiveNumber = { type: 'number', min: 0, exclusiveMin: true } as const;

/** The options of {@link simulateDeepLinear}. */
export const DEEP_LINEAR_OPTIONS = defineOptions('simulateDeepLinear', {
  singularValues: {
    type: 'custom',
    typeDoc: 'a non-empty array of numbers',
    default: (): number[] => [4, 3, 2, 1],
    doc: "the teacher's singular values, strictly decreasing",
    check: (v: unknown, name: string): number[] => {
      if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of numbers, got ${describeValue(v)}`);
      return v.map((x, k) => checkValue({ ...positiveNumber, doc: '' }, `${name}[${k}]`, x));
    },
  },
  dim: { type: 'integer', min: 1, max: 512, defaultDoc: 'the number of singular values', doc: "input and output dimension d of the teacher's map" },
  hidden: { type: 'integer', min: 1, max: 4096, default: 32, doc: 'width of every hidden layer' },
  depth: { type: 'integer', min: 1, max: 10, default: 3, doc: 'number of weight matrices L' },
  init: { type: 'enum', values: ['random', 'aligned'], default: 'random', doc: "how the student's weights start" },
  initScale: { ...positiveNumber, default: 0.001, doc: 'initial weight scale' },
  learningRate: { ...positiveNumber, default: 0.08, doc: 'gradient-descent learning rate' },
  steps: { type: 'integer', min: 1, max: 1e7, default: 3600, doc: 'number of full-batch gradient-descent updates' },
  probes: { type: 'integer', min: 1, max: 1 << 20, default: 60, doc: 'number of fixed probe inputs n' },
  trainSize: { type: 'integer', min: 1, max: 1 << 20, defaultDoc: '4 dim', doc: 'training-set size P (at least dim)' },
  noise: { type: 'number', min: 0, default: 0.01, doc: 'standard deviation of the measurement noise on every recorded loss' },
  seed: { type: 'seed', default: 0, doc: 'PRNG seed' },
});

type _DeepLinearSchemaMatches = Assert<SameKeys<typeof DEEP_LINEAR_OPTIONS.fields, DeepLinearOptions>>;

/** Most recorded loss values one run may hold (T x n), to keep memory bounded: 2^27 doubles = 1 GiB. */
const MAX_RECORDED = 2 ** 27;

function resolve(options: DeepLinearOptions): ResolvedDeepLinearOptions {
  const o = resolveOptions(DEEP_LINEAR_OPTIONS, options);
  const { singularValues, hidden, depth, init, initScale, learningRate, steps, probes, noise, seed } = o;
  for (let k = 1; k < singularValues.length; k++) {
    if (!(singularValues[k] < singularValues[k - 1])) {
      fail(`singularValues must be strictly decreasing (distinct modes, strongest first), but ${singularValues[k]} follows ${singularValues[k - 1]}`);
    }
  }
  const dim = o.dim ?? singularValues.length;
  if (singularValues.length > dim) fail(`dim (${dim}) must be at least the number of singular values (${singularValues.length})`);
  if (init === 'aligned' && depth >= 2 && hidden < dim) fail(`init 'aligned' needs hidden >= dim, got hidden ${hidden} < dim ${dim}`);
  // Gradient descent is stable at a balanced solution only if eta L s_1^(2 - 2/L) < 2 (the largest
  // curvature there); above it, it oscillates without converging or diverges.
  const bound = 2 / (depth * singularValues[0] ** (2 - 2 / depth));
  if (learningRate >= bound) {
    fail(
      `learningRate ${learningRate} is too large for singular value ${singularValues[0]} at depth ${depth}: gradient descent is unstable ` +
        `at the teacher unless learningRate < 2 / (depth s_1^(2 - 2/depth)) = ${bound.toPrecision(4)}`,
    );
  }
  if ((steps + 1) * probes > MAX_RECORDED) fail(`(steps + 1) x probes = ${(steps + 1) * probes} recorded losses exceeds the limit of ${MAX_RECORDED}`);
  const trainSize = checkValue({ ...DEEP_LINEAR_OPTIONS.fields.trainSize, min: dim }, 'trainSize', o.trainSize ?? 4 * dim);
  return { singularValues, dim, hidden, depth, init, initScale, learningRate, steps, probes, trainSize, noise, seed };
}

/** C = A B, with A (r x m), B (m x c), all row-major. */
function matmul(A: Float64Array, B: Float64Array, r: number, m: number, c: number, C: Float64Array = new Float64Array(r * c)): Float64Array {
  for (let i = 0; i < r; i++) {
    const co = i * c;
    for (let j = 0; j < c; j++) C[co + j] = 0;
    for (let k = 0; k < m; k++) {
      const a = A[i * m + k];
      const bo = k * c;
      for (let j = 0; j < c; j++) C[co + j] += a * B[bo + j];
    }
  }
  return C;
}

/** C = A^T M, with A (a x r), M (a x b): C is r x b. */
function atm(A: Float64Array, M: Float64Array, a: number, r: number, b: number, C: Float64Array): Float64Array {
  for (let i = 0; i < r * b; i++) C[i] = 0;
  for (let k = 0; k < a; k++) {
    const mo = k * b;
    for (let i = 0; i < r; i++) {
      const x = A[k * r + i];
      const co = i * b;
      for (let j = 0; j < b; j++) C[co + j] += x * M[mo + j];
    }
  }
  return C;
}

/** C = A B^T, with A (r x b), B (c x b): C is r x c. */
function abt(A: Float64Array, B: Float64Array, r: number, b: number, c: number, C: Float64Array): Float64Array {
  for (let i = 0; i < r; i++) {
    const ao = i * b;
    for (let j = 0; j < c; j++) {
      const bo = j * b;
      let s = 0;
      for (let k = 0; k < b; k++) s += A[ao + k] * B[bo + k];
      C[i * c + j] = s;
    }
  }
  return C;
}

/** Orthonormalises the columns of a d x d row-major matrix in place (modified Gram-Schmidt). */
function orthonormalColumns(Q: Float64Array, d: number): Float64Array {
  for (let k = 0; k < d; k++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += Q[i * d + j] * Q[i * d + k];
        for (let i = 0; i < d; i++) Q[i * d + k] -= dot * Q[i * d + j];
      }
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += Q[i * d + k] * Q[i * d + k];
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) Q[i * d + k] /= norm;
  }
  return Q;
}

function randomOrthogonal(rng: SeededRandom, d: number): Float64Array {
  const Q = new Float64Array(d * d);
  for (let i = 0; i < Q.length; i++) Q[i] = rng.normal();
  return orthonormalColumns(Q, d);
}

/**
 * A whitened training set's sufficient statistics: P Gaussian inputs whose d rows (length-P
 * vectors) are orthonormalised and scaled by sqrt(P), so (1/P) X X^T = I exactly (to round-off);
 * targets y = T x (a noise-free teacher). Returns Sxx = (1/P) X X^T and Syx = (1/P) Y X^T.
 */
function whitenedTrainingSet(rng: SeededRandom, teacher: Float64Array, d: number, P: number): { sxx: Float64Array; syx: Float64Array } {
  const X = new Float64Array(d * P); // d x P, row k = k-th input coordinate over the set
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  for (let k = 0; k < d; k++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let m = 0; m < P; m++) dot += X[j * P + m] * X[k * P + m];
        dot /= P; // row j already has squared norm P
        for (let m = 0; m < P; m++) X[k * P + m] -= dot * X[j * P + m];
      }
    }
    let norm = 0;
    for (let m = 0; m < P; m++) norm += X[k * P + m] * X[k * P + m];
    const scale = Math.sqrt(P / norm);
    for (let m = 0; m < P; m++) X[k * P + m] *= scale;
  }
  const sxx = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let m = 0; m < P; m++) s += X[a * P + m] * X[b * P + m];
      sxx[a * d + b] = s / P;
    }
  }
  const Y = matmul(teacher, X, d, d, P);
  const syx = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let m = 0; m < P; m++) s += Y[a * P + m] * X[b * P + m];
      syx[a * d + b] = s / P;
    }
  }
  return { sxx, syx };
}

/**
 * Trains a student deep linear network on a teacher with distinct singular values and records
 * every probe's loss at every step: the paper's deep-linear-network scenario (its Figures 2 and 3),
 * and a cheap toy for calibrating window sizes and warning thresholds before spending GPU time.
 *
 * - Teacher: `T = sum_k s_k u_k v_k^T`, a d x d map with random orthonormal bases U, V (seeded).
 * - Student: `W = W_L ... W_1` (depth L, hidden width h), small initialisation, trained by
 *   full-batch gradient descent on the squared error `(1/2P) sum ||W x - T x||^2` over a training
 *   set of P inputs whitened exactly ((1/P) sum x x^T = I). Full-batch GD only needs the set's
 *   statistics Sxx and Syx, so a step costs O(L h^2 d) whatever P is.
 * - With whitened inputs and small initialisation each teacher mode is learned in its own
 *   sigmoidal stage, strongest first, separated by plateaus (saddle to saddle). The strength
 *   along mode k is `u_k^T W(t) v_k`; its alignment time is the first step where it reaches s_k / 2.
 * - Probes: n fixed inputs x_i ~ N(0, I_d); probe i's loss is `0.5 ||W(t) x_i - T x_i||^2`
 *   plus, when `noise > 0`, i.i.d. N(0, noise^2) measurement noise drawn after the training, so
 *   the trajectory, strengths and alignment times do not depend on `noise`. With noise a loss
 *   near zero can be recorded slightly negative.
 *
 * Deterministic for a given seed. At the defaults (d 4, h 32, depth 3, 3600 steps, 60 probes) a
 * run takes 0.15 to 0.35 s in Node 20 on one core (measured on a busy 2-core machine); the cost
 * per step is O(L h^2 d + n d^2).
 *
 * Why the default noise: a noise-free run has (almost) no within-window variance on the
 * plateaus, and what there is moves along a single probe-space direction (the slow growth of the
 * next mode), so PR stays at 1 and the SHC, which is scale-free, has no bulk for a mode to grow out
 * of. With a noise floor the plateaus look like real training (PR near W - 1, SHC at its noise
 * floor) and the SHC peaks shortly before each alignment. The lead grows as the noise shrinks
 * (docs/demo.md).
 *
 * @throws Rdm2Error ERR_RDM2_OPTION on an unknown or out-of-range option, a learning rate at or
 *   above the stability bound 2 / (L s_1^(2 - 2/L)), or weights that overflow (too large an
 *   initialisation for the learning rate).
 *
 * @example
 * ```ts
 * import { simulateDeepLinear, analyzeSync } from 'rdm2';
 * const run = simulateDeepLinear({ singularValues: [4, 3, 2, 1], depth: 3, seed: 1 });
 * console.log(run.alignmentSteps); // [562, 977, 1287, 2492]: one step per mode, strongest first
 * const a = analyzeSync(run.losses, { window: 20, topK: 1 });
 * // a.shc peaks 13 to 24 steps before these alignments (and again about W steps after each, when the
 * // stage leaves the trailing window); a.pr falls to 1 during each stage. At each peak the top
 * // eigenvector's energy sits mostly on the probes of group run.probeGroups === `mode k`.
 * ```
 */
export function simulateDeepLinear(options: DeepLinearOptions = {}): DeepLinearRun {
  const o = resolve(options);
  const { dim: d, depth: L, hidden: h, probes: n, steps, learningRate: eta } = o;
  const K = o.singularValues.length;
  const rng = new SeededRandom(o.seed);

  // Teacher.
  const U = randomOrthogonal(rng, d);
  const V = randomOrthogonal(rng, d);
  const teacher = new Float64Array(d * d);
  for (let k = 0; k < K; k++) {
    const s = o.singularValues[k];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) teacher[i * d + j] += s * U[i * d + k] * V[j * d + k];
  }

  // Student layers: W_1 is out_1 x d, W_l is out_l x out_{l-1}, W_L is d x out_{L-1}.
  const outs = Array.from({ length: L }, (_, l) => (l === L - 1 ? d : h));
  const ins = Array.from({ length: L }, (_, l) => (l === 0 ? d : h));
  const layers: Float64Array[] = [];
  if (o.init === 'random') {
    for (let l = 0; l < L; l++) {
      const W = new Float64Array(outs[l] * ins[l]);
      for (let i = 0; i < W.length; i++) W[i] = o.initScale * rng.normal();
      layers.push(W);
    }
  } else {
    const s = o.initScale;
    for (let l = 0; l < L; l++) {
      const W = new Float64Array(outs[l] * ins[l]);
      const r = outs[l];
      const c = ins[l];
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          if (L === 1) for (let k = 0; k < d; k++) W[i * c + j] += s * U[i * d + k] * V[j * d + k];
          else if (l === 0) W[i * c + j] = i < d ? s * V[j * d + i] : 0; // s R V^T
          else if (l === L - 1) W[i * c + j] = j < d ? s * U[i * d + j] : 0; // s U R^T
          else W[i * c + j] = i === j && i < d ? s : 0; // s R R^T
        }
      }
      layers.push(W);
    }
  }

  const { sxx, syx } = whitenedTrainingSet(rng, teacher, d, o.trainSize);

  // Fixed probe inputs.
  const probeInputs = new Float64Array(n * d);
  for (let i = 0; i < probeInputs.length; i++) probeInputs[i] = rng.normal();

  const T = steps + 1;
  const losses = new Float64Array(T * n);
  const trainLoss = new Float64Array(T);
  const strengths = new Float64Array(T * K);
  const stepArr = new Float64Array(T);

  // prefix[l] = layers[l-1] ... layers[0]: outs[l-1] x d (l = 1..L; prefix[L] is the end-to-end map W).
  // suffix[l] = layers[L-1] ... layers[l]: d x ins[l] (l = 1..L-1). The identity factors are never multiplied.
  const prefix: Float64Array[] = [new Float64Array(0)];
  for (let l = 1; l <= L; l++) prefix.push(l === 1 ? layers[0] : new Float64Array(outs[l - 1] * d));
  const suffix: Float64Array[] = new Array(L + 1);
  for (let l = 1; l < L; l++) suffix[l] = l === L - 1 ? layers[L - 1] : new Float64Array(d * ins[l]);
  const grads = layers.map((W) => new Float64Array(W.length));
  const tmp = new Float64Array(Math.max(h, d) * d);
  const E = new Float64Array(d * d);
  const G = new Float64Array(d * d);

  for (let t = 0; t < T; t++) {
    for (let l = 2; l <= L; l++) matmul(layers[l - 1], prefix[l - 1], outs[l - 1], ins[l - 1], d, prefix[l]);
    const W = prefix[L];
    let finite = true;
    for (let i = 0; i < d * d; i++) if (!(Math.abs(W[i]) < 1e150)) finite = false;
    if (!finite) {
      fail(`training diverged at step ${t}: the weights overflowed (initScale ${o.initScale} with learningRate ${eta} is too large; use a smaller initScale or learningRate)`);
    }
    stepArr[t] = t;
    // Error map and per-probe losses 0.5 ||E x_i||^2.
    for (let i = 0; i < d * d; i++) E[i] = W[i] - teacher[i];
    for (let p = 0; p < n; p++) {
      let loss = 0;
      const xo = p * d;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += E[i * d + j] * probeInputs[xo + j];
        loss += s * s;
      }
      losses[t * n + p] = 0.5 * loss;
    }
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        let wv = 0;
        for (let j = 0; j < d; j++) wv += W[i * d + j] * V[j * d + k];
        s += U[i * d + k] * wv;
      }
      strengths[t * K + k] = s;
    }
    // Training loss (1/2P) sum ||(W - T) x||^2 = 0.5 tr(E Sxx E^T) (no cancellation near convergence).
    matmul(E, sxx, d, d, d, G);
    let ese = 0;
    for (let i = 0; i < d * d; i++) ese += G[i] * E[i];
    trainLoss[t] = 0.5 * ese;
    if (t === steps) break;
    // Full-batch gradient of the training loss with respect to W: G = W Sxx - Syx.
    matmul(W, sxx, d, d, d, G);
    if (t === steps) break;
    for (let i = 0; i < d * d; i++) G[i] -= syx[i];
    // dLoss/d layers[l] = suffix[l+1]^T G prefix[l]^T (suffix[L] = prefix[0] = I), from the weights before this step.
    for (let l = L - 2; l >= 1; l--) matmul(suffix[l + 1], layers[l], d, outs[l], ins[l], suffix[l]);
    for (let l = 0; l < L; l++) {
      const left = l === L - 1 ? G : atm(suffix[l + 1], G, d, outs[l], d, tmp); // outs[l] x d
      if (l === 0) grads[0].set(left.subarray(0, outs[0] * d));
      else abt(left, prefix[l], outs[l], d, ins[l], grads[l]);
    }
    for (let l = 0; l < L; l++) {
      const Wl = layers[l];
      const g = grads[l];
      for (let i = 0; i < Wl.length; i++) Wl[i] -= eta * g[i];
    }
  }

  if (o.noise > 0) for (let i = 0; i < losses.length; i++) losses[i] += o.noise * rng.normal();

  const probeGroups: string[] = [];
  for (let p = 0; p < n; p++) {
    let best = 0;
    let bestValue = -1;
    for (let k = 0; k < K; k++) {
      let proj = 0;
      for (let j = 0; j < d; j++) proj += V[j * d + k] * probeInputs[p * d + j];
      if (proj * proj > bestValue) {
        bestValue = proj * proj;
        best = k;
      }
    }
    probeGroups.push(`mode ${best + 1}`);
  }

  const alignmentSteps = new Float64Array(K).fill(NaN);
  const alignmentCheckpoints = new Int32Array(K).fill(-1);
  for (let k = 0; k < K; k++) {
    const half = o.singularValues[k] / 2;
    for (let t = 0; t < T; t++) {
      if (strengths[t * K + k] >= half) {
        alignmentSteps[k] = stepArr[t];
        alignmentCheckpoints[k] = t;
        break;
      }
    }
  }

  return {
    losses: { data: losses, shape: [T, n] },
    steps: stepArr,
    trainLoss,
    strengths,
    alignmentSteps,
    alignmentCheckpoints,
    teacher: { u: U, v: V, map: teacher, singularValues: Float64Array.from(o.singularValues) },
    probeInputs,
    probeGroups,
    finalMap: Float64Array.from(prefix[L]),
    options: o,
  };
}
