// The wasm backend as the default device: chosen on import (synchronously) on Node, FASTGRAD_BACKEND=cpu
// or setDefaultDevice('cpu') for the reference, a silent-but-discoverable fallback to cpu; printing
// (wasm is a CPU device: no device=), clear errors for tensors on two devices; fg.tidy / fg.keep and the
// Learner's per-batch tidy (flat memory); the fused optimizer steps and the in-place fast path
// (bit-identical to the op sequences they replace); results independent of the thread count.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { type Tensor, errors, getBackend, getDefaultDevice, setDefaultDevice, tensor } from '../../src/index.js';
import { type WasmBackend, createWasmBackend } from '../../src/backend/wasm/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const wasm = (): WasmBackend => getBackend('wasm') as WasmBackend;

async function child(env: Record<string, string>): Promise<{ out: Record<string, unknown>; stderr: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(here, 'fixtures/default-device.ts')], {
    cwd: repoRoot,
    env: { ...process.env, FASTGRAD_BACKEND: '', FASTGRAD_DEBUG: '', ...env },
  });
  const { stdout, stderr } = await run;
  return { out: JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>, stderr };
}

describe('the default device', () => {
  it('is wasm in this process unless FASTGRAD_BACKEND says otherwise', () => {
    expect(getDefaultDevice()).toBe(process.env.FASTGRAD_BACKEND || 'wasm');
  });

  it('a fresh import picks wasm synchronously; FASTGRAD_BACKEND=cpu picks the reference', async () => {
    const d = await child({});
    expect(d.out).toEqual({ default: 'wasm', device: 'wasm', str: 'tensor([2, 4])', sum: 6 });
    const c = await child({ FASTGRAD_BACKEND: 'cpu' });
    expect(c.out).toEqual({ default: 'cpu', device: 'cpu', str: 'tensor([2, 4])', sum: 6 });
  }, 30_000);

  it('falls back to cpu when wasm cannot start, saying why once on stderr; FASTGRAD_BACKEND=cpu is silent', async () => {
    const q = await child({ FAIL_WASM: '1' });
    expect(q.out.default).toBe('cpu');
    expect(q.stderr).toMatch(/^fastgrad: default device is cpu \(device 'wasm' is unavailable: simulated: this engine has no WebAssembly SIMD\); FASTGRAD_BACKEND=cpu selects cpu without this notice\n$/);
    const c = await child({ FAIL_WASM: '1', FASTGRAD_BACKEND: 'cpu' });
    expect(c.out.default).toBe('cpu');
    expect(c.stderr).toBe('');
  }, 30_000);

  it('an unknown FASTGRAD_BACKEND is an error naming the devices', async () => {
    await expect(child({ FASTGRAD_BACKEND: 'tpu' })).rejects.toThrow(/FASTGRAD_BACKEND=tpu: unknown device 'tpu': registered devices are cpu, wasm/);
  }, 30_000);

  it('setDefaultDevice switches and getDefaultDevice tells', () => {
    const prev = getDefaultDevice();
    try {
      setDefaultDevice('cpu');
      expect(tensor([1]).device).toBe('cpu');
      setDefaultDevice('wasm');
      expect(tensor([1]).device).toBe('wasm');
      expect(() => setDefaultDevice('tpu')).toThrow(/unknown device 'tpu'/);
    } finally {
      setDefaultDevice(prev);
    }
  });
});

describe('wasm tensors are CPU tensors', () => {
  it('print without device= (as torch prints CPU tensors), both backends alike', () => {
    const a = tensor([[1.5, 2], [3, 4]]).to('wasm'), b = a.to('cpu');
    expect(String(a)).toBe(String(b));
    expect(String(a)).not.toMatch(/device/);
    expect(String(a.requiresGrad_().mul(2))).toBe(String(b.requiresGrad_().mul(2)));
  });

  it('a backend without isCpu prints its device', () => {
    expect(getBackend('cpu').isCpu).toBe(true);
    expect(wasm().isCpu).toBe(true);
    expect(fg.formatTensor({ shape: [1], dtype: 'float32', values: Float32Array.of(1), requiresGrad: false, gradFn: null, device: 'webgpu' })).toMatch(/device='webgpu'/);
  });

  it('ops on tensors of two devices throw a DeviceError naming both and the fix', () => {
    const w = tensor([1, 2, 3]).to('wasm'), c = tensor([1, 2, 3]).to('cpu');
    const cases: [string, () => unknown][] = [
      ['add', () => w.add(c)],
      ['add', () => c.add(w)],
      ['matmul', () => w.matmul(c)],
      ['where', () => fg.where(w.gt(1), w, c)],
      ['cat', () => fg.cat([w, c])],
      ['gather', () => w.gather(0, tensor([0, 1]).to('cpu').int())],
      ['copy_', () => w.clone().copy_(c)],
    ];
    for (const [op, f] of cases) {
      expect(f, op).toThrow(errors.DeviceError);
      expect(f, op).toThrow(new RegExp(`${op}: expected all tensors to be on the same device, but found tensors on '(wasm|cpu)' and on '(cpu|wasm)'.*\\.to\\('`));
    }
    // below the ops layer, the backends say it too
    expect(() => getBackend('cpu').readSync!(w.storage)).toThrow(/move it first with \.to\('cpu'\)/);
    expect(() => wasm().readSync!(c.storage)).toThrow(/move it first with \.to\('wasm'\)/);
  });
});

describe('fg.tidy and fg.keep', () => {
  const live = (): number => wasm().stats().liveBlocks;
  const onWasm = <T>(f: () => T): T => {
    const prev = getDefaultDevice();
    setDefaultDevice('wasm');
    try {
      return f();
    } finally {
      setDefaultDevice(prev);
    }
  };

  it('frees every intermediate except the result', () =>
    onWasm(() => {
      const x = fg.randn([64, 33]);
      fg.tidy(() => x.sum(1)); // the reduction's scratch block, once
      const before = live();
      const y = fg.tidy(() => x.mul(2).add(1).relu().sum(1));
      expect(live()).toBe(before + 1);
      expect(y.shape).toEqual([64]);
      expect(y.sum().item()).toBeCloseTo(x.mul(2).add(1).relu().sum().item(), 3);
    }));

  it('keeps tensors in returned arrays/objects and those passed to keep(); freed ones throw clearly', () =>
    onWasm(() => {
      const x = fg.randn([8]);
      let escaped: Tensor | null = null;
      const r = fg.tidy(() => {
        const a = x.exp(), b = x.sin(), c = x.cos();
        escaped = x.abs();
        fg.keep(c);
        return { pair: [a, b], n: 3 };
      });
      expect(r.pair[0]!.sub(x.exp()).abs().max().item()).toBe(0);
      expect(() => escaped!.add(1)).toThrow(errors.UseAfterFreeError);
      expect(() => escaped!.add(1)).toThrow(/memory was freed by tidy\(\).*keep\(t\)/);
    }));

  it('nests and keeps what `keep` roots hold', () =>
    onWasm(() => {
      const x = fg.randn([16]);
      const holder: { t: Tensor | null } = { t: null };
      const before = live();
      const out = fg.tidy(() => {
        const inner = fg.tidy(() => x.mul(3).add(x.mul(2)));
        holder.t = inner.neg();
        return inner.mul(0.5);
      }, { keep: () => [holder] });
      expect(live()).toBe(before + 2);
      expect(holder.t!.add(out.mul(2)).abs().max().item()).toBe(0);
    }));

  it('refuses an async function, freeing nothing', async () => {
    const x = fg.randn([4]);
    let made: Tensor | null = null;
    const p = async (): Promise<Tensor> => {
      made = x.mul(2);
      await new Promise((r) => setTimeout(r, 1));
      return made.add(1);
    };
    expect(() => fg.tidy(p)).toThrow(/tidy: fn returned a Promise.*MemoryScope/);
    await new Promise((r) => setTimeout(r, 5));
    expect(made!.sub(x.mul(2)).abs().max().item()).toBe(0); // not freed
  });

  it('a MemoryScope across awaits owns only what its own segments allocate', async () => {
    const x = fg.randn([8]);
    const scope = new fg.MemoryScope();
    const a = scope.run(() => x.mul(2));
    let other: Tensor | null = null;
    // unrelated work (a page predicting) while the scope's task awaits
    await new Promise<void>((r) => setTimeout(() => { other = x.add(100); r(); }, 1));
    const b = scope.run(() => a.add(1).mul(3));
    expect(scope.dispose((s) => s === b.storage)).toBe(2); // a and a+1
    expect(() => a.add(1)).toThrow(errors.UseAfterFreeError);
    expect(b.sub(x.mul(2).add(1).mul(3)).abs().max().item()).toBe(0);
    expect(other!.sub(x).sub(100).abs().max().item()).toBe(0); // never captured
  });

  it("keeps a kept result's graph: backward after the tidy works", () => {
    const w = fg.randn([5, 3]).requiresGrad_();
    const x = fg.randn([4, 5]);
    const y = fg.tidy(() => x.matmul(w).relu().sigmoid().mul(x.sum(1, true)).mean());
    y.backward();
    const w2 = w.detach().clone().requiresGrad_();
    x.matmul(w2).relu().sigmoid().mul(x.sum(1, true)).mean().backward();
    expect(w.grad!.sub(w2.grad!).abs().max().item()).toBe(0);
  });

  it('is a plain call on the reference backend', () => {
    const prev = getDefaultDevice();
    setDefaultDevice('cpu');
    try {
      const x = tensor([1, 2]);
      const t = x.mul(2);
      const r = fg.tidy(() => [t.add(1), x.neg()]);
      expect(t.tolist()).toEqual([2, 4]);
      expect(r[1]!.tolist()).toEqual([-1, -2]);
    } finally {
      setDefaultDevice(prev);
    }
  });
});

describe('the Learner frees each batch', () => {
  afterEach(() => setDefaultDevice(process.env.FASTGRAD_BACKEND || 'wasm'));

  it('keeps the wasm heap flat over epochs, keeps what callbacks store, and getPreds works', async () => {
    setDefaultDevice('wasm');
    fg.manualSeed(0);
    const { nn, data, optim, Learner, Callback } = fg;
    const x = fg.rand([600, 20]), y = x.sum(1, true).gt(10).float();
    const dls = new data.DataLoaders(
      new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true }),
      new data.DataLoader(new data.TensorDataset(x.slice(0, 0, 128), y.slice(0, 0, 128)), { batchSize: 64 }),
    );
    class Stash extends Callback {
      override batchScoped = true; // runs in the batch's scope: what it keeps must be in its fields
      lastPreds: Tensor[] = [];
      afterBatch(): void {
        if (!this.learn.training) this.lastPreds.push(this.learn.pred.detach());
      }
    }
    const stash = new Stash();
    const model = new nn.Sequential(new nn.Linear(20, 8), new nn.ReLU(), new nn.Linear(8, 1));
    const loss = (p: Tensor, t: Tensor): Tensor => p.sigmoid().sub(t).square().mean();
    const learn = new Learner(dls, model, { lossFunc: loss, optFunc: optim.adam(), lr: 1e-2, progress: 'never', cbs: [stash] });
    const marks: { live: number; mem: number }[] = [];
    let batches = 0;
    class Mark extends Callback {
      // a user callback (not batchScoped) with a batch event that reads no batch tensor: the batch is still freed
      afterBatch(): void {
        if (this.learn.iter >= 0) batches++;
      }
      afterEpoch(): void {
        const st = wasm().stats();
        marks.push({ live: st.liveBlocks, mem: st.memoryBytes });
      }
    }
    await learn.fit(6, undefined, { cbs: [new Mark()] });
    // after the first epoch (optimizer state created) nothing accumulates but the callback's stash (two
    // validation batches per epoch; ~400 intermediates per epoch would show). At most: the GC may also
    // release garbage left by earlier tests meanwhile.
    for (let e = 2; e < marks.length; e++) {
      expect(marks[e]!.live).toBeLessThanOrEqual(marks[1]!.live + 2 * (e - 1));
      expect(marks[e]!.mem).toBe(marks[1]!.mem);
    }
    expect(batches).toBe(6 * (10 + 2)); // 600 items in batches of 64, 128 validation items
    expect(stash.lastPreds.length).toBe(12);
    for (const p of stash.lastPreds) expect(p.shape).toEqual([64, 1]); // still readable
    for (const p of model.parameters()) expect(p.grad).toBeNull(); // zeroGrad nulls, the tidy freed them
    const { preds, targs } = await learn.getPreds();
    expect(preds.shape).toEqual([128, 1]);
    expect(targs!.shape).toEqual([128, 1]);
    expect(learn.recorder.values.length).toBe(6);
  });

  it('trains to the same numbers on wasm and cpu (the tidy changes no value)', async () => {
    const run = async (device: string): Promise<number[]> => {
      setDefaultDevice(device);
      fg.manualSeed(1);
      const { nn, data, optim, Learner } = fg;
      const x = fg.rand([256, 6]), y = x.sum(1, true).gt(3).float();
      const dls = new data.DataLoaders(
        new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new fg.Generator().manualSeed(5) }),
        new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64 }),
      );
      const model = new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 1));
      const learn = new Learner(dls, model, { lossFunc: (p: Tensor, t: Tensor) => p.sigmoid().sub(t).square().mean(), optFunc: optim.sgd({ mom: 0.9 }), lr: 0.1, progress: 'never' });
      await learn.fit(3);
      return model.parameters().flatMap((p) => [...p.dataSync()]);
    };
    const w = await run('wasm'), c = await run('cpu');
    for (let i = 0; i < w.length; i++) expect(Math.abs(w[i]! - c[i]!)).toBeLessThan(1e-6);
  });
});

describe('fused optimizer steps and the in-place fast path', () => {
  afterEach(() => setDefaultDevice(process.env.FASTGRAD_BACKEND || 'wasm'));

  /** Params after `steps` optimizer steps from fixed values and gradients, on a device. */
  const stepsOn = (device: string, make: (ps: Tensor[]) => fg.optim.Optimizer, steps = 5): number[][] => {
    setDefaultDevice(device);
    fg.manualSeed(3);
    const ps = [fg.randn([37, 5]).requiresGrad_(), fg.randn([3]).requiresGrad_()];
    const opt = make(ps);
    for (let s = 0; s < steps; s++) {
      ps.forEach((p, i) => (p.grad = fg.randn(p.shape).mul(0.1 * (i + 1))));
      opt.step();
    }
    return ps.map((p) => [...p.dataSync()]);
  };

  it('SGD, SGD with momentum and Adam fused on wasm equal the op sequence (reference backend) bit for bit', () => {
    expect(typeof wasm().sgdStep).toBe('function');
    expect(getBackend('cpu').sgdStep).toBeUndefined();
    const makers: [string, (ps: Tensor[]) => fg.optim.Optimizer][] = [
      ['sgd', (ps) => new fg.optim.SGD(ps, { lr: 0.1 })],
      ['sgd mom', (ps) => new fg.optim.SGD(ps, { lr: 0.03, mom: 0.9 })],
      ['sgd mom wd', (ps) => new fg.optim.SGD(ps, { lr: 0.03, mom: 0.9, wd: 0.01 })],
      ['adam', (ps) => new fg.optim.Adam(ps, { lr: 1e-3 })],
      ['adam l2', (ps) => new fg.optim.Adam(ps, { lr: 3e-3, wd: 0.1, decoupleWd: false })],
    ];
    for (const [name, make] of makers) expect(stepsOn('wasm', make), name).toEqual(stepsOn('cpu', make));
  });

  it('add_/sub_/mul_/div_ without a graph write in place: same values and versions as out of place', () => {
    for (const device of ['wasm', 'cpu']) {
      setDefaultDevice(device);
      const a = fg.randn([4, 6]), b = fg.randn([6]), s = fg.randn([4, 6]).abs().add(0.5);
      const ref = a.add(b).sub(s.mul(0.5)).mul(s).div(s.add(1)).sub(3, { alpha: 2 }).add(b, { alpha: -0.25 });
      const x = a.clone();
      const v0 = x.storage.version;
      fg.noGrad(() => x.add_(b).sub_(s, { alpha: 0.5 }).mul_(s).div_(s.add(1)).sub_(3, { alpha: 2 }).add_(b, { alpha: -0.25 }));
      expect(x.storage.version).toBe(v0 + 6);
      expect([...x.dataSync()]).toEqual([...ref.dataSync()]);
      // aliasing operands take the general path with the same result
      const y = a.clone(), yr = a.add(a.flip(0));
      y.add_(y.flip(0));
      expect([...y.dataSync()]).toEqual([...yr.dataSync()]);
      const z = a.clone();
      z.mul_(z);
      expect([...z.dataSync()]).toEqual([...a.mul(a).dataSync()]);
      // errors stay those of the general path
      expect(() => fg.randn([3]).requiresGrad_().add_(1)).toThrow(/leaf tensor that requires grad/);
      expect(() => fg.ones([3]).int().add_(0.5)).toThrow(/can't be cast/);
    }
  });
});

describe('results do not depend on the thread count', () => {
  it('matmul (row chunks on a shared packed B, batches, columns) and conv2d, 1 vs 2 threads', async () => {
    const one = await createWasmBackend({ threads: 1 }), two = await createWasmBackend({ threads: 2 });
    const rnd = (n: number): Float32Array => new Float32Array(n).map(() => Math.random() - 0.5);
    const mm = (x: WasmBackend, [B, M, K, N]: number[], a: Float32Array, b: Float32Array, bT: boolean): number[] => {
      const av = { storage: x.fromArray(a), shape: [B!, M!, K!], strides: [M! * K!, K!, 1], offset: 0 };
      const bv = { storage: x.fromArray(b), shape: [B!, K!, N!], strides: bT ? [K! * N!, 1, K!] : [K! * N!, N!, 1], offset: 0 };
      const o = { storage: x.alloc('float32', B! * M! * N!), shape: [B!, M!, N!], strides: [M! * N!, N!, 1], offset: 0 };
      x.matmul(av, bv, o);
      return [...x.readSync!(o.storage)];
    };
    for (const dims of [[1, 256, 784, 30], [1, 784, 256, 30], [1, 40, 300, 900], [3, 100, 200, 70], [1, 1000, 700, 1]]) {
      const [B, M, K, N] = dims as [number, number, number, number];
      const a = rnd(B * M * K), b = rnd(B * K * N);
      for (const bT of [false, true]) expect(mm(two, dims, a, b, bT), `${dims} ${bT}`).toEqual(mm(one, dims, a, b, bT));
    }
    const conv = (x: WasmBackend, pass: 'fwd' | 'bwdW', inp: Float32Array, w: Float32Array, g: Float32Array): number[] => {
      const p = { stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], groups: 1 };
      const v = (s: ReturnType<WasmBackend['alloc']>, shape: number[]) => ({ storage: s, shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((q, r) => q * r, 1)), offset: 0 });
      const xs = v(x.fromArray(inp), [16, 8, 12, 12]), ws = v(x.fromArray(w), [16, 8, 3, 3]);
      if (pass === 'fwd') {
        const o = v(x.alloc('float32', 16 * 16 * 144), [16, 16, 12, 12]);
        x.conv2d(xs, ws, o, p);
        return [...x.readSync!(o.storage)];
      }
      const gw = v(x.alloc('float32', 16 * 8 * 9), [16, 8, 3, 3]);
      x.conv2dBackwardWeight(xs, v(x.fromArray(g), [16, 16, 12, 12]), gw, p);
      return [...x.readSync!(gw.storage)];
    };
    const inp = rnd(16 * 8 * 144), w = rnd(16 * 8 * 9), g = rnd(16 * 16 * 144);
    for (const pass of ['fwd', 'bwdW'] as const) expect(conv(two, pass, inp, w, g), pass).toEqual(conv(one, pass, inp, w, g));
  });

  it('the same seed gives the same training numbers run after run', () => {
    const prev = getDefaultDevice();
    setDefaultDevice('wasm');
    try {
      const train = (): number[] => {
        fg.manualSeed(7);
        const x = fg.rand([512, 784]), w = fg.randn([784, 30]).mul(0.05).requiresGrad_(), v = fg.randn([30, 1]).mul(0.2).requiresGrad_();
        const losses: number[] = [];
        for (let s = 0; s < 5; s++) {
          fg.tidy(() => {
            const loss = x.matmul(w).relu().matmul(v).sigmoid().mean();
            loss.backward();
            losses.push(loss.item());
            fg.noGrad(() => {
              for (const p of [w, v]) {
                p.sub_(p.grad!.mul(0.5));
                p.grad = null;
              }
            });
          }, { keep: () => [w, v] });
        }
        return [...losses, ...w.dataSync().slice(0, 50)];
      };
      expect(train()).toEqual(train());
    } finally {
      setDefaultDevice(prev);
    }
  });
});
