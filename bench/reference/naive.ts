// An independent, deliberately plain reference for the 2RDM: two-pass covariance
// of one window (optionally detrended by per-probe least squares) and a cyclic
// Jacobi eigensolver. Shares no code with lib/ or native/. Small inputs only.

export interface NaiveWindowResult {
  eigenvalues: number[]; // all n, descending, small ones zeroed like the spec says
  eigenvectors: number[][]; // matching, sign rule applied
  trace: number;
  pr: number;
  entropy: number;
  shc: number;
  topShare: number;
  degenerate: boolean;
}

/** rows: W arrays of n losses (already transformed). */
export function naiveCovariance(rows: number[][], detrend: 'none' | 'linear'): number[][] {
  const W = rows.length;
  const n = rows[0].length;
  const X: number[][] = rows.map((r) => r.slice());
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let t = 0; t < W; t++) mean += rows[t][i];
    mean /= W;
    if (detrend === 'none') {
      for (let t = 0; t < W; t++) X[t][i] = rows[t][i] - mean;
    } else {
      // Least-squares line a + b (t - tbar).
      const tbar = (W - 1) / 2;
      let sxy = 0;
      let sxx = 0;
      for (let t = 0; t < W; t++) {
        sxy += (t - tbar) * (rows[t][i] - mean);
        sxx += (t - tbar) * (t - tbar);
      }
      const b = sxy / sxx;
      for (let t = 0; t < W; t++) X[t][i] = rows[t][i] - mean - b * (t - tbar);
    }
  }
  const C: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < W; t++) s += X[t][i] * X[t][j];
      C[i][j] = C[j][i] = s / (W - 1);
    }
  return C;
}

/** Cyclic Jacobi: returns eigenvalues descending and eigenvectors as rows. */
export function jacobiEigen(Min: number[][]): { values: number[]; vectors: number[][] } {
  const n = Min.length;
  const A = Min.map((r) => r.slice());
  const V: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += A[i][i] * A[i][i];
      for (let j = i + 1; j < n; j++) off += A[i][j] * A[i][j];
    }
    if (off <= 1e-34 * diag || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => A[b][b] - A[a][a]);
  return {
    values: order.map((i) => A[i][i]),
    vectors: order.map((i) => {
      const v = V.map((row) => row[i]);
      let arg = 0;
      for (let k = 1; k < n; k++) if (Math.abs(v[k]) > Math.abs(v[arg])) arg = k;
      return v[arg] < 0 ? v.map((x) => -x) : v;
    }),
  };
}

export function naiveObservables(valuesDesc: number[], beta: number) {
  const l1 = valuesDesc[0];
  if (!(l1 > 0) || !Number.isFinite(l1)) return { trace: NaN, pr: NaN, entropy: NaN, shc: NaN, topShare: NaN, degenerate: true, kept: [] as number[] };
  const kept = valuesDesc.filter((l) => l > 1e-10 * l1);
  const trace = kept.reduce((a, b) => a + b, 0);
  const p = kept.map((l) => l / trace);
  const pr = 1 / p.reduce((a, b) => a + b * b, 0);
  const entropy = -p.reduce((a, b) => a + b * Math.log(b), 0);
  const w = p.map((x) => x ** beta);
  const z = w.reduce((a, b) => a + b, 0);
  const q = w.map((x) => x / z);
  const E = p.map((x) => -Math.log(x));
  const meanE = q.reduce((a, qk, k) => a + qk * E[k], 0);
  const varE = q.reduce((a, qk, k) => a + qk * (E[k] - meanE) ** 2, 0);
  return { trace, pr, entropy, shc: beta * beta * varE, topShare: p[0], degenerate: false, kept };
}

export function naiveWindow(rows: number[][], detrend: 'none' | 'linear', beta: number): NaiveWindowResult {
  const { values, vectors } = jacobiEigen(naiveCovariance(rows, detrend));
  const obs = naiveObservables(values, beta);
  const l1 = values[0];
  return {
    ...obs,
    eigenvalues: values.map((l) => (l > 1e-10 * l1 ? l : 0)),
    eigenvectors: vectors,
  };
}

/** Rows of a row-major matrix as nested arrays (float32 values promoted exactly). */
export function rowsOf(data: ArrayLike<number>, T: number, n: number, transform: 'none' | 'log' = 'none'): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < T; t++) {
    const r: number[] = [];
    for (let i = 0; i < n; i++) r.push(transform === 'log' ? Math.log(data[t * n + i]) : data[t * n + i]);
    out.push(r);
  }
  return out;
}

/** Seeded PRNG (mulberry32) and standard normals, for test inputs. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}
