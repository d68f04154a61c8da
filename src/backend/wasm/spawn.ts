// How the pool starts its workers: Node's worker_threads (created synchronously, so the default device
// can be wasm straight from `import`) or Web Workers on a Blob URL (the module and the shared memory go
// over postMessage). The pool (pool.ts) only sees this small interface.
import { nodeBuiltin } from './loader.js';
import { NODE_WORKER_SRC, WEB_WORKER_SRC, type WorkerInit } from './worker.js';

export interface WorkerHandle {
  terminate(): void;
}

export interface Spawner {
  readonly kind: 'node' | 'web';
  /** Whether the calling thread may block in Atomics.wait (a page's main thread may not: it spins). */
  readonly canBlock: boolean;
  /**
   * Start a worker on `init`. `gone(code, message)` runs later, from the event loop, when it stops or
   * cannot start (never while an op blocks the caller: the control block reports those). Throws when
   * no worker can be created at all.
   */
  spawn(init: WorkerInit, gone: (code: number, message: string | null) => void): WorkerHandle;
  /**
   * Whether the OS thread `osTid` a worker reported still runs: true/false where the platform can tell
   * synchronously (Linux: /proc/self/task), else null. The watchdog's check for workers killed so
   * hard that they could not report it themselves.
   */
  alive(osTid: number): boolean | null;
}

/** worker_threads, or null where Node's built-ins cannot be had synchronously. */
export function nodeSpawner(): Spawner | null {
  const wt = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  if (!wt) return null;
  const proc = !!fs && process.platform === 'linux' && fs.existsSync('/proc/self/task');
  return {
    kind: 'node',
    canBlock: true,
    spawn(init, gone) {
      const w = new wt.Worker(NODE_WORKER_SRC, { eval: true, workerData: init });
      w.unref(); // never keep the process alive
      let message: string | null = null;
      w.on('error', (e) => void (message = e instanceof Error ? e.message : String(e)));
      w.on('exit', (code) => gone(code, message));
      return { terminate: () => void w.terminate().catch(() => {}) };
    },
    alive: (osTid) => (proc && osTid > 0 ? fs!.existsSync(`/proc/self/task/${osTid}`) : null),
  };
}

/** Web Workers on a Blob URL of the worker source, or null where there are none. */
export function webSpawner(): Spawner | null {
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return null;
  let url: string | null = null;
  return {
    kind: 'web',
    canBlock: canBlockHere(),
    spawn(init, gone) {
      url ??= URL.createObjectURL(new Blob([WEB_WORKER_SRC], { type: 'text/javascript' }));
      const w = new Worker(url, { name: `fastgrad-wasm-${init.tid}` });
      w.onerror = (e) => {
        e.preventDefault();
        gone(-1, e.message || 'the worker failed to load (a Content-Security-Policy without `worker-src blob:`?)');
      };
      w.onmessageerror = () => gone(-1, 'the worker could not receive the kernels (module or shared memory not transferable here)');
      w.postMessage(init);
      return { terminate: () => w.terminate() };
    },
    alive: () => null,
  };
}

/** Atomics.wait throws on a page's main thread (and where there is no SharedArrayBuffer). */
function canBlockHere(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
