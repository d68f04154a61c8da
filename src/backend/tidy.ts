// fg.tidy / fg.keep: deterministic release of intermediates (DESIGN.md "Tensor and memory"). A tidy
// opens an allocation scope on every backend that has them (wasm; the reference cpu backend has none,
// so there tidy just calls fn), runs fn, and frees every storage allocated meanwhile except those
// still wanted: the ones under fn's result, under the caller's `keep` roots, or marked with keep().
//
// Note [What a tidy keeps]: "still wanted" is found by walking objects, not by reachability (JS cannot
// tell): Tensors (their storage, and their .grad's), arrays, Maps, Sets and the own enumerable fields
// of objects, to any depth, each object once (a long array that starts and ends with a primitive is
// not entered: training histories of numbers). A walk that meets more than WALK_LIMIT objects stops and
// the tidy frees nothing (safe, merely not tidy). A tensor used after its tidy freed it throws a clear
// error (wasm: "this tensor's memory was freed ...").
import type { Backend, Storage } from './backend.js';
import { liveBackends } from './backend.js';

/** Storages that outlive every tidy (fg.keep); weak, so they are still freed when forgotten. */
const kept = new WeakSet<Storage>();
const WALK_LIMIT = 200_000;

interface TensorLike {
  storage: Storage;
  grad?: TensorLike | null;
}
const isTensorLike = (v: object): v is TensorLike => {
  const s = (v as { storage?: { backend?: unknown } }).storage;
  return typeof s === 'object' && s !== null && typeof s.backend === 'object' && 'shape' in v && 'strides' in v;
};

/**
 * Add to `into` the storage of every tensor under `roots` (see Note [What a tidy keeps]); objects in
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
      continue;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) continue;
    if (Array.isArray(v)) {
      // NOTE: a long array that starts and ends with a primitive is taken to hold no objects (a
      // Recorder's losses, lrs...), so the walk does not grow with the length of training
      const k = v.length;
      if (k > 16 && (typeof v[0] !== 'object' || v[0] === null) && (typeof v[k - 1] !== 'object' || v[k - 1] === null)) continue;
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
    } else if (v instanceof Map) {
      for (const [k, x] of v) stack.push(k, x);
    } else if (v instanceof Set) {
      for (const x of v) stack.push(x);
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return true;
}

/**
 * Keep tensors (anything holding them: arrays, objects) from being freed by the enclosing tidies; they
 * are then freed like any JS object, when forgotten (tfjs's tf.keep). Returns its argument.
 */
export function keep<T>(x: T): T {
  const s = new Set<Storage>();
  collectStorages([x], s);
  for (const st of s) kept.add(st);
  return x;
}

export interface TidyOptions {
  /** More roots whose tensors survive (walked when the tidy ends, so tensors created inside count). */
  keep?: () => readonly unknown[];
  /** Objects the walk must not enter (a Learner, whose per-batch fields are what the tidy frees). */
  skip?: readonly object[];
}

type Scoped = Backend & Required<Pick<Backend, 'openScope' | 'closeScope'>>;

/**
 * Run fn and free at once every intermediate it allocated (on backends with deterministic memory:
 * wasm), except the tensors in its result, those under `opts.keep()`, and those passed to keep().
 * fn may be async: the scope then stays open until its promise settles, so run nothing else that
 * allocates tensors meanwhile. Tidies nest. On the reference cpu backend it only calls fn.
 *
 *   const loss = fg.tidy(() => model.call(x).sub(y).square().mean());   // only `loss` survives
 */
export function tidy<T>(fn: () => T, opts: TidyOptions = {}): T {
  const scoped = liveBackends().filter(hasScopes);
  if (scoped.length === 0) return fn();
  for (const b of scoped) b.openScope();
  const scope = new Scope(scoped, opts);
  let out: T;
  try {
    out = fn();
  } catch (e) {
    scope.close(undefined);
    throw e;
  }
  if (out instanceof Promise) return out.then(scope.resolved.bind(scope), scope.rejected.bind(scope)) as T;
  scope.close(out);
  return out;
}

const hasScopes = (b: Backend): b is Scoped => typeof b.openScope === 'function' && typeof b.closeScope === 'function';

/** One open tidy. NOTE: methods, not closures: tsx (esbuild keepNames) names every closure per call. */
class Scope {
  private closed = false;
  private wanted: Set<Storage> | null = null;
  private all = false;
  private result: unknown;
  constructor(
    private readonly backends: Scoped[],
    private readonly opts: TidyOptions,
  ) {}

  close(result: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.result = result;
    const keep = this.keeps.bind(this);
    for (let i = this.backends.length - 1; i >= 0; i--) this.backends[i]!.closeScope(keep);
  }

  /** Whether storage s (allocated inside) survives: walks the result and roots on the first question. */
  keeps(s: Storage): boolean {
    if (kept.has(s)) return true;
    if (!this.wanted) {
      this.wanted = new Set();
      this.all = !collectStorages([this.result, ...(this.opts.keep?.() ?? [])], this.wanted, this.opts.skip);
    }
    return this.all || this.wanted.has(s);
  }

  resolved<V>(v: V): V {
    this.close(v);
    return v;
  }

  rejected(e: unknown): never {
    this.close(undefined);
    throw e;
  }
}
