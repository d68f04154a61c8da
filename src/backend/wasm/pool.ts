// A worker_threads pool for the wasm backend. Every worker instantiates the same compiled module on
// the same shared WebAssembly.Memory, so a job is just "call kernel f with these pointers": no data is
// copied. The calling thread posts jobs through a control block in that memory (Atomics.notify), runs
// its own share, then waits for the others (Atomics.wait). Workers spin briefly after a job so that a
// run of large ops does not pay the futex wake-up each time, then sleep.
//
// Only large kernels are split (gemm, conv); everything else stays on the calling thread.

/** Kernels a worker can run; a job names one by its index here. */
export const JOB_NAMES = ['matmul', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'sgemm', 'unary', 'binary', 'copy'] as const;
export const JOB = Object.fromEntries(JOB_NAMES.map((n, i) => [n, i])) as { [K in (typeof JOB_NAMES)[number]]: number };

const SLOT_INTS = 64; // per worker: [seq, done, fn, nargs, failed, kernel return code, ...args from index 8]
const ARG0 = 8;
const MAX_ARGS = SLOT_INTS - ARG0;

const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const { module, memory, slotPtr, iterPtr, spinMs, names } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
const ex = inst.exports;
ex.setIterBase(iterPtr);
const fns = names.map((n) => ex[n]);
const c = new Int32Array(memory.buffer, slotPtr, ${SLOT_INTS});
let seen = Atomics.load(c, 0);
Atomics.store(c, 4, 1); Atomics.notify(c, 4); // ready
for (;;) {
  let cur = Atomics.load(c, 0);
  if (cur === seen) {
    const until = performance.now() + spinMs;
    while ((cur = Atomics.load(c, 0)) === seen && performance.now() < until);
    while ((cur = Atomics.load(c, 0)) === seen) Atomics.wait(c, 0, seen);
  }
  seen = cur;
  if (cur < 0) break;
  const n = c[3], args = new Array(n);
  for (let i = 0; i < n; i++) args[i] = c[${ARG0} + i];
  let failed = 0, rc = 0;
  try { rc = fns[c[2]](...args) | 0; } catch (e) { failed = 1; }
  c[4] = failed;
  c[5] = rc;
  Atomics.store(c, 1, cur);
  Atomics.notify(c, 1);
}
`;

export interface PoolJob {
  fn: number;
  args: readonly number[];
}

export class Pool {
  private seq = 0;
  private constructor(
    private readonly slots: Int32Array[],
    private readonly workers: { terminate(): Promise<number>; unref(): void }[],
    /** Per-worker sgemm workspaces (byte addresses in the shared memory). */
    readonly workspaces: number[],
  ) {}

  /** Threads including the caller. */
  get threads(): number {
    return this.slots.length + 1;
  }

  /**
   * Start `n` workers on `module`/`memory`. `slotPtr` addresses n*256 bytes of control blocks and
   * `workspaces` one sgemm workspace per worker, both inside the memory.
   */
  static async start(n: number, module: WebAssembly.Module, memory: WebAssembly.Memory, slotPtr: number, workspaces: number[], iterPtrs: number[], spinMs = 0.3): Promise<Pool> {
    const { Worker } = await import('node:worker_threads');
    const slots: Int32Array[] = [];
    const workers: InstanceType<typeof Worker>[] = [];
    for (let i = 0; i < n; i++) {
      const c = new Int32Array(memory.buffer, slotPtr + i * SLOT_INTS * 4, SLOT_INTS);
      c.fill(0);
      const w = new Worker(WORKER_SRC, {
        eval: true,
        workerData: { module, memory, slotPtr: slotPtr + i * SLOT_INTS * 4, iterPtr: iterPtrs[i], spinMs, names: JOB_NAMES },
      });
      w.unref(); // never keep the process alive
      w.on('error', () => {}); // a failed worker reports through its status word
      slots.push(c);
      workers.push(w);
    }
    // wait (asynchronously) until each worker has instantiated the module
    const t0 = Date.now();
    while (slots.some((c) => Atomics.load(c, 4) !== 1)) {
      if (Date.now() - t0 > 20_000) throw new Error('wasm backend: worker threads did not start');
      await new Promise((r) => setTimeout(r, 1));
    }
    for (const c of slots) c[4] = 0;
    return new Pool(slots, workers, workspaces);
  }

  /**
   * Run jobs[0] on the calling thread via `local` and jobs[1..] on workers; returns when all are done,
   * with the first nonzero kernel return code (0 when every job succeeded).
   */
  run(jobs: readonly PoolJob[], local: (job: PoolJob) => number | void): number {
    const posted = Math.min(jobs.length - 1, this.slots.length);
    const seq = ++this.seq;
    for (let w = 0; w < posted; w++) {
      const c = this.slots[w]!, job = jobs[w + 1]!;
      if (job.args.length > MAX_ARGS) throw new Error('wasm backend: too many job arguments');
      c[2] = job.fn;
      c[3] = job.args.length;
      for (let i = 0; i < job.args.length; i++) c[ARG0 + i] = job.args[i]!;
      c[4] = 0;
      Atomics.store(c, 0, seq);
      Atomics.notify(c, 0);
    }
    let err: unknown = null;
    let rc = 0;
    try {
      rc = local(jobs[0]!) || 0;
      // more jobs than threads: the caller runs the rest itself
      for (let j = posted + 1; j < jobs.length; j++) rc ||= local(jobs[j]!) || 0;
    } catch (e) {
      err = e;
    }
    for (let w = 0; w < posted; w++) {
      const c = this.slots[w]!;
      // spin first: the other half of a split kernel usually ends within microseconds of ours, and a
      // futex sleep + wake costs tens of microseconds
      const until = performance.now() + 2;
      let d: number;
      while ((d = Atomics.load(c, 1)) !== seq && performance.now() < until);
      while ((d = Atomics.load(c, 1)) !== seq) Atomics.wait(c, 1, d, 50);
      if (c[4] !== 0) err ??= new Error('wasm backend: a worker thread failed while running a kernel');
      rc ||= c[5]!;
    }
    if (err) throw err;
    return rc;
  }

  async close(): Promise<void> {
    for (const c of this.slots) {
      Atomics.store(c, 0, -1);
      Atomics.notify(c, 0);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
