// The source of a pool worker (pool.ts), as text: a Node worker_threads worker evaluates it, a browser
// starts a Web Worker on a Blob URL of it. One body, two preludes that give it its start-up data and
// the few things that differ (how it learns it is exiting, its OS thread id for the liveness check).
//
// Every worker instantiates the same compiled module on the same shared WebAssembly.Memory, so a job is
// just "call kernel f with these pointers": no data is copied. The control block (CTL, int32 words in
// that memory) is the only channel while an op runs: the calling thread is blocked then, so events
// ('exit', 'error', messages) cannot reach it. A worker therefore reports everything there: ready,
// the chunk it holds, a kernel that threw, its own death (any exception or exit it can catch), with a
// short message. See Note [Work sharing] and Note [Watchdog] in pool.ts.

/** Kernels a worker can run; a job names one by its index here. */
export const JOB_NAMES = ['matmul', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'sgemm', 'unary', 'binary', 'copy', 'sgemmPrepacked'] as const;

/** Chunks per op at most, and ints per chunk entry: [fn, nargs, ws arg index, scratch arg index, args...]. */
export const MAX_CHUNKS = 64;
export const ENTRY = 32;
export const MAX_WORKERS = 63;
/** Per-thread words (index = thread id, 0 = the caller) and the message area of each thread. */
const T = MAX_WORKERS + 1;
export const MSG_INTS = 96;
/** Control block, int32 indices. */
export const CTL = {
  SEQ: 0, // op number, bumped to publish an op
  CTR: 1, // chunk counter, claimed by compare-and-swap; only ever increases (mod 2^32)
  BASE: 2, // CTR value of the op's first chunk
  NCH: 3, // chunks of the op
  DONE: 4, // chunks finished (mod 2^32)
  RC: 5, // first nonzero kernel return code
  STOP: 6,
  FAIL: 7, // thread id + 1 of the first thread whose kernel threw in this op
  FAILFN: 8, // ... and the kernel
  STATE: 16, // per thread: STARTING, READY, DEAD (after ready), FAILED (before ready)
  HOLD: 16 + T, // per thread: chunk index + 1 of the chunk it runs, 0 when none
  HSEQ: 16 + 2 * T, // per thread: the op (SEQ) that chunk belongs to
  OSTID: 16 + 3 * T, // per thread: its OS thread id where the platform has one (Linux), else 0
  EXIT: 16 + 4 * T, // per thread: exit code once dead
  SCRATCH: 16 + 5 * T, // per thread: scratch block of the next op (setScratch)
  MSG: 16 + 6 * T, // per thread: [length, char codes...] of its last error
} as const;
export const CTL_INTS = CTL.MSG + T * MSG_INTS;
export const CTL_BYTES = CTL_INTS * 4;
export const TABLE_BYTES = MAX_CHUNKS * ENTRY * 4;
export const STATE = { STARTING: 0, READY: 1, DEAD: -1, FAILED: -2 } as const;

/** Test-only faults a worker can be started with (test/backend/pool-watchdog.test.ts). */
export type WorkerFault = 'exit-before-ready' | 'throw-at-start' | 'exit-in-chunk' | 'throw-in-chunk' | 'kill-in-chunk';

/** What a worker is started with (workerData in Node, the first message on the web). */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctlPtr: number;
  tablePtr: number;
  tid: number;
  wsPtr: number;
  iterPtr: number;
  spinMs: number;
  names: readonly string[];
  fault?: WorkerFault;
}

// `env`: onExit(f) (f(code) runs when the worker exits), exit(code), kill() (an exit the worker does
// not report: test-only), osThreadId().
const BODY = `function fastgradWorker(d, env) {
  const c = new Int32Array(d.memory.buffer, d.ctlPtr, ${CTL_INTS});
  const tab = new Int32Array(d.memory.buffer, d.tablePtr, ${TABLE_BYTES / 4});
  const t = d.tid;
  let ready = false, fault = d.fault || null;
  const say = (e) => {
    const s = String((e && e.message) || e).slice(0, ${MSG_INTS - 1}), m = ${CTL.MSG} + t * ${MSG_INTS};
    for (let i = 0; i < s.length; i++) c[m + 1 + i] = s.charCodeAt(i);
    Atomics.store(c, m, s.length);
  };
  const die = (why, code) => {
    if (Atomics.load(c, ${CTL.STATE} + t) < 0 || Atomics.load(c, ${CTL.STOP})) return;
    if (!Atomics.load(c, ${CTL.MSG} + t * ${MSG_INTS})) say(why);
    Atomics.store(c, ${CTL.EXIT} + t, code);
    Atomics.store(c, ${CTL.STATE} + t, ready ? ${STATE.DEAD} : ${STATE.FAILED});
    Atomics.notify(c, ${CTL.DONE});
    Atomics.notify(c, ${CTL.STATE} + t);
  };
  env.onExit((code) => die('exited with code ' + code, code));
  try {
    c[${CTL.OSTID} + t] = env.osThreadId();
    if (fault === 'exit-before-ready') env.exit(3);
    if (fault === 'throw-at-start') throw new Error('injected fault at start-up');
    const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('wasm abort'); } } }).exports;
    ex.setIterBase(d.iterPtr);
    const fns = d.names.map((n) => ex[n]);
    ready = true;
    Atomics.store(c, ${CTL.STATE} + t, ${STATE.READY});
    Atomics.notify(c, ${CTL.STATE} + t);
    let seen = Atomics.load(c, ${CTL.SEQ});
    for (;;) {
      let cur = Atomics.load(c, ${CTL.SEQ});
      if (cur === seen && !Atomics.load(c, ${CTL.STOP})) {
        const until = performance.now() + d.spinMs;
        while ((cur = Atomics.load(c, ${CTL.SEQ})) === seen && performance.now() < until);
        while ((cur = Atomics.load(c, ${CTL.SEQ})) === seen && !Atomics.load(c, ${CTL.STOP})) Atomics.wait(c, ${CTL.SEQ}, seen);
      }
      if (Atomics.load(c, ${CTL.STOP})) break;
      seen = cur;
      const base = Atomics.load(c, ${CTL.BASE}), n = Atomics.load(c, ${CTL.NCH});
      if (Atomics.load(c, ${CTL.SEQ}) !== seen) continue; // a newer op was posted meanwhile: take that one
      for (;;) {
        const k = Atomics.load(c, ${CTL.CTR});
        const i = (k - base) | 0;
        if (i < 0 || i >= n) break;
        if (Atomics.compareExchange(c, ${CTL.CTR}, k, (k + 1) | 0) !== k) continue;
        Atomics.store(c, ${CTL.HSEQ} + t, seen);
        Atomics.store(c, ${CTL.HOLD} + t, i + 1);
        const e = i * ${ENTRY}, f = tab[e], na = tab[e + 1], args = new Array(na);
        for (let j = 0; j < na; j++) args[j] = tab[e + 4 + j];
        if (tab[e + 2] >= 0) args[tab[e + 2]] = d.wsPtr;
        if (tab[e + 3] >= 0) args[tab[e + 3]] = c[${CTL.SCRATCH} + t];
        let rc = 0, inject = null;
        if (fault && fault.endsWith('-in-chunk')) (inject = fault), (fault = null); // once per worker
        if (inject === 'exit-in-chunk') env.exit(1);
        if (inject === 'kill-in-chunk') env.kill();
        try {
          if (inject === 'throw-in-chunk') throw new Error('injected fault in a chunk');
          rc = fns[f](...args) | 0;
        } catch (err) {
          if (Atomics.compareExchange(c, ${CTL.FAIL}, 0, t + 1) === 0) { c[${CTL.FAILFN}] = f; say(err); }
        }
        if (rc) Atomics.compareExchange(c, ${CTL.RC}, 0, rc);
        Atomics.add(c, ${CTL.DONE}, 1);
        Atomics.store(c, ${CTL.HOLD} + t, 0);
        Atomics.notify(c, ${CTL.DONE});
      }
    }
  } catch (e) {
    die(e, -1);
  }
}`;

/** Node (worker_threads, eval: true): the data comes as workerData. */
export const NODE_WORKER_SRC = `
const { workerData } = require('node:worker_threads');
${BODY}
fastgradWorker(workerData, {
  onExit: (f) => process.on('exit', f),
  exit: (code) => process.exit(code),
  kill: () => { process.removeAllListeners('exit'); process.exit(9); },
  osThreadId: () => {
    try {
      const m = /\\/task\\/(\\d+)$/.exec(require('node:fs').readlinkSync('/proc/thread-self'));
      return m ? Number(m[1]) : 0;
    } catch { return 0; }
  },
});
`;

/** Web Worker (classic script on a Blob URL): the data comes as the first message. */
export const WEB_WORKER_SRC = `
${BODY}
self.onmessage = (ev) => {
  self.onmessage = null;
  fastgradWorker(ev.data, {
    onExit: () => {},
    exit: (code) => { self.close(); throw new Error('exited with code ' + code); },
    kill: () => { self.close(); throw new Error('killed'); },
    osThreadId: () => 0,
  });
};
`;
