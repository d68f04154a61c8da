// The wasm worker pool's watchdog (pool.ts, Note [Watchdog]): faults injected into one worker through
// the test-only `faults` option. A worker that dies or throws while holding a chunk makes that op fail
// within seconds with a WorkerError naming the kernel and the worker; one that fails at start-up is
// reported once and replaced without stalling anything; afterwards the backend gives the same results
// as a healthy one, back on all its threads.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type WasmBackend, createWasmBackend } from '../../src/backend/wasm/index.js';
import type { View } from '../../src/backend/backend.js';
import { errors } from '../../src/index.js';

// 384^3 float32 products: split into 16 row chunks of one packed B (kernel 'sgemmPrepacked')
const M = 384;
const A = Float32Array.from({ length: M * M }, (_, i) => ((i * 7919) % 1000) / 500 - 1);
const B = Float32Array.from({ length: M * M }, (_, i) => ((i * 104729) % 997) / 498 - 1);

function view(be: WasmBackend, data: Float32Array | null): View {
  const storage = data ? be.fromArray(data) : be.alloc('float32', M * M);
  return { storage, shape: [1, M, M], strides: [M * M, M, 1], offset: 0 };
}

function matmul(be: WasmBackend): Float32Array {
  const a = view(be, A), b = view(be, B), out = view(be, null);
  try {
    be.matmul(a, b, out);
    return be.readSync!(out.storage) as Float32Array;
  } finally {
    for (const v of [a, b, out]) be.free(v.storage);
  }
}

/** Run the product until it throws (the faulty worker must claim a chunk first): the error, and how long the failing op took. */
function untilThrows(be: WasmBackend, limitMs = 10_000): { error: unknown; opMs: number } {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    const t = performance.now();
    try {
      matmul(be);
    } catch (error) {
      return { error, opMs: performance.now() - t };
    }
  }
  return { error: null, opMs: 0 };
}

async function fullThreads(be: WasmBackend, limitMs = 10_000): Promise<number> {
  const until = performance.now() + limitMs;
  while (be.liveThreads < be.info.threads && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  return be.liveThreads;
}

let expected: Float32Array | null = null;
async function reference(): Promise<Float32Array> {
  if (!expected) expected = matmul(await createWasmBackend({ threads: 1 }));
  return expected;
}

const notices = (spy: { mock: { calls: unknown[][] } }): string[] => spy.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('wasm worker'));

describe('wasm pool watchdog', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a worker that exits holding a chunk: the op throws a WorkerError naming kernel and worker; the pool restarts it', async () => {
    const want = await reference();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const be = await createWasmBackend({ threads: 3, faults: [{ worker: 1, fault: 'exit-in-chunk' }] });
    expect(be.liveThreads).toBe(3);
    const { error, opMs } = untilThrows(be);
    expect(error).toBeInstanceOf(errors.WorkerError);
    expect((error as Error).message).toMatch(/^wasm backend: worker thread 1 died while running kernel 'sgemmPrepacked' \(chunk \d+ of 16; exited with code 1\), so this op's result is lost/);
    expect(opMs).toBeLessThan(2_000); // no waiting: the worker said it was dying
    expect(matmul(be)).toEqual(want); // at once, on the threads left
    expect(await fullThreads(be)).toBe(3);
    expect(matmul(be)).toEqual(want);
    expect(notices(spy)).toEqual([]); // reported once: by the error
  });

  it('a kernel that throws on a worker: a WorkerError with its message; the worker lives on', async () => {
    const want = await reference();
    const be = await createWasmBackend({ threads: 3, faults: [{ worker: 2, fault: 'throw-in-chunk' }] });
    const { error } = untilThrows(be);
    expect(error).toBeInstanceOf(errors.WorkerError);
    expect((error as Error).message).toBe("wasm backend: kernel 'sgemmPrepacked' threw on worker thread 2: injected fault in a chunk");
    expect(be.liveThreads).toBe(3);
    for (let i = 0; i < 3; i++) expect(matmul(be)).toEqual(want);
  });

  it('a worker that exits before it is ready: no stall, reported once on stderr, replaced', async () => {
    const want = await reference();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const t0 = performance.now();
    const be = await createWasmBackend({ threads: 3, faults: [{ worker: 1, fault: 'exit-before-ready' }] });
    expect(matmul(be)).toEqual(want);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await fullThreads(be)).toBe(3);
    expect(matmul(be)).toEqual(want);
    expect(notices(spy)).toEqual(['fastgrad: wasm worker thread 1 failed to start (exited with code 3); restarting it']);
  });

  it('a worker whose start-up throws: the same, with the exception message', async () => {
    const want = await reference();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const be = await createWasmBackend({ threads: 2, faults: [{ worker: 1, fault: 'throw-at-start' }] });
    expect(await fullThreads(be)).toBe(2);
    expect(matmul(be)).toEqual(want);
    expect(notices(spy)).toEqual(['fastgrad: wasm worker thread 1 failed to start (injected fault at start-up); restarting it']);
  });

  // NOTE: a worker killed without running its exit handler is found by the liveness check, which
  // needs /proc/self/task (Linux); elsewhere only its 'exit' event, after the op, tells.
  it.skipIf(process.platform !== 'linux')(`a worker killed without a word: found by the liveness check within a second${process.platform === 'linux' ? '' : ' (skipped: the liveness check reads /proc/self/task, Linux only)'}`, async () => {
    const want = await reference();
    const be = await createWasmBackend({ threads: 3, faults: [{ worker: 1, fault: 'kill-in-chunk' }] });
    const { error, opMs } = untilThrows(be);
    expect(error).toBeInstanceOf(errors.WorkerError);
    expect((error as Error).message).toMatch(/^wasm backend: worker thread 1 died while running kernel 'sgemmPrepacked' \(chunk \d+ of 16; its thread is gone: it was killed\)/);
    expect(opMs).toBeLessThan(2_000); // checks every 200 ms
    expect(matmul(be)).toEqual(want);
    expect(await fullThreads(be)).toBe(3);
    expect(matmul(be)).toEqual(want);
  });
});
