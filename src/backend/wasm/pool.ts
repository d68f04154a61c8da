// A worker_threads pool for the wasm backend. Every worker instantiates the same compiled module on
// the same shared WebAssembly.Memory, so a job is just "call kernel f with these pointers": no data is
// copied.
//
// Note [Work sharing]: a parallel op is cut into chunks (more chunks than threads, each a kernel call
// on a disjoint part of the output) written to a table in the shared memory. The calling thread
// publishes the table (Atomics.notify) and then claims chunks itself, one at a time, through a shared
// counter (compare-and-swap), exactly as the workers do; it waits only for chunks a worker has claimed
// and not finished. So a worker that is slow to wake, or descheduled (a busy or virtualised machine),
// costs nothing: the caller does its share. The counter only ever increases (each op's chunks are
// numbered from where the last op's ended), so a late worker can never claim a chunk of an op that has
// already finished. Which thread runs a chunk never changes a result: chunks write disjoint outputs
// (and where chunks are summed, conv's weight gradient, their number is fixed), so results are
// deterministic and the same for any thread count.
//
// Workers spin briefly after a chunk (FASTGRAD_WASM_SPIN_MS) so that a run of large ops does not pay
// the futex wake-up each time, then sleep.

/** Kernels a worker can run; a job names one by its index here. */
export const JOB_NAMES = ['matmul', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'sgemm', 'unary', 'binary', 'copy', 'sgemmPrepacked'] as const;
export const JOB = Object.fromEntries(JOB_NAMES.map((n, i) => [n, i])) as { [K in (typeof JOB_NAMES)[number]]: number };

/** Chunks per op at most, and ints per chunk entry: [fn, nargs, ws arg index, scratch arg index, args...]. */
export const MAX_CHUNKS = 64;
const ENTRY = 32;
const MAX_ARGS = ENTRY - 4;
const MAX_WORKERS = 63;
// control block (int32 indices)
const SEQ = 0, CTR = 1, BASE = 2, NCH = 3, DONE = 4, RC = 5, FAILED = 6, STOP = 7, READY0 = 8, SCRATCH0 = READY0 + MAX_WORKERS + 1;
export const CTL_BYTES = (SCRATCH0 + MAX_WORKERS + 1) * 4;
export const TABLE_BYTES = MAX_CHUNKS * ENTRY * 4;

const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctlPtr, tablePtr, tid, wsPtr, iterPtr, spinMs, names } = workerData;
const c = new Int32Array(memory.buffer, ctlPtr, ${CTL_BYTES / 4});
const tab = new Int32Array(memory.buffer, tablePtr, ${TABLE_BYTES / 4});
let ex;
try {
  ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  ex.setIterBase(iterPtr);
} catch (e) {
  Atomics.store(c, ${READY0} + tid, -1); Atomics.notify(c, ${READY0} + tid); // the pool runs without this thread
  throw e;
}
const fns = names.map((n) => ex[n]);
Atomics.store(c, ${READY0} + tid, 1); Atomics.notify(c, ${READY0} + tid);
let seen = Atomics.load(c, ${SEQ});
for (;;) {
  let cur = Atomics.load(c, ${SEQ});
  if (cur === seen && !Atomics.load(c, ${STOP})) {
    const until = performance.now() + spinMs;
    while ((cur = Atomics.load(c, ${SEQ})) === seen && performance.now() < until);
    while ((cur = Atomics.load(c, ${SEQ})) === seen && !Atomics.load(c, ${STOP})) Atomics.wait(c, ${SEQ}, seen);
  }
  if (Atomics.load(c, ${STOP})) break;
  seen = cur;
  const base = Atomics.load(c, ${BASE}), n = Atomics.load(c, ${NCH});
  if (Atomics.load(c, ${SEQ}) !== seen) continue; // a newer op was posted meanwhile: take that one
  for (;;) {
    const k = Atomics.load(c, ${CTR});
    const i = (k - base) | 0;
    if (i < 0 || i >= n) break;
    if (Atomics.compareExchange(c, ${CTR}, k, (k + 1) | 0) !== k) continue;
    const e = i * ${ENTRY}, na = tab[e + 1], args = new Array(na);
    for (let j = 0; j < na; j++) args[j] = tab[e + 4 + j];
    if (tab[e + 2] >= 0) args[tab[e + 2]] = wsPtr;
    if (tab[e + 3] >= 0) args[tab[e + 3]] = c[${SCRATCH0} + tid];
    let rc = 0;
    try { rc = fns[tab[e]](...args) | 0; } catch (err) { Atomics.store(c, ${FAILED}, 1); }
    if (rc) Atomics.compareExchange(c, ${RC}, 0, rc);
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
}
`;

export interface PoolJob {
  fn: number;
  args: readonly number[];
  /** Index of the argument that is replaced by the running thread's sgemm workspace. */
  ws?: number;
  /** Index of the argument that is replaced by the running thread's scratch block (setScratch). */
  scratch?: number;
}

// NOTE: the part of node:worker_threads' Worker used here, as a structural type: naming Node's type
// would make the public .d.ts need @types/node, which a browser user of the core entry lacks.
interface WorkerLike {
  terminate(): Promise<number>;
  unref(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type WorkerCtor = new (src: string, opts: { eval: boolean; workerData: unknown }) => WorkerLike;

/**
 * How long an idle worker spins before it sleeps (ms; FASTGRAD_WASM_SPIN_MS). Waking a sleeping thread
 * costs tens to hundreds of microseconds on a busy machine, more than a chapter 4 matmul chunk takes, and
 * a training step's parallel ops come well within this window of each other (OpenMP runtimes spin too).
 */
function defaultSpinMs(): number {
  const v = Number(typeof process !== 'undefined' ? process.env?.FASTGRAD_WASM_SPIN_MS : undefined);
  return v >= 0 ? v : 1;
}

export class Pool {
  private seq = 0;
  /** null until the workers have reported (see ready()); then whether all of them started. */
  private started: boolean | null = null;
  private readonly c: Int32Array;
  private readonly tab: Int32Array;
  private constructor(
    memory: WebAssembly.Memory,
    ctlPtr: number,
    tablePtr: number,
    private readonly nWorkers: number,
    private readonly workers: { terminate(): Promise<number>; unref(): void }[],
    /** sgemm workspaces: the calling thread's, then one per worker (byte addresses in the memory). */
    readonly workspaces: number[],
  ) {
    // NOTE: both blocks sit low in the memory (allocated at start-up), so these views stay valid when it grows.
    this.c = new Int32Array(memory.buffer, ctlPtr, CTL_BYTES / 4);
    this.tab = new Int32Array(memory.buffer, tablePtr, TABLE_BYTES / 4);
  }

  /** Threads including the caller. */
  get threads(): number {
    return this.nWorkers + 1;
  }

  /**
   * Spawn `n` workers on `module`/`memory` without waiting for them (they instantiate the module in the
   * background; the first run() waits for that). `ctlPtr` addresses CTL_BYTES and `tablePtr`
   * TABLE_BYTES inside the memory; `workspaces` holds the caller's sgemm workspace then one per worker.
   */
  static spawn(Worker: WorkerCtor, n: number, module: WebAssembly.Module, memory: WebAssembly.Memory, ctlPtr: number, tablePtr: number, workspaces: number[], iterPtrs: number[], spinMs = defaultSpinMs()): Pool {
    n = Math.min(n, MAX_WORKERS);
    new Int32Array(memory.buffer, ctlPtr, CTL_BYTES / 4).fill(0);
    const workers: InstanceType<WorkerCtor>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(WORKER_SRC, {
        eval: true,
        workerData: { module, memory, ctlPtr, tablePtr, tid: i + 1, wsPtr: workspaces[i + 1], iterPtr: iterPtrs[i], spinMs, names: JOB_NAMES },
      });
      w.unref(); // never keep the process alive
      w.on('error', () => {}); // a failed worker reports through its status word
      workers.push(w);
    }
    return new Pool(memory, ctlPtr, tablePtr, n, workers, workspaces);
  }

  /**
   * Whether every worker is running, waiting for them (synchronously, Atomics.wait) the first time.
   * A pool whose workers did not start is never used: the backend then runs single-threaded.
   */
  ready(): boolean {
    if (this.started !== null) return this.started;
    let ok = true;
    const until = Date.now() + 60_000;
    for (let t = 1; t <= this.nWorkers; t++) {
      let st: number;
      while ((st = Atomics.load(this.c, READY0 + t)) === 0 && Date.now() < until) Atomics.wait(this.c, READY0 + t, 0, 100);
      if (st !== 1) ok = false;
    }
    if (!ok) void this.close().catch(() => {});
    this.started = ok;
    return ok;
  }

  /** The scratch block of thread t (0 = the caller), for the `scratch` arguments of the next run. */
  setScratch(t: number, ptr: number): void {
    this.c[SCRATCH0 + t] = ptr;
  }

  /**
   * Run the chunks (see Note [Work sharing]), `local` running a chunk on the calling thread with its
   * arguments resolved; returns when all are done, with the first nonzero kernel return code (0 when
   * every chunk succeeded). At most MAX_CHUNKS chunks.
   */
  run(jobs: readonly PoolJob[], local: (fn: number, args: number[]) => number | void): number {
    const n = jobs.length;
    if (n > MAX_CHUNKS) throw new Error(`wasm backend: ${n} chunks, at most ${MAX_CHUNKS}`);
    const resolve = (j: PoolJob): number[] => {
      const a = j.args.slice();
      if (j.ws !== undefined) a[j.ws] = this.workspaces[0]!;
      if (j.scratch !== undefined) a[j.scratch] = this.c[SCRATCH0]!;
      return a;
    };
    if (n <= 1 || !this.ready()) {
      let rc = 0;
      for (const j of jobs) rc ||= local(j.fn, resolve(j)) || 0;
      return rc;
    }
    const c = this.c, tab = this.tab;
    for (let i = 0; i < n; i++) {
      const j = jobs[i]!, e = i * ENTRY;
      if (j.args.length > MAX_ARGS) throw new Error('wasm backend: too many job arguments');
      tab[e] = j.fn;
      tab[e + 1] = j.args.length;
      tab[e + 2] = j.ws ?? -1;
      tab[e + 3] = j.scratch ?? -1;
      for (let k = 0; k < j.args.length; k++) tab[e + 4 + k] = j.args[k]!;
    }
    const base = Atomics.load(c, CTR), doneBase = Atomics.load(c, DONE);
    c[RC] = 0;
    c[FAILED] = 0;
    Atomics.store(c, BASE, base);
    Atomics.store(c, NCH, n);
    this.seq = (this.seq % 0x3fffffff) + 1;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    let err: unknown = null;
    for (;;) {
      const k = Atomics.load(c, CTR);
      const i = (k - base) | 0;
      if (i < 0 || i >= n) break;
      if (Atomics.compareExchange(c, CTR, k, (k + 1) | 0) !== k) continue;
      try {
        const rc = local(jobs[i]!.fn, resolve(jobs[i]!)) || 0;
        if (rc) Atomics.compareExchange(c, RC, 0, rc);
      } catch (e) {
        err ??= e;
      }
      Atomics.add(c, DONE, 1);
    }
    // wait for the chunks the workers claimed: spin first (they usually end within microseconds of
    // ours; a futex sleep + wake costs tens of microseconds), then sleep
    const until = performance.now() + 2;
    for (;;) {
      const d = Atomics.load(c, DONE);
      if (((d - doneBase) | 0) === n) break;
      if (performance.now() > until) Atomics.wait(c, DONE, d, 50);
    }
    if (Atomics.load(c, FAILED)) err ??= new Error('wasm backend: a worker thread failed while running a kernel');
    if (err) throw err;
    return Atomics.load(c, RC);
  }

  async close(): Promise<void> {
    Atomics.store(this.c, STOP, 1);
    Atomics.notify(this.c, SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
