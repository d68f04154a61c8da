// fg.tidy / fg.keep / MemoryScope: deterministic release of intermediates (DESIGN.md "Tensor and memory").
//
// Note [Memory rules]: what a user must do, and what the library does for them.
// - Tensors are freed by the garbage collector when forgotten (a FinalizationRegistry on wasm), which
//   is slow to notice: in a loop, wrap each step in `tidy(() => ...)` (synchronous) and every storage
//   the step allocated is freed when it returns, except what is still wanted:
//   * its result, with everything under it: tensors in arrays/objects/Maps/Sets, a tensor's `.grad`,
//     and its autograd graph (the tensors its backward needs, so `tidy(() => f(x)).backward()` works);
//   * anything under `opts.keep()` roots (a model, an optimizer: parameters, buffers, state, grads);
//   * anything passed to `keep(t)` (freed by the GC once forgotten).
//   A tensor created inside and kept only in a closure or a module variable is NOT seen: return it,
//   or keep() it. Using a freed tensor throws UseAfterFreeError (on every backend, the reference one too).
// - Scopes are synchronous (Note [Scopes are synchronous] in scope.ts): `tidy(async () => ...)` throws;
//   async code creates a MemoryScope and runs its synchronous parts in `scope.run(...)`, then
//   `scope.dispose(keep)`. Nothing another task allocates meanwhile is ever captured.
// - The Learner does this for each batch (Note [Per-batch scope] in learner/learner.ts): user code
//   never has to tidy a fit; callbacks that keep batch tensors store them in their own fields.
//
// Note [What a walk keeps]: "still wanted" is found by walking objects, not by reachability (JS cannot
// tell): Tensors (their storage, .grad, and gradFn graph: each node's saved and captured tensors),
// arrays, Maps, Sets and the own enumerable fields of objects, to any depth, each object once (a long
// array that starts and ends with a primitive is not entered: training histories of numbers). A walk
// that meets more than WALK_LIMIT objects stops and the scope frees nothing (safe, merely not tidy).
import { FastgradError } from '../errors.js';
import type { Storage } from './backend.js';
import { MemoryScope, markKept } from './scope.js';

const WALK_LIMIT = 200_000;

interface TensorLike {
  storage: Storage;
  grad?: TensorLike | null;
  gradFn?: object | null;
}
const isTensorLike = (v: object): v is TensorLike => {
  const s = (v as { storage?: { backend?: unknown } }).storage;
  return typeof s === 'object' && s !== null && typeof s.backend === 'object' && 'shape' in v && 'strides' in v;
};

/**
 * Add to `into` the storage of every tensor under `roots` (see Note [What a walk keeps]); objects in
 * `skip` are not entered. Returns false when the walk gave up (too many objects).
 */
export function collectStorages(roots: readonly unknown[], into: Set<Storage>, skip: readonly object[] = []): boolean {
  const seen = new Set<object>(skip);
  const stack: unknown[] = [...roots];
  let n = 0;
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (++n > WALK_LIMIT) return false;
    if (isTensorLike(v)) {
      into.add(v.storage);
      if (v.grad) stack.push(v.grad);
      if (v.gradFn) stack.push(v.gradFn); // a graph node: its fields hold the tensors backward needs
      continue;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) continue;
    if (Array.isArray(v)) {
      // NOTE: a long array that starts and ends with a primitive is taken to hold no objects (a
      // Recorder's losses, lrs...), so the walk does not grow with the length of training
      const k = v.length;
      if (k > 16 && (typeof v[0] !== 'object' || v[0] === null) && (typeof v[k - 1] !== 'object' || v[k - 1] === null)) continue;
      for (let i = 0; i < k; i++) if (typeof v[i] === 'object' && v[i] !== null) stack.push(v[i]);
    } else if (v instanceof Map) {
      for (const [key, x] of v) stack.push(key, x);
    } else if (v instanceof Set) {
      for (const x of v) stack.push(x);
    } else {
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return true;
}

/**
 * A keep-predicate for MemoryScope.dispose: true for storages under `roots()` (walked once, on the
 * first question, so tensors created up to the dispose count). A walk that gives up keeps everything.
 */
export function keepUnder(roots: () => readonly unknown[], skip: readonly object[] = []): (s: Storage) => boolean {
  let wanted: Set<Storage> | null = null;
  let all = false;
  return (s) => {
    if (!wanted) {
      wanted = new Set();
      all = !collectStorages(roots(), wanted, skip);
    }
    return all || wanted.has(s);
  };
}

/**
 * Keep tensors (anything holding them: arrays, objects, with their graphs) from being freed by any
 * scope; they are then freed like any JS object, when forgotten (tfjs's tf.keep). Returns its argument.
 */
export function keep<T>(x: T): T {
  const s = new Set<Storage>();
  collectStorages([x], s);
  for (const st of s) markKept(st);
  return x;
}

export interface TidyOptions {
  /** More roots whose tensors survive (walked when the tidy ends, so tensors created inside count). */
  keep?: () => readonly unknown[];
  /** Objects the walk must not enter. */
  skip?: readonly object[];
}

/**
 * Run the synchronous `fn` and free at once every storage it allocated, on every backend, except the
 * tensors under its result (with their autograd graphs), under `opts.keep()`, and those passed to
 * keep() (Note [Memory rules]). Tidies nest: what an inner one keeps, the outer one owns.
 *
 *   const loss = fg.tidy(() => model.call(x).sub(y).square().mean());   // only `loss` (and its graph) survive
 *   loss.backward();
 */
export function tidy<T>(fn: () => T, opts: TidyOptions = {}): T {
  if (typeof fn !== 'function') throw new FastgradError(`tidy: expected a function, got ${typeof fn}`);
  const scope = new MemoryScope('tidy()');
  let out: T;
  try {
    out = scope.run(fn);
  } catch (e) {
    scope.dispose();
    throw e;
  }
  if (isThenable(out)) {
    // what fn does after its first await would run outside the scope (and others' work inside it):
    // free nothing, refuse the call
    scope.dispose(() => true);
    void Promise.resolve(out).catch(() => {});
    throw new FastgradError(
      'tidy: fn returned a Promise; tidy takes a synchronous function (what an async function does after ' +
        'an await would escape the scope, and other tasks would allocate into it). Tidy the synchronous ' +
        'steps inside it instead, or use a MemoryScope: `const s = new MemoryScope(); s.run(() => ...); ... s.dispose(keep)`',
    );
  }
  scope.dispose(keepUnder(() => [out, ...(opts.keep?.() ?? [])], opts.skip));
  return out;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
