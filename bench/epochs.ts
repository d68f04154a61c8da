// Many epochs of the W2 (linear) or W3 (simple_net) hand loop in one process, on the default device:
// best / p10 / median epoch, to see a change to per-op overhead through the noise of a shared machine.
//   npx tsx bench/epochs.ts [linear|simple] [epochs]
import * as fg from '../src/index.js';
import type { Tensor } from '../src/index.js';

const net = process.argv[2] ?? 'linear';
const epochs = Number(process.argv[3] ?? 40);
fg.manualSeed(0);
const n = 12396, bs = 256;
const x = fg.rand([n, 784]);
const y = fg.cat([fg.ones([6131]), fg.zeros([6265])]).unsqueeze(1);
const lim1 = 1 / Math.sqrt(784), lim2 = 1 / Math.sqrt(30);
const params =
  net === 'linear'
    ? [fg.randn([784, 1]).requiresGrad_(), fg.randn([1]).requiresGrad_()]
    : [fg.rand([784, 30]).mul(2 * lim1).sub(lim1).requiresGrad_(), fg.rand([30]).mul(2 * lim1).sub(lim1).requiresGrad_(),
       fg.rand([30, 1]).mul(2 * lim2).sub(lim2).requiresGrad_(), fg.rand([1]).mul(2 * lim2).sub(lim2).requiresGrad_()];
const lr = net === 'linear' ? 1 : 0.1;
const model = (xb: Tensor): Tensor =>
  net === 'linear' ? xb.matmul(params[0]!).add(params[1]!) : xb.matmul(params[0]!).add(params[1]!).relu().matmul(params[2]!).add(params[3]!);
const step = (xb: Tensor, yb: Tensor): void => {
  const p = model(xb).sigmoid();
  const loss = fg.where(yb.eq(1), p.rsub(1), p).mean();
  loss.backward();
  fg.noGrad(() => {
    for (const q of params) {
      q.data.sub_(q.grad!.mul(lr));
      q.grad!.zero_();
    }
  });
};
const times: number[] = [];
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  fg.tidy(() => {
    const idx = fg.randperm(n);
    for (let i = 0; i < n; i += bs) {
      fg.tidy(() => {
        const j = idx.slice(0, i, Math.min(n, i + bs));
        step(x.indexSelect(0, j), y.indexSelect(0, j));
      }, { keep: () => params });
    }
  }, { keep: () => params });
  times.push(performance.now() - t0);
}
const s = [...times].sort((a, b) => a - b);
const at = (q: number): string => s[Math.floor(q * (s.length - 1))]!.toFixed(2);
console.log(`${net} on ${fg.getDefaultDevice()}: best ${at(0)} ms, p10 ${at(0.1)}, median ${at(0.5)} (${epochs} epochs)`);
process.exit(0);
