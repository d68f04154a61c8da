// Fused optimizer updates on contiguous float32 buffers of n elements: one pass instead of the 2-12
// elementwise ops (each with its own temporaries) of src/optim/optimizer.ts. Every step rounds to
// float32 exactly where that op sequence does (IEEE f32 +,-,*,/,sqrt, scalars already rounded to f32
// on the JS side), so the results are bit-identical to it; the tail runs the same arithmetic unrolled.

/** SGD: with mom == 0, p -= g*lr; else avg = avg*mom + g, then p -= avg*lr (fastai's SGD without wd). */
export function sgdStep(n: i32, pp: usize, pg: usize, pavg: usize, lr: f32, mom: f32, useMom: i32): void {
  const vlr = f32x4.splat(lr), vm = f32x4.splat(mom);
  let i = 0;
  if (useMom) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a = f32x4.add(f32x4.mul(v128.load(pavg + o), vm), v128.load(pg + o));
      v128.store(pavg + o, a);
      v128.store(pp + o, f32x4.sub(v128.load(pp + o), f32x4.mul(a, vlr)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const a: f32 = load<f32>(pavg + o) * mom + load<f32>(pg + o);
      store<f32>(pavg + o, a);
      store<f32>(pp + o, load<f32>(pp + o) - a * lr);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(pp + o, f32x4.sub(v128.load(pp + o), f32x4.mul(v128.load(pg + o), vlr)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(pp + o, load<f32>(pp + o) - load<f32>(pg + o) * lr);
    }
  }
}

/**
 * Adam (fastai): avg = avg*mom + g*(1-mom); sqr = sqr*sqrMom + (g*g)*(1-sqrMom);
 * p -= (avg / (sqrt(sqr / debias2) + eps)) * (lr / debias1). `c` points to 6 f32 scalars:
 * [mom, 1-mom, sqrMom, 1-sqrMom, debias2, eps] and step = lr/debias1.
 */
export function adamStep(n: i32, pp: usize, pg: usize, pavg: usize, psqr: usize, c: usize, step: f32): void {
  const mom = load<f32>(c), mom1 = load<f32>(c, 4), sm = load<f32>(c, 8), sm1 = load<f32>(c, 12), db2 = load<f32>(c, 16), eps = load<f32>(c, 20);
  const vmom = f32x4.splat(mom), vmom1 = f32x4.splat(mom1), vsm = f32x4.splat(sm), vsm1 = f32x4.splat(sm1);
  const vdb2 = f32x4.splat(db2), veps = f32x4.splat(eps), vstep = f32x4.splat(step);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(pg + o);
    const a = f32x4.add(f32x4.mul(v128.load(pavg + o), vmom), f32x4.mul(g, vmom1));
    const s = f32x4.add(f32x4.mul(v128.load(psqr + o), vsm), f32x4.mul(f32x4.mul(g, g), vsm1));
    v128.store(pavg + o, a);
    v128.store(psqr + o, s);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(s, vdb2)), veps);
    v128.store(pp + o, f32x4.sub(v128.load(pp + o), f32x4.mul(f32x4.div(a, den), vstep)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(pg + o);
    const a: f32 = load<f32>(pavg + o) * mom + g * mom1;
    const s: f32 = load<f32>(psqr + o) * sm + (g * g) * sm1;
    store<f32>(pavg + o, a);
    store<f32>(psqr + o, s);
    const den: f32 = <f32>Math.sqrt(<f64>(s / db2)) + eps;
    store<f32>(pp + o, load<f32>(pp + o) - (a / den) * step);
  }
}
