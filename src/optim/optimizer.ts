// Optimizers the fastai way: an Optimizer holds param groups with per-group hyper-parameters
// (lr, mom, sqrMom, eps, wd) that schedulers change between steps (fit_one_cycle), and a per-parameter
// state. SGD and Adam follow fastai's formulas (fastai/optimizer.py), including decoupled weight decay.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { noGrad } from '../autograd/grad_mode.js';
import { FastgradError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export interface Hypers {
  lr: number;
  mom: number;
  sqrMom: number;
  eps: number;
  wd: number;
  /** fastai's decouple_wd: true → p *= 1 - lr*wd (AdamW style); false → L2 added to the gradient. */
  decoupleWd: boolean;
}

export interface ParamGroup {
  params: Tensor[];
  hypers: Hypers;
}

type StepFn = (p: Tensor, grad: Tensor, state: Map<string, unknown>, h: Hypers) => void;

/** A param group as given to an optimizer: its parameters and any hyper-parameters that differ from the defaults. */
export type ParamGroupArg = { params: Iterable<Tensor> } & Partial<Hypers>;
export type ParamsArg = Tensor[] | ParamGroupArg[] | Iterable<Tensor>;

const HYPER_KEYS: readonly (keyof Hypers)[] = ['lr', 'mom', 'sqrMom', 'eps', 'wd', 'decoupleWd'];

export class Optimizer {
  readonly paramGroups: ParamGroup[];
  readonly state = new Map<Tensor, Map<string, unknown>>();

  constructor(params: ParamsArg, defaults: Hypers, private readonly stepFn: StepFn) {
    const list = [...(params as Iterable<Tensor | ParamGroupArg>)];
    if (list.length === 0) throw new FastgradError('optimizer got an empty parameter list');
    const isGroup = (x: Tensor | ParamGroupArg): x is ParamGroupArg => !(x instanceof Tensor) && typeof x === 'object' && x !== null && 'params' in x;
    if (list.some(isGroup) && !list.every(isGroup))
      throw new FastgradError('optimizer params must be all tensors or all param groups ({params, lr?, ...}), not a mix');
    const groups: ParamGroupArg[] = list.every(isGroup) ? list : [{ params: list as Tensor[] }];
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      // a tensor listed twice in one group is stepped once (torch warns); across groups it is an error, as torch
      const ps = [...new Set(g.params)];
      for (const p of ps) {
        if (!(p instanceof Tensor)) throw new FastgradError(`optimizer param group ${gi} holds a ${typeof p}, expected tensors`);
        if (seen.has(p)) throw new FastgradError('some parameters appear in more than one parameter group');
        seen.add(p);
      }
      const hypers = { ...defaults };
      for (const k of HYPER_KEYS) if (g[k] !== undefined) (hypers as Record<string, unknown>)[k] = g[k];
      return { params: ps, hypers };
    });
  }

  /** All parameters in group order. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Set a hyper-parameter in every group (a number) or per group (an array, as fastai's slices). */
  setHyper<K extends keyof Hypers>(key: K, value: Hypers[K] | Hypers[K][]): void {
    this.paramGroups.forEach((g, i) => {
      g.hypers[key] = Array.isArray(value) ? (value[Math.min(i, value.length - 1)] as Hypers[K]) : value;
    });
  }

  get lr(): number {
    return this.paramGroups[this.paramGroups.length - 1]!.hypers.lr;
  }

  /** Apply one update to every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups)
        for (const p of g.params) {
          if (!p.grad) continue;
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = new Map()));
          this.stepFn(p, p.grad, st, g.hypers);
        }
    });
  }

  /** Clear gradients: null them (default) or zero them in place. */
  zeroGrad(setToNone = true): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else p.grad.zero_();
    }
  }

  /** Hypers and state for checkpoints (parameters are referenced by position). */
  stateDict(): { groups: Hypers[]; state: [number, Record<string, unknown>][] } {
    const ps = this.params;
    return {
      groups: this.paramGroups.map((g) => ({ ...g.hypers })),
      state: [...this.state].map(([p, st]) => [ps.indexOf(p), Object.fromEntries(st)]),
    };
  }

  loadStateDict(sd: { groups: Hypers[]; state: [number, Record<string, unknown>][] }): void {
    if (sd.groups.length !== this.paramGroups.length)
      throw new FastgradError(`optimizer state has ${sd.groups.length} param groups, this optimizer has ${this.paramGroups.length}`);
    sd.groups.forEach((h, i) => Object.assign(this.paramGroups[i]!.hypers, h));
    const ps = this.params;
    this.state.clear();
    for (const [i, st] of sd.state) this.state.set(ps[i]!, new Map(Object.entries(st)));
  }
}

/**
 * Whether a backend's fused step (Backend.sgdStep / adamStep: one kernel, bit-identical to the op
 * sequence it replaces) can take these tensors: float32, one device, contiguous and whole-sized alike.
 */
function fusable(...ts: Tensor[]): boolean {
  const be = ts[0]!.storage.backend, n = ts[0]!.numel();
  for (const t of ts) {
    if (t.dtype !== 'float32' || t.storage.backend !== be || t.numel() !== n || !t.isContiguous()) return false;
  }
  // NOTE: no tensor may alias another's memory (the kernel reads and writes them element by element)
  for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) if (ts[i]!.storage === ts[j]!.storage) return false;
  return true;
}

/** The in-place writes of a fused step, for autograd's saved-tensor checks. */
function bump(...ts: Tensor[]): void {
  for (const t of ts) t.storage.version++;
}

function weightDecay(p: Tensor, grad: Tensor, h: Hypers): Tensor {
  if (!h.wd) return grad;
  if (h.decoupleWd) {
    p.mul_(1 - h.lr * h.wd);
    return grad;
  }
  return grad.add(p.mul(h.wd));
}

export interface SGDOpts {
  lr?: number;
  mom?: number;
  wd?: number;
  decoupleWd?: boolean;
}

/** fastai's SGD: optional decoupled wd, momentum without dampening (grad_avg = mom·avg + grad). */
export class SGD extends Optimizer {
  constructor(params: ParamsArg, opts: SGDOpts = {}) {
    const h: Hypers = { lr: opts.lr ?? 1e-3, mom: opts.mom ?? 0, sqrMom: 0, eps: 0, wd: opts.wd ?? 0, decoupleWd: opts.decoupleWd ?? true };
    super(params, h, (p, grad, st, hy) => {
      const g = weightDecay(p, grad, hy);
      if (hy.mom) {
        let avg = st.get('gradAvg') as Tensor | undefined;
        if (!avg) st.set('gradAvg', (avg = g.zerosLike()));
        const be = p.storage.backend;
        if (be.sgdStep && fusable(p, g, avg)) {
          be.sgdStep(p, g, avg, hy.lr, hy.mom);
          bump(p, avg);
          return;
        }
        avg.mul_(hy.mom).add_(g);
        p.sub_(avg.mul(hy.lr));
      } else {
        const be = p.storage.backend;
        if (be.sgdStep && fusable(p, g)) {
          be.sgdStep(p, g, null, hy.lr, 0);
          bump(p);
          return;
        }
        p.sub_(g.mul(hy.lr));
      }
    });
  }
}

export interface AdamOpts {
  lr?: number;
  mom?: number;
  sqrMom?: number;
  eps?: number;
  wd?: number;
  decoupleWd?: boolean;
}

/** fastai's Adam (defaults mom 0.9, sqr_mom 0.99, eps 1e-5, wd 0.01 decoupled), with bias correction. */
export class Adam extends Optimizer {
  constructor(params: ParamsArg, opts: AdamOpts = {}) {
    const h: Hypers = {
      lr: opts.lr ?? 1e-3, mom: opts.mom ?? 0.9, sqrMom: opts.sqrMom ?? 0.99, eps: opts.eps ?? 1e-5, wd: opts.wd ?? 0.01, decoupleWd: opts.decoupleWd ?? true,
    };
    super(params, h, (p, grad, st, hy) => {
      const g = weightDecay(p, grad, hy);
      let avg = st.get('gradAvg') as Tensor | undefined;
      let sqr = st.get('sqrAvg') as Tensor | undefined;
      if (!avg) st.set('gradAvg', (avg = g.zerosLike()));
      if (!sqr) st.set('sqrAvg', (sqr = g.zerosLike()));
      const step = ((st.get('step') as number | undefined) ?? 0) + 1;
      st.set('step', step);
      const be = p.storage.backend;
      if (be.adamStep && fusable(p, g, avg, sqr)) {
        be.adamStep(p, g, avg, sqr, { lr: hy.lr, mom: hy.mom, sqrMom: hy.sqrMom, eps: hy.eps, debias1: 1 - hy.mom ** step, debias2: 1 - hy.sqrMom ** step });
        bump(p, avg, sqr);
        return;
      }
      avg.mul_(hy.mom).add_(g.mul(1 - hy.mom));
      sqr.mul_(hy.sqrMom).add_(g.mul(g).mul(1 - hy.sqrMom));
      const debias1 = 1 - hy.mom ** step, debias2 = 1 - hy.sqrMom ** step;
      p.sub_(avg.div(sqr.div(debias2).sqrt().add(hy.eps)).mul(hy.lr / debias1));
    });
  }
}

/** fastai-style optimizer factory: `optFunc(params, lr)`. */
export type OptFunc = (params: ParamsArg, lr: number) => Optimizer;
export const sgd = (opts: Omit<SGDOpts, 'lr'> = {}): OptFunc => (params, lr) => new SGD(params, { ...opts, lr });
export const adam = (opts: Omit<AdamOpts, 'lr'> = {}): OptFunc => (params, lr) => new Adam(params, { ...opts, lr });
