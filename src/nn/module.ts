// nn.Module: the parameter/buffer/submodule protocol of torch.nn.Module.
//
// Registration: a field holding a Parameter or a Module is found by walking the instance's own
// properties in definition order (so `this.fc = new Linear(2, 3)` just works, as PyTorch's
// __setattr__ makes it); buffers are registered explicitly with `registerBuffer` because a plain
// tensor field is not necessarily state. Names are dotted (`0.weight`), as in PyTorch's state_dict.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { noGrad } from '../autograd/grad_mode.js';
import { FastgradError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor that is a module parameter (a leaf that requires grad by default), like nn.Parameter. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape.slice(), data.strides.slice(), data.offset);
    if (requiresGrad) this.requiresGrad_(true);
  }
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export type ForwardHook = (module: Module, input: unknown[], output: unknown) => unknown;

export class StateDictError extends FastgradError {
  override name = 'StateDictError';
}

export type ForwardPreHook = (module: Module, input: unknown[]) => unknown[] | void;

/** What `registerForwardHook` returns: `remove()` unregisters the hook (a second call is a no-op). */
export interface RemovableHandle {
  remove: () => void;
}

const FLOAT_DTYPES: readonly string[] = ['float32', 'float64'];

function removable<T>(list: T[], item: T): RemovableHandle {
  list.push(item);
  return {
    remove: () => {
      const i = list.indexOf(item);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

const join = (prefix: string, k: string): string => (prefix ? `${prefix}.${k}` : k);

export abstract class Module {
  training = true;
  private readonly _bufferNames: string[] = [];
  private readonly _nonPersistent = new Set<string>();
  private readonly _extraModules = new Map<string, Module | null>();
  private readonly _forwardHooks: ForwardHook[] = [];
  private readonly _forwardPreHooks: ForwardPreHook[] = [];

  /** The computation; call the module through `call()` so hooks run. */
  abstract forward(...inputs: any[]): any;

  /** module(x): runs the forward pre-hooks, forward, then the forward hooks (torch's __call__). */
  call(...inputs: any[]): any {
    for (const h of [...this._forwardPreHooks]) {
      const r = h(this, inputs);
      if (r !== undefined) inputs = r;
    }
    let out = this.forward(...inputs);
    for (const h of [...this._forwardHooks]) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /** hook(module, inputs, output) after forward; a non-undefined return replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return removable(this._forwardHooks, hook);
  }
  /** hook(module, inputs) before forward; a returned array replaces the inputs. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return removable(this._forwardPreHooks, hook);
  }

  /**
   * A tensor that is state but not a parameter (running statistics): it becomes the field `name`, is moved
   * by `to()`, and is in `stateDict()` unless `persistent` is false. Reassigning the field replaces it.
   */
  registerBuffer(name: string, t: Tensor | null, persistent = true): void {
    if (name.includes('.') || name === '') throw new FastgradError(`registerBuffer: buffer name can't contain "." or be empty, got "${name}"`);
    if (!this._bufferNames.includes(name)) this._bufferNames.push(name);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = t;
  }

  /** Register a parameter under a name (the same as assigning the field). */
  registerParameter(name: string, p: Parameter | null): void {
    (this as Record<string, unknown>)[name] = p;
  }

  /** Register a child under a name that is not a field (Sequential's '0', '1', ...). */
  registerModule(name: string, m: Module | null): void {
    this._extraModules.set(name, m);
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => !k.startsWith('_'));
  }

  /** Direct parameters of this module (not of children), in field order. */
  namedOwnParameters(): [string, Parameter][] {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Direct buffers of this module (null ones left out), in registration order. */
  namedOwnBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const k of this._bufferNames) {
      const b = (this as Record<string, unknown>)[k];
      if (b instanceof Tensor) out.push([k, b]);
    }
    return out;
  }

  /** Every registered child slot (a module held twice appears twice): what repr and stateDict walk. */
  private childSlots(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) out.push([k, v]);
    for (const [k, v] of this._extraModules) if (v) out.push([k, v]);
    return out;
  }

  /** Direct submodules by name; a module held twice is listed once (torch's memo). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this.childSlots().filter(([, m]) => !seen.has(m) && Boolean(seen.add(m)));
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, pre-order; a module reachable twice is listed once (torch's memo). */
  namedModules(prefix = '', memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) for (const e of m.namedModules(join(prefix, k), memo)) out.push(e); // no spread: any count
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters by dotted name (`0.weight`), in torch's order; shared parameters are listed once. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const seen = new Set<Tensor>();
    const out: [string, Parameter][] = [];
    const mods = recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]];
    for (const [mp, m] of mods)
      for (const [k, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([join(mp, k), p]);
      }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Number of parameter elements (only those that require grad with `trainable`). */
  numParameters(trainable = false): number {
    return this.parameters().filter((p) => !trainable || p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
  }

  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    const mods = recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]];
    for (const [mp, m] of mods)
      for (const [k, b] of m.namedOwnBuffers()) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([join(mp, k), b]);
      }
    return out;
  }
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** train(true) / train(false), recursively (Dropout and BatchNorm read `training`). */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Set requiresGrad on every parameter (torch's requires_grad_; fastai's freeze uses it). */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Call fn on every submodule then this one (torch's apply, e.g. for init). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Set parameter grads to null (default, like torch ≥ 2.0) or zero them. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else p.grad.zero_();
    }
  }

  /**
   * `to('wasm')` moves every parameter, gradient and buffer to a device; `to('float64')` casts the floating
   * ones. Parameters keep their identity (their storage is replaced, like torch's `param.data = ...`), so an
   * optimizer built before still holds them (its state is not moved).
   */
  to(target: string): this {
    const move = (t: Tensor): void => {
      if (FLOAT_DTYPES.includes(target) && !FLOAT_DTYPES.includes(t.dtype)) return;
      const moved = noGrad(() => t.to(target));
      if (moved !== t) t.data = moved.detach();
    };
    for (const p of this.parameters()) {
      move(p);
      if (p.grad) move(p.grad);
    }
    for (const b of this.buffers()) move(b);
    return this;
  }

  /** Parameters and persistent buffers by dotted name, detached (same storage, like torch). */
  stateDict(prefix = '', sd = new Map<string, Tensor>()): Map<string, Tensor> {
    // NOTE: no memo here, as torch: a module or parameter shared under two names is saved under both.
    for (const [k, p] of this.namedOwnParameters()) sd.set(join(prefix, k), p.detach());
    for (const [k, b] of this.namedOwnBuffers()) if (!this._nonPersistent.has(k)) sd.set(join(prefix, k), b.detach());
    for (const [k, m] of this.childSlots()) m.stateDict(join(prefix, k), sd);
    return sd;
  }

  /**
   * Copy values in. Missing and unexpected keys (strict mode) and shape mismatches (always) are reported
   * together in one StateDictError worded as torch's, and nothing is copied then.
   */
  loadStateDict(sd: Map<string, Tensor> | Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    // torch's order and wording (trailing spaces included); shapes print as fastgrad prints them
    if (strict && missingKeys.length) problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (strict && unexpectedKeys.length) problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    for (const [k, t] of own) {
      const v = src.get(k);
      if (v && !(v instanceof Tensor)) problems.push(`While copying the parameter named "${k}", expected a Tensor, got ${typeof v}.`);
      else if (v && (v.ndim !== t.ndim || v.shape.some((s, i) => s !== t.shape[i])))
        problems.push(`size mismatch for ${k}: copying a param with shape ${fmtShape(v.shape)} from checkpoint, the shape in current model is ${fmtShape(t.shape)}.`);
    }
    if (problems.length) throw new StateDictError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join('\n\t')}`);
    noGrad(() => {
      for (const [k, t] of own) {
        const v = src.get(k);
        if (v) t.copy_(v.to(t.device));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text inside the parentheses of the repr (e.g. `in_features=784, ...`). */
  extraRepr(): string {
    return '';
  }

  /** console.log(model) prints the repr, as Python's print(model). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** PyTorch's module repr (nn.Module.__repr__). */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.childSlots().map(([k, m]) => `(${k}): ${String(m).split('\n').join('\n  ')}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (extraLines.length === 1 && !childLines.length) s += extraLines[0];
    else if (lines.length) s += `\n  ${lines.join('\n  ')}\n`;
    return `${s})`;
  }
}

/** Check an input's trailing dim (clear errors before a matmul deep in the stack fails); names both shapes. */
export function checkFeatures(x: Tensor, weight: Tensor, layer: string): void {
  const expected = weight.shape[weight.ndim - 1]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== expected)
    throw new ShapeError(
      `${layer}: input shape ${fmtShape(x.shape)} does not fit weight shape ${fmtShape(weight.shape)}: ` +
        `the input's last dim must be in_features=${expected}, got ${x.ndim ? x.shape[x.ndim - 1] : 'a 0-d tensor'}`,
    );
}
