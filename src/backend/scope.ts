// Memory scopes: which storages a tidy (or a MemoryScope) owns and frees. A leaf module: backends call
// noteAlloc/noteFree, tidy.ts and the Learner open scopes. See Note [Memory rules] in tidy.ts.
//
// Note [Scopes are synchronous]: a scope owns the storages allocated while it is *current*, and it is
// current only inside a synchronous `run(fn)` (tidy's fn, or one segment of the Learner's batch). So
// `current` is null whenever the event loop runs other work: a prediction a page makes while a training
// batch awaits its data, or a second Learner, is never captured by another task's scope. An async
// function cannot be a scope body (what it does after its first await would run outside the scope, and
// what another task does meanwhile inside it): such work opens a MemoryScope and runs its synchronous
// segments in it.
import { FastgradError } from '../errors.js';
import type { Storage } from './backend.js';

let current: MemoryScope | null = null;

/** Mark a storage as kept (fg.keep): no scope frees it; the GC still does once it is forgotten. */
export function markKept(s: Storage): void {
  s.kept = true;
}
export function isKept(s: Storage): boolean {
  return s.kept === true;
}

/**
 * Called by every backend for every storage it creates. Returns true when the current scope owns it
 * (the backend then need not register it with a FinalizationRegistry: the scope frees it or hands it
 * on with `trackForGc`).
 */
export function noteAlloc(s: Storage): boolean {
  if (tracking) track(s);
  if (current === null) return false;
  current.owned.push(s);
  return true;
}

/** Called by backends when a storage is freed (deterministically or by the GC). */
export function noteFree(s: Storage): void {
  if (tracker) untrack(s);
}

/**
 * An explicit allocation scope (tfjs's engine scope, made explicit so it can span awaits safely): it
 * owns the storages allocated inside its synchronous `run` calls, and `dispose` frees those that are not
 * kept. Scopes nest: one created while another is current hands what it keeps to that one.
 *
 *   const s = new MemoryScope();
 *   const x = s.run(() => loadBatch());          // owned by s
 *   await somethingElse();                       // allocations here are not s's
 *   const y = s.run(() => model.call(x).mean());
 *   s.dispose((st) => wanted.has(st));           // frees the rest
 */
export class MemoryScope {
  /** @internal storages allocated while this scope was current */
  owned: Storage[] = [];
  private readonly parent: MemoryScope | null;
  private disposed = false;

  constructor(readonly label = 'MemoryScope') {
    this.parent = current;
  }

  /** Run fn with this scope current (fn must be synchronous: see Note [Scopes are synchronous]). */
  run<T>(fn: () => T): T {
    if (this.disposed) throw new FastgradError(`${this.label}: run() after dispose()`);
    const prev = current;
    current = this;
    try {
      return fn();
    } finally {
      current = prev;
    }
  }

  /**
   * Free every owned storage that `keep` does not claim (and that keep() did not mark); kept ones go
   * to the enclosing scope, or, outside every scope, to the GC. Returns how many were freed.
   */
  dispose(keep: (s: Storage) => boolean = () => false): number {
    if (this.disposed) return 0;
    this.disposed = true;
    const list = this.owned;
    this.owned = [];
    const outer = this.parent && !this.parent.disposed ? this.parent : null;
    let freed = 0;
    // NOTE: the hot path of every tidy (thousands of storages per step): one flag, one predicate, one call
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.kept === true || keep(s)) {
        if (isFreed(s)) continue;
        if (outer) outer.owned.push(s);
        else s.backend.trackForGc?.(s);
      } else if (!isFreed(s)) {
        freeBy(s, this.label);
        freed++;
      }
    }
    return freed;
  }
}

/** Free s now, recording who did it (named in the use-after-free error). */
function freeBy(s: Storage, label: string): void {
  s.freedBy = label;
  s.backend.free(s); // the backend reports it with noteFree
}

/** Whether a storage was freed (its backend says so; storages of backends without free() never are). */
export function isFreed(s: Storage): boolean {
  return s.backend.isFreed?.(s) ?? false;
}

/** The message of a use-after-free error, naming what freed the storage and the fix. */
export function freedMessage(device: string, s: Storage): string {
  const by = s.freedBy;
  return (
    `${device} backend: this tensor's memory was freed${by ? ` by ${by}` : ''}: it was used after free(), or after the ` +
    `tidy() or MemoryScope that created it ended (the Learner frees each batch's tensors when the batch ends). ` +
    `Return it from the tidy function, store it where the scope looks (see the memory rules in the README), or keep(t) it`
  );
}

// ---- strict mode (tests): every live storage is tracked, so a harness can free and count them ----
// NOTE: weakly (WeakRefs), so tracking never keeps garbage alive: code that relies on the GC (and the
// wasm heap's reclaim before growing) behaves the same with the harness on.

let tracker: Set<WeakRef<Storage>> | null = null;
let tracking = false;
const refOf = new WeakMap<Storage, WeakRef<Storage>>();

function track(s: Storage): void {
  const r = new WeakRef(s);
  refOf.set(s, r);
  tracker!.add(r);
}
function untrack(s: Storage): void {
  const r = refOf.get(s);
  if (r) tracker!.delete(r);
}

/**
 * @internal Test harness support: track every storage allocated from now on, so `freeTracked` can free
 * what a test left behind. Off by default (costs a WeakRef per allocation when on).
 */
export function setStrictMemory(on: boolean): void {
  tracking = on;
  if (on) tracker ??= new Set();
}

/** @internal Live tracked storages (not freed, not collected), kept ones included. */
export function trackedStorages(): Storage[] {
  const out: Storage[] = [];
  for (const r of tracker ?? []) {
    const s = r.deref();
    if (s && !isFreed(s)) out.push(s);
    else tracker!.delete(r);
  }
  return out;
}

/**
 * @internal Free every live tracked storage accepted by `which` that is not kept (the harness's end of
 * a test); returns how many it freed per device.
 */
export function freeTracked(label: string, which: (s: Storage) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of trackedStorages()) {
    if (s.kept === true || !which(s)) continue;
    freeBy(s, label);
    out[s.backend.name] = (out[s.backend.name] ?? 0) + 1;
  }
  return out;
}
