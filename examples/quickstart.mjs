// Quick start: the paper's Figure 1 scenario generated here (60 probes in groups
// A, B, C; a transition carried by group B only), analysed with rdm2.
// Run after `npm ci`:  node examples/quickstart.mjs
import { analyze } from '../dist/index.js';

const T = 600, n = 60, W = 40;
let seed = 12345;
const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

// l(t) = 2.3 + a(t) v + noise, v supported on group B (probes 20..39), a(t) a sigmoid.
const a = (t) => 1 / (1 + Math.exp(-(t - 350) / 25));
const v = Array.from({ length: n }, (_, i) => (i >= 20 && i < 40 ? 0.5 + 0.5 * uniform() : 0));
const data = new Float32Array(T * n);
for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) data[t * n + i] = 2.3 - a(t) * v[i] + 0.01 * normal();

const result = await analyze({ data, shape: [T, n] }, { window: W, topK: 1, detrend: 'linear' });
let peak = 0, prMin = 0;
for (let j = 1; j < result.windows; j++) {
  if (result.shc[j] > result.shc[peak]) peak = j;
  if (result.pr[j] < result.pr[prMin]) prMin = j;
}
const vec = result.eigenvectors.subarray(peak * n, (peak + 1) * n);
const energy = (from, to) => vec.slice(from, to).reduce((s, x) => s + x * x, 0);
let t90 = 0;
while (a(t90) < 0.9 * a(T - 1)) t90++;
console.log(`rdm2 quick start: T = ${T} checkpoints, n = ${n} probes, window W = ${W}, detrend linear`);
console.log(`  SHC peak at checkpoint ${result.t[peak]} (height ${result.shc[peak].toFixed(3)}); a(t) reaches 90% at ${t90}`);
console.log(`  PR minimum ${result.pr[prMin].toFixed(2)} at checkpoint ${result.t[prMin]}`);
console.log(`  top eigenvector at the SHC peak, block energy: A ${energy(0, 20).toFixed(3)}, B ${energy(20, 40).toFixed(3)}, C ${energy(40, 60).toFixed(3)}`);
