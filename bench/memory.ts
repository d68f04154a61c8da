// Memory over a long training loop on the wasm backend: simple_net (784-30-1, bs 256, SGD) for 10k
// steps, reporting process RSS and the wasm heap at steps 1k and 10k, once freeing each step's
// intermediates at once (WasmBackend.scope, what a Learner's per-step tidy does) and once leaving
// them to the GC safety net (FinalizationRegistry + the heap's synchronous reclaim).
//   npx tsx bench/memory.ts [steps]
import * as fg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { type WasmBackend, registerWasmBackend } from '../src/backend/wasm/index.js';

registerWasmBackend();
const be = (await fg.initBackend('wasm')) as WasmBackend;
fg.setDefaultDevice('wasm');
const steps = Number(process.argv[2] ?? 10_000);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

for (const mode of ['scope', 'gc-only'] as const) {
  fg.manualSeed(0);
  const n = 12396, bs = 256;
  const x = fg.rand([n, 784]);
  const y = fg.cat([fg.ones([6131]), fg.zeros([6265])]).unsqueeze(1);
  const l1 = 1 / Math.sqrt(784), l2 = 1 / Math.sqrt(30);
  const params = [fg.rand([784, 30]).mul(2 * l1).sub(l1), fg.rand([30]).mul(2 * l1).sub(l1), fg.rand([30, 1]).mul(2 * l2).sub(l2), fg.rand([1]).mul(2 * l2).sub(l2)].map((t) => t.requiresGrad_());
  const keep = (): Set<unknown> => new Set(params.flatMap((t) => [t.storage, t.grad?.storage]));
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
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    let kept: Set<unknown> | null = null;
    if (mode === 'scope') be.scope(() => step(i), (st) => (kept ??= keep()).has(st));
    else step(i);
    if (i % 49 === 0) idx = fg.randperm(n);
    if (i === 1000 || i === steps) {
      const st = be.stats();
      console.log(`${mode.padEnd(8)} step ${String(i).padStart(6)}: rss ${mib(process.memoryUsage().rss)}, wasm memory ${mib(st.memoryBytes)}, live ${mib(st.liveBytes)}, reclaims ${st.reclaims}, ${((performance.now() - t0) / i).toFixed(3)} ms/step`);
    }
  }
}
process.exit(0);
