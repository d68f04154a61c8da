// The worker pool of the wasm backend: threads that run chunks of large ops on the one shared memory
// (the worker's source and the control block's layout are in worker.ts; how workers are started, Node
// worker_threads or Web Workers, in spawn.ts).
//
// Note [Work sharing]: a parallel op is cut into chunks (more chunks than threads, each a kernel call
// on a disjoint part of the output) written to a table in the shared memory. The calling thread
// publishes the table (Atomics.notify) and then claims chunks itself, one at a time, through a shared
// counter (compare-and-swap), exactly as the workers do; it waits only for chunks a worker has claimed
// and not finished. So a worker that is slow to wake, descheduled (a busy or virtualised machine) or
// still starting costs nothing: the caller does its share. The counter only ever increases (each op's
// chunks are numbered from where the last op's ended), so a late worker can never claim a chunk of an
// op that has already finished. Which thread runs a chunk never changes a result: chunks write
// disjoint outputs (and where chunks are summed, conv's weight gradient, their number is fixed), so
// results are deterministic and the same for any thread count. Nothing waits for the workers to start:
// until they are ready the caller runs every chunk.
//
// Note [Watchdog]: while an op runs the caller is blocked (Atomics.wait, or a spin on a page's main
// thread, which may not wait), so a worker's 'exit'/'error' events cannot reach it. A worker reports
// in the control block instead: the chunk it holds (HOLD/HSEQ), a kernel that threw (FAIL, with its
// message), and its own death on any exception or exit it can catch (STATE = DEAD, then a notify that
// wakes the caller). A worker killed too hard to say so is found by the caller's bounded wait: every
// LIVENESS_MS it asks the spawner whether the OS thread of each worker holding one of its chunks still
// runs (Linux: /proc/self/task; elsewhere such a kill is only noticed on the next 'exit' event, and the
// caller says on stderr that it is still waiting after SLOW_NOTICE_MS). An op whose chunk died with its
// worker throws a WorkerError naming the kernel and the worker, after the other chunks finished (so no
// thread still writes to memory the caller goes on to reuse). Dead workers are then replaced (at most
// MAX_RESTARTS times per thread) and the pool is back to full threads once the new one is ready; a
// worker that fails at start-up is seen at once (it reports FAILED, or its 'exit' event does) and
// reported once on stderr.
// NOTE: a worker claims a chunk (compare-and-swap) and then records it in HOLD: one killed between the
// two (a window of nanoseconds) leaves a chunk nobody is seen to hold, and the op waits; the notice
// after SLOW_NOTICE_MS says so. Recording first would be worse: a chunk recorded but never claimed
// would be counted lost while another thread still writes it.
//
// Workers spin briefly after a chunk (FASTGRAD_WASM_SPIN_MS) so that a run of large ops does not pay
// the futex wake-up each time, then sleep.
import { FastgradError, WorkerError } from '../../errors.js';
import type { Spawner, WorkerHandle } from './spawn.js';
import { CTL, CTL_INTS, ENTRY, JOB_NAMES, MAX_CHUNKS, MAX_WORKERS, MSG_INTS, STATE, TABLE_BYTES, type WorkerFault, type WorkerInit } from './worker.js';

export { CTL_BYTES, JOB_NAMES, MAX_CHUNKS, TABLE_BYTES, type WorkerFault } from './worker.js';
export const JOB = Object.fromEntries(JOB_NAMES.map((n, i) => [n, i])) as { [K in (typeof JOB_NAMES)[number]]: number };

const MAX_ARGS = ENTRY - 4;
/** Replacements per thread at most: a worker that keeps dying is not restarted forever. */
const MAX_RESTARTS = 3;
/** How often a caller waiting for a chunk checks that the worker holding it still runs (ms). */
const LIVENESS_MS = 200;
/** After this long waiting for one op's chunks, the caller says so on stderr (ms). */
const SLOW_NOTICE_MS = 30_000;

export interface PoolJob {
  fn: number;
  args: readonly number[];
  /** Index of the argument that is replaced by the running thread's sgemm workspace. */
  ws?: number;
  /** Index of the argument that is replaced by the running thread's scratch block (setScratch). */
  scratch?: number;
}

export interface PoolOptions {
  /** How long an idle worker spins before it sleeps (ms). */
  spinMs?: number;
  /** Test-only: start worker `worker` (1-based) with a fault (its replacements start without). */
  faults?: readonly { worker: number; fault: WorkerFault }[];
  /** Where notices go (a worker that failed to start, was restarted, ...); default console.error. */
  report?: (message: string) => void;
}

interface Slot {
  handle: WorkerHandle | null;
  restarts: number;
  /** The current death was already reported as an op's WorkerError (so not again on stderr). */
  surfaced: boolean;
  /** Given up on (MAX_RESTARTS reached). */
  retired: boolean;
}

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
  private closed = false;
  private readonly c: Int32Array;
  private readonly tab: Int32Array;
  /** By thread id (1..n; 0 is the caller). */
  private readonly slots: Slot[] = [];
  private readonly report: (message: string) => void;

  private constructor(
    private readonly spawner: Spawner,
    private readonly init: Omit<WorkerInit, 'tid' | 'wsPtr' | 'iterPtr' | 'fault'>,
    private readonly n: number,
    /** sgemm workspaces: the calling thread's, then one per worker (byte addresses in the memory). */
    readonly workspaces: readonly number[],
    private readonly iterPtrs: readonly number[],
    report: ((message: string) => void) | undefined,
  ) {
    // NOTE: both blocks sit low in the memory (allocated at start-up), so these views stay valid when it grows.
    this.c = new Int32Array(init.memory.buffer, init.ctlPtr, CTL_INTS);
    this.tab = new Int32Array(init.memory.buffer, init.tablePtr, TABLE_BYTES / 4);
    this.report = report ?? ((m) => console.error(m));
  }

  /**
   * Start `n` workers on `module`/`memory` without waiting for them (they instantiate the module in the
   * background; ops run on the threads that are ready). `ctlPtr` addresses CTL_BYTES and `tablePtr`
   * TABLE_BYTES inside the memory; `workspaces` holds the caller's sgemm workspace then one per worker,
   * `iterPtrs` one iterator block per worker.
   */
  static start(spawner: Spawner, n: number, module: WebAssembly.Module, memory: WebAssembly.Memory, ctlPtr: number, tablePtr: number, workspaces: number[], iterPtrs: number[], opts: PoolOptions = {}): Pool {
    n = Math.min(n, MAX_WORKERS);
    new Int32Array(memory.buffer, ctlPtr, CTL_INTS).fill(0);
    const init = { module, memory, ctlPtr, tablePtr, spinMs: opts.spinMs ?? defaultSpinMs(), names: JOB_NAMES };
    const pool = new Pool(spawner, init, n, workspaces, iterPtrs, opts.report);
    for (let t = 1; t <= n; t++) pool.spawn(t, opts.faults?.find((f) => f.worker === t)?.fault);
    return pool;
  }

  /** Threads including the caller: what ops are cut for (constant; see liveThreads). */
  get threads(): number {
    return this.n + 1;
  }

  /** Threads running now, including the caller (workers still starting or dead do not count). */
  get liveThreads(): number {
    let k = 1;
    for (let t = 1; t <= this.n; t++) if (Atomics.load(this.c, CTL.STATE + t) === STATE.READY) k++;
    return k;
  }

  /** Resolves, with liveThreads, once no worker is starting any more (or after timeoutMs). */
  async whenReady(timeoutMs = 10_000): Promise<number> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      this.reap();
      let starting = false;
      for (let t = 1; t <= this.n; t++) if (!this.slots[t]!.retired && Atomics.load(this.c, CTL.STATE + t) === STATE.STARTING) starting = true;
      if (!starting || this.closed || performance.now() > until) return this.liveThreads;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The scratch block of thread t (0 = the caller), for the `scratch` arguments of the next run. */
  setScratch(t: number, ptr: number): void {
    this.c[CTL.SCRATCH + t] = ptr;
  }

  /**
   * Run the chunks (see Note [Work sharing]), `local` running a chunk on the calling thread with its
   * arguments resolved; returns when all are done, with the first nonzero kernel return code (0 when
   * every chunk succeeded). At most MAX_CHUNKS chunks. Throws a WorkerError when a worker died holding a
   * chunk or a kernel threw on a worker (Note [Watchdog]).
   */
  run(jobs: readonly PoolJob[], local: (fn: number, args: number[]) => number | void): number {
    const n = jobs.length, c = this.c, tab = this.tab;
    if (n > MAX_CHUNKS) throw new FastgradError(`wasm backend: ${n} chunks, at most ${MAX_CHUNKS}`);
    this.reap();
    const resolve = (j: PoolJob): number[] => {
      const a = j.args.slice();
      if (j.ws !== undefined) a[j.ws] = this.workspaces[0]!;
      if (j.scratch !== undefined) a[j.scratch] = c[CTL.SCRATCH]!;
      return a;
    };
    if (n <= 1 || this.liveThreads === 1) {
      let rc = 0;
      for (const j of jobs) rc ||= local(j.fn, resolve(j)) || 0;
      return rc;
    }
    for (let i = 0; i < n; i++) {
      const j = jobs[i]!, e = i * ENTRY;
      if (j.args.length > MAX_ARGS) throw new FastgradError(`wasm backend: ${j.args.length} job arguments, at most ${MAX_ARGS}`);
      tab[e] = j.fn;
      tab[e + 1] = j.args.length;
      tab[e + 2] = j.ws ?? -1;
      tab[e + 3] = j.scratch ?? -1;
      for (let k = 0; k < j.args.length; k++) tab[e + 4 + k] = j.args[k]!;
    }
    const base = Atomics.load(c, CTL.CTR), doneBase = Atomics.load(c, CTL.DONE);
    c[CTL.RC] = 0;
    c[CTL.FAIL] = 0;
    Atomics.store(c, CTL.BASE, base);
    Atomics.store(c, CTL.NCH, n);
    this.seq = (this.seq % 0x3fffffff) + 1;
    Atomics.store(c, CTL.SEQ, this.seq);
    Atomics.notify(c, CTL.SEQ);
    let err: unknown = null;
    for (;;) {
      const k = Atomics.load(c, CTL.CTR);
      const i = (k - base) | 0;
      if (i < 0 || i >= n) break;
      if (Atomics.compareExchange(c, CTL.CTR, k, (k + 1) | 0) !== k) continue;
      try {
        const rc = local(jobs[i]!.fn, resolve(jobs[i]!)) || 0;
        if (rc) Atomics.compareExchange(c, CTL.RC, 0, rc);
      } catch (e) {
        err ??= e;
      }
      Atomics.add(c, CTL.DONE, 1);
    }
    const lost = this.waitChunks(doneBase, n, jobs);
    if (lost.length) {
      const { t, i } = lost[0]!;
      const e = new WorkerError(
        `wasm backend: worker thread ${t} died while running kernel '${JOB_NAMES[jobs[i]!.fn]}' (chunk ${i + 1} of ${n}; ${this.reason(t)}), so this op's result is lost. ` +
          'The pool restarts the worker; later ops run normally (run this one again)',
      );
      for (const l of lost) this.slots[l.t]!.surfaced = true;
      this.reap();
      throw e;
    }
    const failed = Atomics.load(c, CTL.FAIL);
    if (failed) {
      const t = failed - 1;
      err ??= new WorkerError(`wasm backend: kernel '${JOB_NAMES[c[CTL.FAILFN]!]}' threw on worker thread ${t}: ${this.message(t) ?? 'unknown error'}`);
      Atomics.store(c, CTL.MSG + t * MSG_INTS, 0);
    }
    if (err) throw err;
    return Atomics.load(c, CTL.RC);
  }

  /** Stop the workers (they are unref'd on Node: an open pool never keeps a process alive). */
  close(): void {
    this.closed = true;
    Atomics.store(this.c, CTL.STOP, 1);
    Atomics.notify(this.c, CTL.SEQ);
    for (const s of this.slots) s?.handle?.terminate();
  }

  /** Wait for the op's chunks; returns those lost with a dead worker (empty when all finished). */
  private waitChunks(doneBase: number, n: number, jobs: readonly PoolJob[]): { t: number; i: number }[] {
    const c = this.c, seq = this.seq;
    const t0 = performance.now();
    // spin first (workers usually end within microseconds of the caller; a futex sleep + wake costs
    // tens of microseconds), then sleep in bounded slices
    let nextCheck = t0 + LIVENESS_MS, notice = t0 + SLOW_NOTICE_MS;
    const spinUntil = t0 + 2;
    for (;;) {
      const d = Atomics.load(c, CTL.DONE), done = (d - doneBase) | 0;
      if (done >= n) return [];
      const lost = this.lostChunks(seq);
      if (done + lost.length >= n) return lost;
      const now = performance.now();
      if (now >= nextCheck) {
        this.checkLiveness(seq);
        nextCheck = now + LIVENESS_MS;
      }
      if (now >= notice) {
        notice = Infinity;
        const held = this.holders(seq).map(({ t, i }) => `worker thread ${t} on kernel '${JOB_NAMES[jobs[i]!.fn]}' (chunk ${i + 1} of ${n})`);
        this.report(`fastgrad: wasm backend: still waiting after ${SLOW_NOTICE_MS / 1000} s for ${held.join(', ') || 'a worker thread'}`);
      }
      if (now >= spinUntil && this.spawner.canBlock) Atomics.wait(c, CTL.DONE, d, 50);
    }
  }

  /** Workers holding a chunk of op `seq`: alive ones (holders) or dead ones (lostChunks). */
  private holders(seq: number, dead = false): { t: number; i: number }[] {
    const c = this.c, out: { t: number; i: number }[] = [];
    for (let t = 1; t <= this.n; t++) {
      const h = Atomics.load(c, CTL.HOLD + t);
      if (h > 0 && Atomics.load(c, CTL.HSEQ + t) === seq && Atomics.load(c, CTL.STATE + t) < 0 === dead) out.push({ t, i: h - 1 });
    }
    return out;
  }

  private lostChunks(seq: number): { t: number; i: number }[] {
    return this.holders(seq, true);
  }

  /** Mark dead the holders of op `seq` whose OS thread is gone (a kill they could not report). */
  private checkLiveness(seq: number): void {
    for (const { t } of this.holders(seq)) {
      if (this.spawner.alive(Atomics.load(this.c, CTL.OSTID + t)) !== false) continue;
      this.setMessage(t, 'its thread is gone: it was killed');
      Atomics.store(this.c, CTL.STATE + t, STATE.DEAD);
    }
  }

  /** From the event loop: worker t's handle `h` stopped (code) or failed (message). */
  private gone(t: number, h: WorkerHandle | null, code: number, message: string | null): void {
    const slot = this.slots[t];
    if (this.closed || !slot || slot.handle !== h) return; // a replaced worker's late event
    const st = Atomics.load(this.c, CTL.STATE + t);
    if (message) this.setMessage(t, message);
    if (st >= 0) {
      // it could not say so itself (killed, or its script never ran)
      Atomics.store(this.c, CTL.EXIT + t, code);
      Atomics.store(this.c, CTL.STATE + t, st === STATE.READY ? STATE.DEAD : STATE.FAILED);
    }
    this.reap();
  }

  /** Replace dead workers, reporting each death once (unless an op's WorkerError already did). */
  private reap(): void {
    if (this.closed) return;
    for (let t = 1; t <= this.n; t++) {
      const st = Atomics.load(this.c, CTL.STATE + t), slot = this.slots[t]!;
      if (st >= 0 || slot.retired) continue;
      const what = `${st === STATE.FAILED ? 'failed to start' : 'stopped'} (${this.reason(t)})`;
      slot.handle?.terminate();
      slot.handle = null;
      if (slot.restarts < MAX_RESTARTS) {
        // said once per thread: a worker that keeps failing at start-up does not repeat itself
        if (!slot.surfaced && slot.restarts === 0) this.report(`fastgrad: wasm worker thread ${t} ${what}; restarting it`);
        slot.restarts++;
        this.spawn(t);
      } else {
        slot.retired = true;
        this.report(`fastgrad: wasm worker thread ${t} ${what}; not restarting it again (${MAX_RESTARTS} restarts): running on ${this.liveThreads} threads`);
      }
    }
  }

  private spawn(t: number, fault?: WorkerFault): void {
    const c = this.c;
    for (const w of [CTL.HOLD, CTL.HSEQ, CTL.OSTID, CTL.EXIT]) Atomics.store(c, w + t, 0);
    Atomics.store(c, CTL.MSG + t * MSG_INTS, 0);
    Atomics.store(c, CTL.STATE + t, STATE.STARTING);
    const slot = (this.slots[t] ??= { handle: null, restarts: 0, surfaced: false, retired: false });
    slot.surfaced = false;
    const init: WorkerInit = { ...this.init, tid: t, wsPtr: this.workspaces[t]!, iterPtr: this.iterPtrs[t - 1]!, ...(fault ? { fault } : {}) };
    let h: WorkerHandle | null = null;
    try {
      h = this.spawner.spawn(init, (code, message) => this.gone(t, h, code, message));
    } catch (e) {
      this.setMessage(t, `could not create it: ${e instanceof Error ? e.message : String(e)}`);
      Atomics.store(c, CTL.STATE + t, STATE.FAILED);
    }
    slot.handle = h;
  }

  /** Worker t's last error message, or null. */
  private message(t: number): string | null {
    const m = CTL.MSG + t * MSG_INTS, len = Atomics.load(this.c, m);
    return len > 0 ? String.fromCharCode(...this.c.subarray(m + 1, m + 1 + Math.min(len, MSG_INTS - 1))) : null;
  }

  private setMessage(t: number, s: string): void {
    if (this.message(t)) return; // the worker's own account comes first
    const m = CTL.MSG + t * MSG_INTS, text = s.slice(0, MSG_INTS - 1);
    for (let i = 0; i < text.length; i++) this.c[m + 1 + i] = text.charCodeAt(i);
    Atomics.store(this.c, m, text.length);
  }

  /** Why worker t is dead: its message, else its exit code. */
  private reason(t: number): string {
    return this.message(t) ?? `exit code ${Atomics.load(this.c, CTL.EXIT + t)}`;
  }
}
