// A small seeded pseudo-random generator, so that surrogates, bootstraps and synthetic
// scenarios are reproducible from one integer seed on every platform.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';

/**
 * Checks that a seed is a safe integer; every seeded function in rdm2 takes one.
 * @internal
 */
export function checkSeed(seed: unknown, what = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be a safe integer, got ${showValue(seed)}`);
  }
  return seed;
}

// splitmix32 finaliser: spreads a 32-bit word over the state (used only for seeding).
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Seeded generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit
 * state, passes PractRand) seeded through a splitmix32 finaliser. Not cryptographic. The same
 * seed gives the same sequence on every platform and Node version.
 *
 * @example
 * ```ts
 * import { SeededRandom } from 'rdm2';
 * const rng = new SeededRandom(42);
 * rng.uniform(); // in [0, 1)
 * rng.int(10);   // integer in [0, 10)
 * rng.normal();  // standard normal
 * ```
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;

  /** @param seed any safe integer (negative allowed). */
  constructor(seed: number) {
    checkSeed(seed);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    this.a = mix32(lo ^ 0x9e3779b9);
    this.b = mix32(hi ^ 0x7f4a7c15);
    this.c = mix32(lo + 0x6a09e667);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** Next raw 32-bit unsigned integer. */
  next32(): number {
    let t = (this.a + this.b) >>> 0;
    this.d = (this.d + 1) >>> 0;
    t = (t + this.d) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32, without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.next32();
    while (x >= limit) x = this.next32();
    return x % n;
  }

  /** Standard normal deviate (Box-Muller, polar-free form; the second deviate is cached). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<A extends { length: number; [i: number]: number }>(values: A): A {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }
}
