// The benchmark workloads (the same as ../shared/bench/run_torch.py and run_tfjs.mjs), each measured on
// the wasm backend and, where it finishes in reasonable time, on the reference cpu backend.
import v8 from 'node:v8';
import vm from 'node:vm';
import * as fg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';

export interface Row {
  w: string;
  case: string;
  /** Prefixes of the peers' case names for the same workload. */
  peerCase: string[];
  unit: string;
  higherIsBetter: boolean;
  best: number;
  median: number;
  /** Best value of the reference cpu backend in this run. */
  cpu?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// A full GC before each measurement, so that garbage left by the previous case (the reference backend's
// typed arrays: hundreds of MB) is not still being collected, concurrently, while this one is timed.
v8.setFlagsFromString('--expose-gc');
const fullGc = vm.runInNewContext('gc') as () => void;

/** [min, median] seconds per call; short calls are looped until one repeat lasts >= minTime s. */
export function bench(fn: () => void, { repeats = 5, warmup = 1, minTime = 0 } = {}): [number, number] {
  fullGc();
  for (let i = 0; i < warmup; i++) fn();
  let inner = 1;
  if (minTime > 0) {
    const t0 = performance.now();
    fn();
    inner = Math.max(1, Math.floor(minTime / Math.max((performance.now() - t0) / 1e3, 1e-9)));
  }
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    ts.push((performance.now() - t0) / 1e3 / inner);
  }
  return [Math.min(...ts), median(ts)];
}

type Dev = 'wasm' | 'cpu';

export function workloads(be: WasmBackend, quick: boolean): { id: string; run: () => Row[] }[] {
  const on = <T>(dev: Dev, fn: () => T): T => {
    const prev = fg.getDefaultDevice();
    fg.setDefaultDevice(dev);
    try {
      return fn();
    } finally {
      fg.setDefaultDevice(prev);
    }
  };
  /** Run fn freeing its intermediates at once (fg.tidy: wasm frees, cpu just calls fn). */
  const tidy = (_dev: Dev, fn: () => void, keep: Tensor[] = []): void => {
    fg.tidy(fn, { keep: () => keep });
  };
  const reps = (n: number): number => (quick ? Math.max(2, Math.ceil(n / 3)) : n);

  const rate = (w: string, kase: string, peerCase: string[], unit: string, work: number, t: [number, number], cpu?: [number, number], cpuWork = work): Row => ({
    w, case: kase, peerCase, unit, higherIsBetter: true, best: work / t[0], median: work / t[1], cpu: cpu ? cpuWork / cpu[0] : undefined,
  });
  const time = (w: string, kase: string, peerCase: string[], unit: string, scale: number, t: [number, number], cpu?: [number, number]): Row => ({
    w, case: kase, peerCase, unit, higherIsBetter: false, best: t[0] * scale, median: t[1] * scale, cpu: cpu ? cpu[0] * scale : undefined,
  });

  return [
    {
      id: 'M1',
      run: () =>
        [128, 256, 512, 1024, 2048].map((n) => {
          const gflop = (2 * n ** 3) / 1e9;
          const m = (dev: Dev, r: number): [number, number] =>
            on(dev, () => {
              const a = fg.randn([n, n]), b = fg.randn([n, n]);
              return bench(() => tidy(dev, () => void a.matmul(b)), { repeats: r, minTime: 0.05 });
            });
          const cpu = n <= 256 ? m('cpu', 3) : undefined;
          return rate('M1', `sgemm n=${n}`, [`sgemm n=${n}`], 'GFLOP/s', gflop, m('wasm', reps(n >= 1024 ? 5 : 7)), cpu);
        }),
    },
    {
      id: 'M2',
      run: () => {
        const add = (dev: Dev): [number, number] =>
          on(dev, () => {
            const a = fg.ones([1]);
            const N = 20000;
            const t = bench(() => tidy(dev, () => { for (let i = 0; i < N; i++) a.add(a); }), { repeats: reps(7) });
            return [t[0] / N, t[1] / N];
          });
        const fb = (dev: Dev): [number, number] =>
          on(dev, () => {
            const x = fg.ones([]).requiresGrad_();
            const M = 5000;
            const t = bench(() => tidy(dev, () => { for (let i = 0; i < M; i++) { x.grad = null; x.mul(x).backward(); } }), { repeats: reps(7) });
            return [t[0] / M, t[1] / M];
          });
        return [
          time('M2', 'add 1-elem tensor (a+a)', ['add 1-elem tensor'], 'us', 1e6, add('wasm'), add('cpu')),
          time('M2', 'fwd x*x + backward (0-dim)', ['fwd x*x + loss.backward()', 'fwd x*x + backward'], 'us', 1e6, fb('wasm'), fb('cpu')),
        ];
      },
    },
    {
      id: 'M3',
      run: () => {
        const n = 10_000_000;
        const m = (dev: Dev, op: 'add' | 'sigmoid'): [number, number] =>
          on(dev, () => {
            const a = fg.randn([n]), b = fg.randn([n]);
            const f = op === 'add' ? () => void a.add(b) : () => void a.sigmoid();
            return bench(() => tidy(dev, f), { repeats: reps(9), warmup: 2 });
          });
        return [
          rate('M3', 'add 1e7 (allocates)', ['add 1e7 (a+b, allocates)', 'add 1e7 (allocates)'], 'GB/s', (12 * n) / 1e9, m('wasm', 'add'), m('cpu', 'add')),
          rate('M3', 'sigmoid 1e7 (allocates)', ['sigmoid 1e7 (a.sigmoid(), allocates)', 'sigmoid 1e7 (allocates)'], 'GB/s', (8 * n) / 1e9, m('wasm', 'sigmoid'), m('cpu', 'sigmoid')),
        ];
      },
    },
    {
      id: 'M4',
      run: () =>
        [28, 56].flatMap((hw) => {
          const fl = (batch: number): number => (2 * batch * 64 * hw * hw * 64 * 9) / 1e9;
          const fwd = (dev: Dev, batch: number, r: number): [number, number] =>
            on(dev, () => {
              const x = fg.randn([batch, 64, hw, hw]), w = fg.randn([64, 64, 3, 3]).mul(0.05), b = fg.zeros([64]);
              return fg.noGrad(() => bench(() => tidy(dev, () => void fg.conv2d(x, w, b, { padding: 1 })), { repeats: r, warmup: 1 }));
            });
          const fb = (dev: Dev, batch: number, r: number): [number, number] =>
            on(dev, () => {
              const x = fg.randn([batch, 64, hw, hw]).requiresGrad_(), w = fg.randn([64, 64, 3, 3]).mul(0.05).requiresGrad_(), b = fg.zeros([64]).requiresGrad_();
              return bench(() => tidy(dev, () => {
                x.grad = w.grad = b.grad = null;
                fg.conv2d(x, w, b, { padding: 1 }).sum().backward();
                x.grad = w.grad = b.grad = null;
              }), { repeats: r, warmup: 1 });
            });
          const cb = 1; // the reference backend runs one image (rates compare)
          return [
            rate('M4', `conv2d fwd 64x64x${hw}x${hw} 3x3, batch 64`, [`conv2d fwd 64x64x${hw}x${hw}`], 'GFLOP/s', fl(64), fwd('wasm', 64, reps(5)), hw === 28 ? fwd('cpu', cb, 1) : undefined, fl(cb)),
            rate('M4', `conv2d fwd+bwd(dx,dw) ${hw}x${hw}, batch 64`, [`conv2d fwd+bwd(dx,dw) ${hw}x${hw}`, `conv2d fwd+bwd(dx,dw) ${hw}x${hw}`], 'GFLOP/s', 3 * fl(64), fb('wasm', 64, reps(5)), hw === 28 ? fb('cpu', cb, 1) : undefined, 3 * fl(cb)),
          ];
        }),
    },
    {
      id: 'W2',
      run: () => {
        const epoch = (dev: Dev, net: 'linear' | 'simple'): [number, number] =>
          on(dev, () => {
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
            const run = (): void => {
              const idx = fg.randperm(n);
              for (let i = 0; i < n; i += bs) {
                tidy(dev, () => {
                  const j = idx.slice(0, i, Math.min(n, i + bs));
                  step(x.indexSelect(0, j), y.indexSelect(0, j));
                }, params);
              }
            };
            // NOTE: more warm-up than the peers' 2 epochs: the ops layer's JIT needs ~20 steps to settle
            return bench(() => tidy(dev, run, params), { repeats: reps(7), warmup: dev === 'cpu' ? 1 : 5 });
          });
        // NOTE: both wasm cases before the reference backend's (whose seconds of typed-array garbage
        // would otherwise still be collected, on the second core, during the wasm epochs)
        const wl = epoch('wasm', 'linear'), ws = epoch('wasm', 'simple');
        return [
          time('W2', 'linear 784->1, bs 256, 1 epoch (49 steps)', ['linear 784->1, bs 256'], 'ms', 1e3, wl, epoch('cpu', 'linear')),
          time('W3', 'simple_net 784-30-1, bs 256, 1 epoch', ['simple_net 784-30-1'], 'ms', 1e3, ws, epoch('cpu', 'simple')),
        ];
      },
    },
  ];
}
