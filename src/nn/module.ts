// nn.Module: the parameter/buffer/submodule protocol of torch.nn.Module.
//
// Registration: a field holding a Parameter or a Module is found by walking the instance's own
// properties in definition order (so `this.fc = new Linear(2, 3)` just works, as PyTorch's
// __setattr__ makes it); buffers are registered explicitly with `registerBuffer` because a plain
// tensor field is not necessarily state. Names are dotted (`0.weight`), as in PyTorch's state_dict.
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

export abstract class Module {
  training = true;
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _extraModules = new Map<string, Module | null>();
  private readonly _forwardHooks: ForwardHook[] = [];

  /** The computation; call the module through `call()` so hooks run. */
  abstract forward(...inputs: any[]): any;

  /** module(x): runs forward and the forward hooks. */
  call(...inputs: any[]): any {
    let out = this.forward(...inputs);
    for (const h of this._forwardHooks) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  registerForwardHook(hook: ForwardHook): { remove: () => void } {
    this._forwardHooks.push(hook);
    return { remove: () => void this._forwardHooks.splice(this._forwardHooks.indexOf(hook), 1) };
  }

  registerBuffer(name: string, t: Tensor | null, persistent = true): void {
    this._buffers.set(name, t);
    if (!persistent) this._nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = t;
  }

  /** Register a child under a name that is not a field (Sequential's '0', '1', ...). */
  registerModule(name: string, m: Module | null): void {
    this._extraModules.set(name, m);
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => !k.startsWith('_'));
  }

  /** Direct parameters of this module (not of children). */
  namedOwnParameters(): [string, Parameter][] {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) out.push([k, v]);
    for (const [k, v] of this._extraModules) if (v) out.push([k, v]);
    return out;
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const seen = new Set<Tensor>();
    const out: [string, Parameter][] = [];
    const mods = recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]];
    for (const [mp, m] of mods)
      for (const [k, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue; // shared parameters are listed once, like torch
        seen.add(p);
        out.push([mp ? `${mp}.${k}` : k, p]);
      }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [mp, m] of this.namedModules(prefix))
      for (const [k, b] of m._buffers) if (b) out.push([mp ? `${mp}.${k}` : k, b]);
    return out;
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** train(true) / train(false), recursively (Dropout and BatchNorm read `training`). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
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

  /** Parameters and persistent buffers by dotted name, detached (same storage, like torch). */
  stateDict(): Map<string, Tensor> {
    const sd = new Map<string, Tensor>();
    for (const [mp, m] of this.namedModules()) {
      for (const [k, p] of m.namedOwnParameters()) sd.set(mp ? `${mp}.${k}` : k, p.detach());
      for (const [k, b] of m._buffers) if (b && !m._nonPersistent.has(k)) sd.set(mp ? `${mp}.${k}` : k, b.detach());
    }
    return sd;
  }

  /** Copy values in; strict mode reports missing and unexpected keys and shape mismatches together. */
  loadStateDict(sd: Map<string, Tensor> | Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !own.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of own) {
      const v = src.get(k);
      if (v && (v.ndim !== t.ndim || v.shape.some((s, i) => s !== t.shape[i])))
        mismatched.push(`size mismatch for ${k}: copying a param with shape ${fmtShape(v.shape)} from checkpoint, the shape in current model is ${fmtShape(t.shape)}.`);
    }
    const problems: string[] = [...mismatched];
    if (strict && missingKeys.length) problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && unexpectedKeys.length) problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
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

  /** PyTorch's module repr. */
  toString(): string {
    const kids = this.namedChildren();
    const extra = this.extraRepr();
    const name = this.constructor.name;
    if (!kids.length) return `${name}(${extra})`;
    const lines = extra ? [extra] : [];
    for (const [k, m] of kids) lines.push(`(${k}): ${String(m).split('\n').join('\n  ')}`);
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

/** Check an input's trailing dim (clear errors before a matmul deep in the stack fails). */
export function checkFeatures(x: Tensor, expected: number, layer: string): void {
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== expected)
    throw new ShapeError(`${layer}: expected input with last dim ${expected}, got shape ${fmtShape(x.shape)}`);
}
