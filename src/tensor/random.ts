// Seeded random numbers that reproduce PyTorch 1.13's CPU generator (Debian python3-torch, AVX2 kernels,
// no MKL) bit for bit: an mt19937 engine plus the exact sampling transforms ATen applies to a contiguous tensor.
// Golden data: tools/golden/random.py -> test/golden/random.json.
import type { View } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import { contiguousStrides, numel } from './shape.js';

const DEFAULT_SEED = 67280421310721n; // c10::detail::default_rng_seed_val
const N = 624;

export class Generator {
  private readonly mt = new Uint32Array(N);
  private idx = N;
  private seed_ = 0n;
  /** @internal torch's next_double_normal_sample: second Box-Muller value of the scalar normal path. */
  cachedNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) { this.manualSeed(seed); }

  manualSeed(seed: number | bigint): this {
    // NOTE: torch keeps the full 64-bit seed (negative seeds wrap) but mt19937 is seeded with its low 32 bits.
    this.seed_ = BigInt.asUintN(64, BigInt(seed));
    const mt = this.mt;
    mt[0] = Number(this.seed_ & 0xffffffffn);
    for (let i = 1; i < N; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    this.idx = N;
    this.cachedNormal = null; // torch resets the cached normal sample on reseed
    return this;
  }

  initialSeed(): bigint { return this.seed_; }

  /** Nondeterministic reseed; like torch, 53 random bits so the seed survives a round trip through a double. */
  seed(): bigint {
    const w = crypto.getRandomValues(new Uint32Array(2));
    const s = (BigInt(w[0]! & 0x1fffff) << 32n) | BigInt(w[1]!);
    this.manualSeed(s);
    return s;
  }

  /** One mt19937 output (torch: generator->random()). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.idx >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.idx = 0;
    }
    let y = mt[this.idx++]!;
    y ^= y >>> 11; y ^= (y << 7) & 0x9d2c5680; y ^= (y << 15) & 0xefc60000; y ^= y >>> 18;
    return y >>> 0;
  }

  /** torch random64(): the first 32-bit draw is the high word. */
  nextUint64(): bigint {
    const hi = this.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(this.nextUint32());
  }

  /** Own format: 624 state words, index, seed, cached-normal flag and value (little endian, 2517 bytes). */
  getState(): Uint8Array {
    const out = new Uint8Array(N * 4 + 4 + 8 + 1 + 8);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < N; i++) dv.setUint32(i * 4, this.mt[i]!, true);
    dv.setUint32(N * 4, this.idx, true);
    dv.setBigUint64(N * 4 + 4, this.seed_, true);
    dv.setUint8(N * 4 + 12, this.cachedNormal === null ? 0 : 1);
    dv.setFloat64(N * 4 + 13, this.cachedNormal ?? 0, true);
    return out;
  }

  setState(s: Uint8Array): void {
    if (s.length !== N * 4 + 21) throw new ArgumentError(`Generator.setState: expected ${N * 4 + 21} bytes, got ${s.length}`);
    const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
    const idx = dv.getUint32(N * 4, true);
    if (idx > N) throw new ArgumentError('Generator.setState: corrupt state');
    for (let i = 0; i < N; i++) this.mt[i] = dv.getUint32(i * 4, true);
    this.idx = idx;
    this.seed_ = dv.getBigUint64(N * 4 + 4, true);
    this.cachedNormal = dv.getUint8(N * 4 + 12) ? dv.getFloat64(N * 4 + 13, true) : null;
  }
}

export const defaultGenerator = new Generator();

export function manualSeed(seed: number | bigint): Generator { return defaultGenerator.manualSeed(seed); }

// NOTE: torch uses 24 random bits for float32 (one random()) and 53 bits of random64() for float64.
const u24 = (g: Generator): number => (g.nextUint32() & 0xffffff) * 2 ** -24;
const u53 = (g: Generator): number => {
  const hi = g.nextUint32() & 0x1fffff;
  return (hi * 2 ** 32 + g.nextUint32()) * 2 ** -53;
};

// ---- exact float helpers --------------------------------------------------------------------------------
// The AVX2 build lets GCC contract a*b+c into fused multiply-adds, so several transforms round only once.
const f64 = new Float64Array(1);
const w32 = new Uint32Array(f64.buffer); // little endian: w32[0] is the low word
/** a+b rounded to odd (53 bits); rounding that to float32 gives the correctly rounded float32 sum. */
function addRoundOdd(a: number, b: number): number {
  const s = a + b, bb = s - a, e = (a - (s - bb)) + (b - bb);
  f64[0] = s;
  if (e === 0 || (w32[0]! & 1) === 1) return s;
  if ((s > 0) === (e > 0)) w32[0]! += 1; // away from zero (low word is even: no carry)
  else if (w32[0] === 0) { w32[0] = 0xffffffff; w32[1]! -= 1; } else w32[0]! -= 1;
  return f64[0]!;
}
/** fmaf: the float32 product is exact in a double. */
const fma32 = (a: number, b: number, c: number): number => Math.fround(addRoundOdd(a * b, c));

// Double-double arithmetic; results in (H, L) to avoid allocations.
let H = 0, L = 0;
function twoSum(a: number, b: number): void {
  const s = a + b, bb = s - a;
  H = s; L = (a - (s - bb)) + (b - bb);
}
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = 134217729 * a; const ah = t - (t - a), al = a - ah;
  t = 134217729 * b; const bh = t - (t - b), bl = b - bh;
  H = p; L = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh); const s = H, e = L;
  twoSum(al, bl); const t = H, f = L;
  let hi = s + (e + t), lo = (e + t) - (hi - s);
  const lo2 = lo + f; const hi2 = hi + lo2; lo = lo2 - (hi2 - hi); hi = hi2;
  H = hi; L = lo;
}
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh); const p = H, e = L + (ah * bl + al * bh);
  H = p + e; L = e - (H - p);
}
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl); ddAdd(ah, al, -H, -L);
  const q2 = H / bh;
  H = q1 + q2; L = q2 - (H - q1);
}
/** fma for doubles (Boldo-Melquiond emulation via round-to-odd). */
function fma64(a: number, b: number, c: number): number {
  twoProd(a, b); const uh = H, ul = L;
  twoSum(c, uh);
  return H + addRoundOdd(L, ul);
}

// ---- glibc log/sin/cos stand-ins -------------------------------------------------------------------------
// NOTE: the float64 normal paths call glibc's log/sin/cos. V8's fdlibm ports differ from glibc in the last
// bit for 3-7% of arguments; glibc differs from the correctly rounded value for only ~0.1% (measured on this
// machine), so we evaluate in double-double and round correctly. Emulating glibc exactly would need its tables.
const LOG_C: number[] = []; // 1/(2k+1) as double-double pairs
for (let k = 0; k < 20; k++) { ddDiv(1, 0, 2 * k + 1, 0); LOG_C.push(H, L); }
const FACT_INV: number[] = [1, 0]; // 1/n! as double-double pairs
for (let n = 1; n < 30; n++) { ddDiv(FACT_INV[2 * n - 2]!, FACT_INV[2 * n - 1]!, n, 0); FACT_INV.push(H, L); }

function crLog(x: number): number {
  f64[0] = x;
  let k = (w32[1]! >>> 20) - 1023;
  w32[1] = (w32[1]! & 0x000fffff) | 0x3ff00000; // m in [1, 2)
  let m = f64[0]!;
  if (m > Math.SQRT2) { m /= 2; k++; }
  twoSum(m, 1);
  ddDiv(m - 1, 0, H, L); const sh = H, sl = L; // s = (m-1)/(m+1); log m = 2 atanh(s)
  ddMul(sh, sl, sh, sl); const zh = H, zl = L;
  let ah = LOG_C[38]!, al = LOG_C[39]!;
  for (let i = 18; i >= 0; i--) { ddMul(ah, al, zh, zl); ddAdd(H, L, LOG_C[2 * i]!, LOG_C[2 * i + 1]!); ah = H; al = L; }
  ddMul(ah, al, 2 * sh, 2 * sl); ah = H; al = L;
  twoProd(k, 0.6931471805599453); const lh = H, ll = L + k * 2.3190468138462996e-17;
  ddAdd(lh, ll, ah, al);
  return H + L;
}

let SIN = 0, COS = 0;
/** Correctly rounded sin and cos of x in [0, 8) into SIN, COS. */
function crSinCos(x: number): void {
  const k = Math.round(x / (Math.PI / 2));
  twoProd(k, 1.5707963267948966); const r0 = x - H; // exact (Sterbenz)
  ddAdd(r0, 0, -L, 0); let rh = H, rl = L;
  twoProd(k, 6.123233995736766e-17); ddAdd(rh, rl, -H, -L - k * -1.4973849048591698e-33); rh = H; rl = L;
  ddMul(rh, rl, rh, rl); const zh = -H, zl = -L; // -r^2
  let sh = FACT_INV[58]!, sl = FACT_INV[59]!, ch = FACT_INV[56]!, cl = FACT_INV[57]!; // 1/29!, 1/28!
  for (let n = 26; n >= 0; n -= 2) { // Horner in z = -r^2
    ddMul(sh, sl, zh, zl); ddAdd(H, L, FACT_INV[2 * n + 2]!, FACT_INV[2 * n + 3]!); sh = H; sl = L;
    ddMul(ch, cl, zh, zl); ddAdd(H, L, FACT_INV[2 * n]!, FACT_INV[2 * n + 1]!); ch = H; cl = L;
  }
  ddMul(sh, sl, rh, rl);
  const s = H + L, c = ch + cl;
  switch (k & 3) {
    case 0: SIN = s; COS = c; break;
    case 1: SIN = c; COS = -s; break;
    case 2: SIN = -s; COS = -c; break;
    default: SIN = -c; COS = s;
  }
}

// ---- float32 randn, numel >= 16: normal_fill_16_AVX2 ------------------------------------------------------
// torch evaluates log/sincos with avx_mathfun's Cephes polynomials in float32 arithmetic. We replay each float
// op (Math.fround) including the multiply-adds that GCC fused into FMA instructions (-mfma, -ffp-contract=fast).
const fr = Math.fround;
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(fr);
const [SQRTHF, LOG_Q1, LOG_Q2] = [0.707106781186547524, -2.12194440e-4, 0.693359375].map(fr) as [number, number, number];
/** log256_ps for x in [2^-24, 1]. */
function logAvx(x: number): number {
  f32[0] = x;
  let e = fr(((i32[0]! >>> 23) - 127) + 1);
  i32[0] = (i32[0]! & ~0x7f800000) | 0x3f000000; // mantissa in [0.5, 1)
  let m = f32[0]!;
  if (m < SQRTHF) { e -= 1; m = m - 1 + m; } else m = m - 1; // exact
  const z = fr(m * m);
  let y = LOG_P[0]!;
  for (let i = 1; i < 9; i++) y = fma32(y, m, LOG_P[i]!);
  y = fr(y * m);
  y = fma32(y, z, fr(e * LOG_Q1)); // (y*z) + (e*q1): GCC fused the first product
  y = fr(y - z * 0.5);
  return fma32(e, LOG_Q2, fr(m + y));
}
const [FOPI, DP1, DP2, DP3] = [1.27323954473516, -0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8].map(fr) as [number, number, number, number];
const SINC = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(fr) as [number, number, number];
const COSC = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(fr) as [number, number, number];
/** sincos256_ps for x in [0, 2pi) into SIN, COS. */
function sinCosAvx(x: number): void {
  let j = Math.trunc(fr(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  x = fma32(y, DP3, fma32(y, DP2, fma32(y, DP1, x))); // Cody-Waite reduction by pi/4
  const z = fr(x * x);
  let c = fma32(fma32(COSC[0], z, COSC[1]), z, COSC[2]);
  c = fma32(fr(c * z), z, -z * 0.5); // (c*z)*z - z/2 with the outer product fused
  c = fr(c + 1);
  let s = fma32(fma32(SINC[0], z, SINC[1]), z, SINC[2]);
  s = fma32(fr(s * z), x, x);
  const polySin = (j & 2) === 0;
  SIN = polySin ? s : c;
  COS = polySin ? c : s;
  if (j & 4) SIN = -SIN;
  if (((j - 2) & 4) === 0) COS = -COS;
}
const TWO_PI_F = fr(2 * Math.PI);
function normal16Avx(d: Float32Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fr(1 - d[o + j]!), u2 = d[o + j + 8]!;
    const radius = fr(Math.sqrt(-2 * logAvx(u1)));
    sinCosAvx(fr(TWO_PI_F * u2));
    d[o + j] = fma32(fr(radius * COS), std, mean);
    d[o + j + 8] = fma32(fr(radius * SIN), std, mean);
  }
}

// ---- float64 randn, numel >= 16: normal_fill_16<double> (scalar code, glibc libm) --------------------------
function normal16F64(d: Float64Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[o + j]!, u2 = d[o + j + 8]!;
    const radius = Math.sqrt(-2 * crLog(u1));
    crSinCos(2 * Math.PI * u2);
    d[o + j] = mulAdd64(radius * COS, std, mean);
    d[o + j + 8] = mulAdd64(radius * SIN, std, mean);
  }
}
const mulAdd64 = (a: number, b: number, c: number): number => (b === 1 && c === 0 ? a : fma64(a, b, c));

const def = (g?: Generator): Generator => g ?? defaultGenerator;

/**
 * `t.uniform_()`, `t.normal_()`, `t.bernoulli_()`: fill the view t in place with values drawn on the host
 * by `fill` (float32, or float64 for a float64 tensor; cast to t's dtype on the copy). A raw write outside
 * autograd: no node is recorded, and t's version is bumped.
 */
export function fillRandom_(t: View, fill: (a: Float32Array | Float64Array) => void): void {
  const be = t.storage.backend;
  const n = numel(t.shape);
  const a = t.storage.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  fill(a);
  const src = be.fromArray(a);
  be.copy({ storage: src, shape: t.shape, strides: contiguousStrides(t.shape), offset: 0 }, t);
  be.free(src); // NOTE: allowed while the copy is pending (Backend: freeing)
  t.storage.version++;
}

/** torch.rand / Tensor.uniform_(from, to): x * (to - from) + from, contracted to one FMA by the AVX2 build. */
export function uniformFill(out: Float32Array | Float64Array, from = 0, to = 1, gen?: Generator): void {
  if (!(from <= to)) throw new ArgumentError(`uniform: expects from <= to, got from=${from} to=${to}`);
  const g = def(gen);
  if (out instanceof Float32Array) {
    const a = fr(from), r = fr(fr(to) - a); // torch computes (to - from) in float32
    for (let i = 0; i < out.length; i++) out[i] = fma32(u24(g), r, a);
  } else {
    const r = to - from;
    for (let i = 0; i < out.length; i++) out[i] = fma64(u53(g), r, from);
  }
}

/**
 * torch.randn / Tensor.normal_(mean, std).
 * NOTE (float64 only): not always bit-identical. torch calls glibc's log/sin/cos, which are not correctly rounded;
 * we round correctly, so ~0.15% of float64 values differ by 1-2 ulp (more ulps only after cancellation with mean).
 * float32 results are bit-identical (the vectorised path never touches libm; the scalar path casts to float).
 */
export function normalFill(out: Float32Array | Float64Array, mean = 0, std = 1, gen?: Generator): void {
  if (!(std >= 0)) throw new ArgumentError(`normal: expects std >= 0.0, got ${std}`);
  const g = def(gen), n = out.length;
  if (n < 16) {
    // Scalar path: at::normal_distribution<double>, which caches the second Box-Muller value on the generator.
    for (let i = 0; i < n; i++) {
      let v = g.cachedNormal;
      if (v !== null) g.cachedNormal = null;
      else {
        const u1 = u53(g), u2 = u53(g);
        const r = Math.sqrt(-2 * crLog(1 - u2));
        crSinCos(2 * Math.PI * u1);
        g.cachedNormal = r * SIN;
        v = r * COS;
      }
      out[i] = mulAdd64(v, std, mean);
    }
    return;
  }
  // Vectorised path: all uniforms first, Box-Muller on blocks of 16 (j pairs with j+8); if numel % 16 != 0
  // the last 16 slots get fresh uniforms and are transformed again (overwriting values already produced).
  const f32 = out instanceof Float32Array;
  const m = f32 ? fr(mean) : mean, s = f32 ? fr(std) : std;
  const block = (o: number) => (f32 ? normal16Avx(out, o, m, s) : normal16F64(out as Float64Array, o, m, s));
  for (let i = 0; i < n; i++) out[i] = f32 ? u24(g) : u53(g);
  for (let i = 0; i + 16 <= n; i += 16) block(i);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = f32 ? u24(g) : u53(g);
    block(n - 16);
  }
}

/** torch.randint(low, high, size): (random() % range) + low, cast to the dtype (Int32Array stands in for int64). */
export function randintFill(out: Int32Array | Float32Array | Float64Array | Uint8Array, low: number, high: number, gen?: Generator): void {
  const g = def(gen), range = high - low;
  if (!(range > 0) || !Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new ArgumentError(`randint: expected integers with low < high, got [${low}, ${high})`);
  }
  // NOTE: torch draws one random() per element, or random64() when range >= 2^32 for int64/float dtypes.
  if (range >= 2 ** 32 && !(out instanceof Uint8Array)) {
    const r = BigInt(range);
    for (let i = 0; i < out.length; i++) out[i] = Number(g.nextUint64() % r) + low;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = (g.nextUint32() % range) + low;
  }
}

/** torch.randperm(n) on CPU: in-place Fisher-Yates forward swap with z = random() % (n - i). */
export function randperm(n: number, gen?: Generator): Int32Array {
  const g = def(gen), r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (g.nextUint32() % (n - i));
    const t = r[i]!; r[i] = r[z]!; r[z] = t;
  }
  return r;
}

/** bernoulli_(p) with scalar p; Debian's build has no MKL, so every dtype draws a 53-bit double u and yields u < p. */
export function bernoulliFill(out: Float32Array | Float64Array | Uint8Array, p: number, gen?: Generator): void {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`bernoulli_: expects 0 <= p <= 1, got ${p}`);
  const g = def(gen);
  for (let i = 0; i < out.length; i++) out[i] = u53(g) < p ? 1 : 0;
}
