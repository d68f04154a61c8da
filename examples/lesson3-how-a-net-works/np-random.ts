// NumPy's legacy `np.random.seed(n)` + `np.random.normal(loc, scale, size)`, so the notebook's noisy data
// comes out the same. NumPy's RandomState and torch's CPU generator are the same engine (mt19937 seeded
// with init_genrand(seed)); only the transforms differ, and the two NumPy uses are written out here:
//   random_sample: (a >> 5, b >> 6) of two 32-bit draws → (a·2^26 + b) / 2^53            (legacy_double)
//   gauss: Marsaglia's polar method, two uniforms in the unit disc → two normals, the second cached (legacy_gauss)
import { Generator } from '../../src/index.js';

export class NumpyRandomState {
  private readonly mt: Generator;
  private cached: number | null = null;

  /** `np.random.seed(seed)` (an integer in [0, 2^32)). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new RangeError(`seed must be an integer in [0, 2**32), got ${seed}`);
    this.mt = new Generator(seed);
  }

  /** `np.random.random_sample()`: a double in [0, 1) with 53 random bits. */
  randomSample(): number {
    const a = this.mt.nextUint32() >>> 5, b = this.mt.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal (NumPy's legacy_gauss). */
  gauss(): number {
    if (this.cached !== null) {
      const g = this.cached;
      this.cached = null;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cached = f * x1;
    return f * x2;
  }

  /** `np.random.normal(loc, scale, size)`: `n` values in C order, as float64. */
  normal(loc: number, scale: number, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = loc + scale * this.gauss();
    return out;
  }
}
