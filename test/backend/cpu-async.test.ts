// The async-only reference backend ('cpu-async', WebGPU's stand-in) and the read contract of
// backend.ts (Note [What a backend may defer]): reads resolve a macrotask later with a copy, the
// synchronous reads throw SyncReadError naming the async form, printing says how to print, device
// moves off it go through toAsync, and ownership is checked by identity, not by name.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Backend, arange, errors, getBackend, initBackend, noGrad, tensor } from '../../src/index.js';
import { CpuStorage } from '../../src/backend/cpu/index.js';
import '../helpers/backends.js'; // registers 'cpu-async'

const dev = { device: 'cpu-async' } as const;
const asyncBe = async (): Promise<Backend> => initBackend('cpu-async');

describe("the 'cpu-async' backend", () => {
  it('is the reference backend without synchronous reads: no readSync, no hostArray, not a host-CPU device', async () => {
    const be = await asyncBe();
    expect(be.name).toBe('cpu-async');
    expect([be.readSync, be.hostArray, be.isCpu]).toEqual([undefined, undefined, false]);
    const cpu = getBackend('cpu');
    expect([typeof cpu.readSync, typeof cpu.hostArray, cpu.isCpu]).toEqual(['function', 'function', true]);
    // same storages and kernels as cpu
    const t = arange(6, undefined, 1, dev).reshape(2, 3).float().mul(2).sum(1);
    expect(t.storage).toBeInstanceOf(CpuStorage);
    expect(await t.tolistAsync()).toEqual([6, 24]);
  });

  it('read resolves a macrotask later (code that forgets to await sees no value) with a copy of the values at the call', async () => {
    await asyncBe();
    const t = tensor([1, 2, 3], dev);
    const order: string[] = [];
    const p = t.dataAsync().then((v) => {
      order.push('read');
      return v;
    });
    queueMicrotask(() => order.push('microtask'));
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['microtask']); // not resolved after microtasks
    noGrad(() => t.mul_(10)); // dispatched after the read: not in it
    const v = await p;
    expect(order).toEqual(['microtask', 'read']);
    expect([...v]).toEqual([1, 2, 3]);
    v[0] = 99; // a copy: the tensor is unchanged
    expect(await t.tolistAsync()).toEqual([10, 20, 30]);
  });

  it('freeing a storage right after a read is allowed; the read still resolves its values', async () => {
    const be = await asyncBe();
    const s = be.fromArray(Float32Array.of(4, 5));
    const p = be.read(s);
    be.free(s);
    expect([...(await p)]).toEqual([4, 5]);
  });

  it('owns storages by identity (both are reference storages): a cpu storage is rejected on read, and mixing devices in an op is a DeviceError', async () => {
    const be = await asyncBe();
    const cpuT = tensor([1, 2], { device: 'cpu' });
    await expect(be.read(cpuT.storage)).rejects.toThrow(/cpu-async backend: got a tensor on device 'cpu'.*\.to\('cpu-async'\)/);
    const a = tensor([1, 2], dev);
    expect(() => a.add(cpuT)).toThrow(errors.DeviceError);
  });
});

describe('synchronous reads on a device without readSync', () => {
  it('dataSync/item/tolist throw SyncReadError naming the device and the awaitable form; the async forms work', async () => {
    await asyncBe();
    const t = tensor([[1.5, 2]], dev);
    const s = t.sum();
    for (const [f, alt] of [[() => t.dataSync(), 'await t.dataAsync()'], [() => s.item(), 'await t.itemAsync()'], [() => t.tolist(), 'await t.tolistAsync()']] as const) {
      expect(f).toThrow(errors.SyncReadError);
      expect(f).toThrow(errors.DeviceError); // a SyncReadError is a DeviceError
      expect(f).toThrow(new RegExp(`device 'cpu-async' has no synchronous read.*use ${alt.replace(/[()]/g, '\\$&')} instead`));
    }
    expect(await s.itemAsync()).toBe(3.5);
    expect(await t.tolistAsync()).toEqual([[1.5, 2]]);
    expect([...(await t.get(0, 1).dataAsync())]).toEqual([2]); // a view: a contiguous copy, read
    await expect(t.itemAsync()).rejects.toThrow(/itemAsync: a Tensor with 2 elements cannot be converted to a scalar/);
  });

  it('printing says how to print and never throws inside util.inspect; toStringAsync prints like torch with the device', async () => {
    await asyncBe();
    const t = tensor([1, 2], { ...dev, dtype: 'float32' });
    const line = "tensor(<2 values of shape [2], dtype=float32, device='cpu-async'>): this device reads asynchronously; print it with console.log(await t.toStringAsync())";
    expect(String(t)).toBe(line);
    expect(inspect(t)).toBe(line);
    expect(`${t}`).toBe(line);
    expect(await t.toStringAsync()).toBe("tensor([1., 2.], device='cpu-async')");
    expect(await tensor([1, 2], { dtype: 'float32' }).toStringAsync()).toBe('tensor([1., 2.])'); // a host-CPU device prints no device=
  });

  it(".to(device) off it throws pointing at toAsync; toAsync moves, and the gradient moves back", async () => {
    await asyncBe();
    const x = tensor([1, 2, 3], { ...dev, dtype: 'float32' }).requiresGrad_();
    expect(() => x.to('cpu')).toThrow(errors.SyncReadError);
    expect(() => x.to('cpu')).toThrow(/to\('cpu'\): moving a tensor off device 'cpu-async'.*use await t\.toAsync\('cpu'\) instead/);
    expect(x.to('cpu-async')).toBe(x);
    expect(await x.toAsync('float32')).toBe(x);
    const y = await x.toAsync('cpu');
    expect([y.device, y.gradFn?.name]).toEqual(['cpu', 'ToCopyBackward0']);
    y.mul(y).sum().backward(); // the gradient, on cpu, is uploaded back to cpu-async
    expect(x.grad!.device).toBe('cpu-async');
    expect(await x.grad!.tolistAsync()).toEqual([2, 4, 6]);
    const b = await tensor([true, false], dev).toAsync('cpu');
    expect([b.dtype, b.tolist()]).toEqual(['bool', [true, false]]);
  });

  it('a move onto it works synchronously (an upload); its backward, which would read the device, says why it cannot', async () => {
    await asyncBe();
    const x = tensor([1, 2], { device: 'cpu', dtype: 'float32' }).requiresGrad_();
    const y = x.to('cpu-async');
    expect(y.device).toBe('cpu-async');
    expect(await y.tolistAsync()).toEqual([1, 2]);
    expect(() => y.sum().backward()).toThrow(errors.SyncReadError);
    expect(() => y.sum().backward()).toThrow(/backward of to\('cpu-async'\): the gradient on 'cpu-async' would be moved back to 'cpu' with a synchronous read/);
  });
});
