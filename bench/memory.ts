// Memory over a long training loop on the wasm backend: simple_net (784-30-1, bs 256, SGD) for 10k
// steps, reporting process RSS and the wasm heap at steps 1k and 10k, in three ways:
//   learner  a Learner (fit with SGD): its per-batch tidy frees each step's intermediates (the default);
//   tidy     the hand loop of chapter 4 in fg.tidy(step) (what the Learner does);
//   gc-only  the hand loop with nothing freed explicitly: the GC safety net only (FinalizationRegistry
//            + the heap's synchronous reclaim before growing).
//   npx tsx bench/memory.ts [steps] [modes, e.g. learner,tidy,gc-only] [--gc]
// --gc runs a full GC before each report, so RSS and the JS heap show what is live rather than how far
// V8 let garbage accumulate since its last collection.
import v8 from 'node:v8';
import vm from 'node:vm';
import * as fg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';

const be = fg.getBackend('wasm') as WasmBackend;
fg.setDefaultDevice('wasm');
const args = process.argv.slice(2).filter((a) => a !== '--gc');
const steps = Number(args[0] ?? 10_000);
const modes = (args[1] ?? 'learner,tidy,gc-only').split(',');
let fullGc: (() => void) | null = null;
if (process.argv.includes('--gc')) {
  v8.setFlagsFromString('--expose-gc');
  fullGc = vm.runInNewContext('gc') as () => void;
}
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
const marks = new Set([1000, steps]);
const report = (mode: string, i: number, t0: number): void => {
  const t = performance.now();
  fullGc?.();
  t0 += performance.now() - t; // (the GC is not the loop's time)
  const st = be.stats();
  console.log(
    `${mode.padEnd(8)} step ${String(i).padStart(6)}: rss ${mib(process.memoryUsage().rss)}, JS heap ${mib(process.memoryUsage().heapUsed)}, wasm memory ${mib(st.memoryBytes)}, ` +
      `live ${mib(st.liveBytes)} in ${st.liveBlocks} blocks, reclaims ${st.reclaims}, ${((performance.now() - t0) / i).toFixed(3)} ms/step`,
  );
};

const n = 12396, bs = 256;
fg.manualSeed(0);
const x = fg.rand([n, 784]);
const y = fg.cat([fg.ones([6131]), fg.zeros([6265])]).unsqueeze(1);

for (const mode of modes) {
  fg.manualSeed(0);
  const t0 = performance.now();
  if (mode === 'learner') {
    const { nn, optim, data, Learner, Callback } = fg;
    const model = new nn.Sequential(new nn.Linear(784, 30), new nn.ReLU(), new nn.Linear(30, 1));
    const dls = new data.DataLoaders(
      new data.DataLoader(new data.TensorDataset(x, y), { batchSize: bs, shuffle: true }),
      new data.DataLoader(new data.TensorDataset(x.slice(0, 0, 512), y.slice(0, 0, 512)), { batchSize: bs }),
    );
    const mnistLoss = (pred: Tensor, targ: Tensor): Tensor => {
      const p = pred.sigmoid();
      return fg.where(targ.eq(1), p.rsub(1), p).mean();
    };
    class Marks extends Callback {
      afterBatch(): void {
        const i = this.learn.trainIter;
        if (this.learn.training && marks.has(i)) report(mode, i, t0);
        if (this.learn.training && i >= steps) throw new fg.CancelFitException();
      }
    }
    const learn = new Learner(dls, model, { lossFunc: mnistLoss, optFunc: optim.sgd(), lr: 0.1, progress: 'never', cbs: [new Marks()] });
    await learn.fit(Math.ceil(steps / dls.train.length) + 1);
    continue;
  }
  const l1 = 1 / Math.sqrt(784), l2 = 1 / Math.sqrt(30);
  const params = [fg.rand([784, 30]).mul(2 * l1).sub(l1), fg.rand([30]).mul(2 * l1).sub(l1), fg.rand([30, 1]).mul(2 * l2).sub(l2), fg.rand([1]).mul(2 * l2).sub(l2)].map((t) => t.requiresGrad_());
  let idx = fg.randperm(n);
  const step = (i: number): void => {
    const s = (i * bs) % (n - bs);
    const j = idx.slice(0, s, s + bs);
    const h = x.indexSelect(0, j).matmul(params[0]!).add(params[1]!).relu().matmul(params[2]!).add(params[3]!);
    const p = h.sigmoid();
    const loss = fg.where(y.indexSelect(0, j).eq(1), p.rsub(1), p).mean();
    loss.backward();
    fg.noGrad(() => {
      for (const q of params) {
        q.data.sub_((q.grad as Tensor).mul(0.1));
        (q.grad as Tensor).zero_();
      }
    });
  };
  for (let i = 1; i <= steps; i++) {
    if (mode === 'tidy') fg.tidy(() => step(i), { keep: () => params });
    else step(i);
    if (i % 49 === 0) {
      const old = idx;
      idx = fg.randperm(n);
      if (mode === 'tidy') be.free(old.storage); // made outside any tidy: freed by hand (gc-only: left to the GC)
    }
    if (marks.has(i)) report(mode, i, t0);
  }
}
process.exit(0);
