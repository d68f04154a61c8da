// Per-op latency on 1-element tensors (the M2 cases, as a tight loop for A/B runs of two builds):
//   npx tsx bench/op-latency.ts        → best µs per `a.add(a)` and per `x.mul(x).backward()` on wasm
// Alternate runs of two checkouts several times and compare the minima: the machine is noisy.
import * as fg from '../src/index.js';

fg.setDefaultDevice('wasm');
const best = (reps: number, per: number, f: () => void): number => {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    f();
    b = Math.min(b, ((performance.now() - t) / per) * 1000);
  }
  return b;
};
const a = fg.tensor([1.5]);
const adds = (): void => fg.tidy(() => { for (let i = 0; i < 2000; i++) a.add(a); });
const x = fg.tensor(2, { dtype: 'float32' }).requiresGrad_();
const backs = (): void => fg.tidy(() => { for (let i = 0; i < 500; i++) { x.grad = null; x.mul(x).backward(); } }, { keep: () => [x] });
for (let i = 0; i < 200; i++) adds();
for (let i = 0; i < 100; i++) backs();
console.log(`add 1-elem: ${best(600, 2000, adds).toFixed(3)} us; x*x + backward: ${best(300, 500, backs).toFixed(3)} us`);
