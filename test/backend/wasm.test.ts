// The wasm backend's own behaviour: its allocator (reuse, flat memory over many cycles, the
// FinalizationRegistry safety net and the synchronous reclaim before growing), lazy zeroing of reused
// blocks, copies on read, use-after-free errors, and kernel edge cases through the Tensor API.
import { setStrictMemory } from '../../src/backend/scope.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Tensor, initBackend, tensor, zeros, arange, randn } from '../../src/index.js';
import { type WasmBackend, type WasmStorage, createWasmBackend } from '../../src/backend/wasm/index.js';
import { sizeClass, classBytes } from '../../src/backend/wasm/heap.js';
import { expectClose } from '../helpers/close.js';

let be: WasmBackend;
beforeAll(async () => {
  be = (await initBackend('wasm')) as WasmBackend;
});

const onWasm = (t: Tensor): Tensor => t.to('wasm');

/** Turn the harness's strict tracking off for the rest of this test (WeakRefs keep their targets alive until the job ends). */
function gcOnly(): void {
  setStrictMemory(false);
  onTestFinished(() => setStrictMemory(true));
}

describe('wasm heap', () => {
  it('size classes round up by at most 25 % and invert', () => {
    for (const n of [0, 1, 63, 64, 65, 100, 1000, 4097, 123457, 2 ** 20 + 1, 3e8]) {
      const [cls, size] = sizeClass(n);
      expect(size).toBeGreaterThanOrEqual(n);
      expect(size % 16).toBe(0);
      if (n > 64) expect(size).toBeLessThanOrEqual(n * 1.25 + 16);
      expect(classBytes(cls)).toBe(size);
    }
  });

  it('free puts a block back for the next allocation of its class', () => {
    const a = be.alloc('float32', 1000);
    const p = a.ptr;
    be.free(a);
    expect(a.ptr).toBe(-1);
    const b = be.alloc('float32', 990); // same class
    expect(b.ptr).toBe(p);
    be.free(b);
    be.free(b); // idempotent
  });

  it('a reused block reads as zeros (alloc has the reference backend semantics)', () => {
    const a = be.fromArray(new Float32Array(256).fill(7));
    be.free(a);
    const b = be.alloc('float32', 256) as WasmStorage;
    expect(b.dirty).toBe(true);
    expect([...be.readSync!(b)].every((v) => v === 0)).toBe(true);
    // a partial write zeroes the rest first
    be.free(b);
    const c = be.alloc('float32', 256);
    be.fill({ storage: c, shape: [4], strides: [2], offset: 1 }, 3);
    const r = be.readSync!(c);
    expect([r[0], r[1], r[2], r[3], r[7], r[8]]).toEqual([0, 3, 0, 3, 3, 0]);
    be.free(c);
  });

  it('read returns a copy', () => {
    const s = be.fromArray(Float32Array.of(1, 2, 3));
    const r = be.readSync!(s);
    r[0] = 100;
    expect(be.readSync!(s)[0]).toBe(1);
  });

  it('using a freed storage throws', () => {
    const t = onWasm(tensor([1, 2, 3]));
    be.free(t.storage);
    expect(() => t.add(1)).toThrow(/freed/);
  });

  it('memory stays flat over 10k alloc/free cycles of intermediate tensors', () => {
    const x = onWasm(randn([64, 33]));
    const step = (): void => {
      const a = x.mul(2);
      const b = a.add(1);
      const c = b.relu();
      const s = c.sum(1);
      for (const t of [a, b, c, s]) be.free(t.storage);
    };
    for (let i = 0; i < 100; i++) step();
    const before = be.stats();
    for (let i = 0; i < 10_000; i++) step();
    const after = be.stats();
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(after.topBytes).toBe(before.topBytes);
    expect(after.liveBytes).toBe(before.liveBytes);
  });

  it('intermediates left to the GC do not grow the memory past its soft limit', async () => {
    gcOnly(); // these test the GC path itself: the harness's tracking would keep the garbage alive
    const own = await createWasmBackend({ threads: 1, initialMiB: 16 });
    const x = new Tensor(own.fromArray(new Float32Array(256 * 1024).fill(1)), [256, 1024], [1024, 1], 0);
    for (let i = 0; i < 1000; i++) x.mul(2).add(1).relu().sum(1); // 3 MiB per step, never freed
    const st = own.stats();
    expect(st.memoryBytes).toBeLessThanOrEqual(400 * 2 ** 20);
    expect(st.reclaims).toBeGreaterThan(0);
  });

  it('forgotten storages are reclaimed synchronously before the memory grows', async () => {
    gcOnly(); // these test the GC path itself: the harness's tracking would keep the garbage alive
    const own = await createWasmBackend({ threads: 1, initialMiB: 16 });
    const mib = 2 ** 20;
    // 2000 x 1 MiB = 2 GiB allocated and dropped without free(), in one synchronous loop
    for (let i = 0; i < 2000; i++) own.alloc('float32', mib / 4);
    const st = own.stats();
    expect(st.reclaims).toBeGreaterThan(0);
    expect(st.finalized).toBeGreaterThan(0);
    expect(st.memoryBytes).toBeLessThanOrEqual(400 * mib); // soft limit 256 MiB + one growth step
  });

  it('the FinalizationRegistry frees a dropped storage after a GC', async () => {
    gcOnly(); // these test the GC path itself: the harness's tracking would keep the garbage alive
    const own = await createWasmBackend({ threads: 1, initialMiB: 16 });
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    (function drop(): void {
      for (let i = 0; i < 100; i++) own.alloc('float64', 1000);
    })();
    const live = own.stats().liveBlocks;
    for (let i = 0; i < 10 && own.stats().liveBlocks > live - 100; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(own.stats().liveBlocks).toBeLessThanOrEqual(live - 100);
  });
});

describe('wasm kernels: edge cases through the Tensor API', () => {
  it('odd sizes and SIMD tails', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 127, 129]) {
      const a = arange(n).float(), b = arange(n).float().mul(0.5);
      const [aw, bw] = [onWasm(a), onWasm(b)];
      expectClose(aw.add(bw).to('cpu'), a.add(b).tolist(), 0, 0);
      expectClose(aw.mul(bw).sub(1).div(3).to('cpu'), a.mul(b).sub(1).div(3).tolist(), 0, 0);
      expectClose(aw.sub(n / 2).relu().sqrt().to('cpu'), a.sub(n / 2).relu().sqrt().tolist(), 0, 0);
      expectClose(aw.maximum(bw.add(1)).to('cpu'), a.maximum(b.add(1)).tolist(), 0, 0);
      expectClose(aw.sum().to('cpu'), a.sum().item(), 0, 0);
      expectClose(aw.clamp(1, 5).to('cpu'), a.clamp(1, 5).tolist(), 0, 0);
    }
  });

  it('0-strides (expand) and negative strides (flip)', () => {
    const a = arange(12).float().reshape(3, 4);
    const row = tensor([10, 20, 30, 40]).float();
    const aw = onWasm(a), rw = onWasm(row);
    expectClose(aw.add(rw.expand(3, 4)).to('cpu'), a.add(row).tolist(), 0, 0);
    expectClose(aw.flip([0, 1]).mul(rw.flip(0)).to('cpu'), a.flip([0, 1]).mul(row.flip(0)).tolist(), 0, 0);
    expectClose(aw.t().flip(0).contiguous().to('cpu'), a.t().flip(0).contiguous().tolist(), 0, 0);
    expectClose(aw.flip(1).sum(1).to('cpu'), [6, 22, 38], 0, 0);
    expectClose(aw.t().matmul(aw.flip(0)).to('cpu'), a.t().matmul(a.flip(0)).tolist(), 0, 0);
  });

  it('empty and 0-d tensors', () => {
    const e = onWasm(zeros([3, 0, 2]));
    expect(e.add(1).shape).toEqual([3, 0, 2]);
    expect(e.sum(1).tolist()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(e.sum().item()).toBe(0);
    const s = onWasm(tensor(2.5));
    expect(s.mul(s).item()).toBe(6.25);
    expect(s.neg().exp().item()).toBeCloseTo(Math.exp(-2.5), 6);
    expect(onWasm(zeros([0, 4])).matmul(onWasm(zeros([4, 3]))).shape).toEqual([0, 3]);
    expect(onWasm(zeros([2, 0])).matmul(onWasm(zeros([0, 3]))).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('the thread pool gives the same sgemm as one thread (large, odd sizes)', async () => {
    const one = await createWasmBackend({ threads: 1 });
    const [M, K, N] = [257, 300, 131];
    const a = new Float32Array(M * K).map(() => Math.random() - 0.5), b = new Float32Array(K * N).map(() => Math.random() - 0.5);
    const run = (x: WasmBackend): Float32Array => {
      const av = { storage: x.fromArray(a), shape: [1, M, K], strides: [0, K, 1], offset: 0 };
      const bv = { storage: x.fromArray(b), shape: [1, K, N], strides: [0, N, 1], offset: 0 };
      const o = { storage: x.alloc('float32', M * N), shape: [1, M, N], strides: [0, N, 1], offset: 0 };
      x.matmul(av, bv, o);
      return x.readSync!(o.storage) as Float32Array;
    };
    expect(be.info.threads).toBeGreaterThanOrEqual(1);
    const r1 = run(one), r2 = run(be);
    expect([...r2]).toEqual([...r1]); // same kernel, same per-element summation order
  });

  it('large contiguous elementwise ops split across threads give the single-thread result', async () => {
    const one = await createWasmBackend({ threads: 1 });
    const n = (1 << 18) + 37;
    const a = new Float32Array(n).map(() => (Math.random() - 0.5) * 20), b = new Float32Array(n).map(() => Math.random() + 0.5);
    const ia = new Int32Array(n).map(() => (Math.random() * 100) | 0);
    const run = (x: WasmBackend): number[][] => {
      const v = (s: WasmStorage) => ({ storage: s, shape: [n], strides: [1], offset: 0 });
      const sa = x.fromArray(a), sb = x.fromArray(b), si = x.fromArray(ia);
      const o1 = x.alloc('float32', n), o2 = x.alloc('float32', n), o3 = x.alloc('float64', n), o4 = x.alloc('bool', n), o5 = x.alloc('int32', n);
      x.binary('div', v(sa), v(sb), v(o1));
      x.unary('sigmoid', v(sa), v(o2));
      x.copy(v(sa), v(o3));
      x.binary('lt', v(sa), 0.5, v(o4));
      x.binary('floorDivide', v(si), 7, v(o5));
      expect(() => x.binary('floorDivide', v(si), 0, v(o5))).toThrow(/ZeroDivisionError/);
      return [o1, o2, o3, o4].map((o) => [...x.readSync!(o)]);
    };
    expect(run(be)).toEqual(run(one));
  });

  it('vector exp and sigmoid are within 1 ulp of the correctly rounded value', () => {
    const n = 1 << 16;
    const x = new Float32Array(n).map((_, i) => -100 + (190 * i) / n);
    const xs = be.fromArray(x), o = be.alloc('float32', n);
    const v = (s: WasmStorage) => ({ storage: s, shape: [n], strides: [1], offset: 0 });
    for (const op of ['exp', 'sigmoid'] as const) {
      be.unary(op, v(xs), v(o));
      const r = be.readSync!(o);
      for (let i = 0; i < n; i++) {
        const t = Math.fround(op === 'exp' ? Math.exp(x[i]!) : 1 / (1 + Math.exp(-x[i]!)));
        if (t < 1.2e-38) {
          expect(Math.abs(r[i]! - t)).toBeLessThan(1.2e-38); // denormal range: absolute
          continue;
        }
        const ulp = Math.fround(t * (1 + 2 ** -23)) - t;
        if (Math.abs(r[i]! - t) > ulp * 1.0001) expect.fail(`${op}(${x[i]}) = ${r[i]}, correctly rounded ${t}`);
      }
    }
  });
});
