// autograd.grad and the finite-difference gradient checkers (torch.autograd.gradcheck / gradgradcheck).
import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { runBackward, type BackwardOptions } from './engine.js';
import { enableGrad, noGrad } from './grad_mode.js';
import { gradEdge } from './node.js';

export interface GradOptions extends BackwardOptions {
  /** one per output; null (or omitted) means ones for a one-element output */
  gradOutputs?: (Tensor | null)[];
  /** return null for inputs the outputs do not depend on instead of throwing */
  allowUnused?: boolean;
}

/** torch.autograd.grad: gradients of `outputs` w.r.t. `inputs`, without touching `.grad`. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  if (opts.gradOutputs && opts.gradOutputs.length !== outs.length)
    throw new AutogradError(`grad: got ${opts.gradOutputs.length} gradOutputs for ${outs.length} outputs`);
  outs.forEach((o, k) => {
    if (!o.requiresGrad) throw new AutogradError(`element ${k} of tensors does not require grad and does not have a grad_fn`);
  });
  const seeds = outs.map((o, k) => {
    const given = opts.gradOutputs?.[k];
    if (given) return given;
    if (o.numel() !== 1) throw new AutogradError(`grad can be implicitly created only for scalar outputs (output ${k} has shape [${o.shape.join(', ')}]); pass gradOutputs`);
    return noGrad(() => o.onesLike());
  });
  const edges = ins.map((t, k) => {
    const e = gradEdge(t);
    if (!e) throw new AutogradError(`One of the differentiated Tensors (input ${k}) does not require grad`);
    return e;
  });
  const res = runBackward(outs, seeds, opts, edges);
  if (!opts.allowUnused && res.some((r) => r === null))
    throw new AutogradError('One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.');
  return res;
}

export interface GradcheckOptions {
  /** finite-difference step (torch: 1e-6) */
  eps?: number;
  atol?: number;
  rtol?: number;
}

type Outputs = Tensor | readonly Tensor[];
const asList = (o: Outputs): Tensor[] => (Array.isArray(o) ? [...(o as Tensor[])] : [o as Tensor]);
const isFloat = (t: Tensor): boolean => t.dtype === 'float32' || t.dtype === 'float64';

function flatValues(ts: readonly Tensor[]): Float64Array {
  const parts = ts.map((t) => noGrad(() => Float64Array.from(t.contiguous().dataSync() as ArrayLike<number>)));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

/** Row-major coordinates of flat element i of `shape`. */
function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/**
 * Compare analytical gradients with central finite differences, like torch.autograd.gradcheck.
 * `fn` may return one tensor or several (split, unbind); inputs should be float64 tensors (leaves or
 * leaf views, contiguous or not) and those with requiresGrad are checked. Throws an AutogradError
 * naming the worst entry; returns true when every Jacobian entry agrees within atol + rtol·|numerical|.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Outputs, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  const diffInputs = inputs.filter((t) => t.requiresGrad);
  if (diffInputs.length === 0) throw new AutogradError('gradcheck: expected at least one input tensor with requiresGrad');
  for (const t of diffInputs) {
    if (!isFloat(t)) throw new AutogradError(`gradcheck: input ${inputs.indexOf(t)} has dtype ${t.dtype}; only floating point inputs can be checked`);
    if (t.strides.some((s, d) => s === 0 && t.shape[d]! > 1))
      throw new AutogradError(`gradcheck: input ${inputs.indexOf(t)} has overlapping memory (an expanded view); pass a contiguous copy and expand inside fn`);
  }
  const outs = asList(fn(...inputs));
  const outFlat = flatValues(outs);
  const nOut = outFlat.length;
  // analytical Jacobian: one vector-Jacobian product per output element (J[i][o] = d out_o / d in_i)
  const analytical = diffInputs.map((t) => new Float64Array(t.numel() * nOut));
  const diffOuts = outs.filter((o) => o.requiresGrad && isFloat(o));
  let base = 0;
  for (const out of outs) {
    const n = out.numel();
    if (diffOuts.includes(out)) {
      for (let j = 0; j < n; j++) {
        const seeds = diffOuts.map((o) => noGrad(() => o.zerosLike()));
        const seed = seeds[diffOuts.indexOf(out)]!;
        noGrad(() => seed.set(coordsOf(j, out.shape), 1));
        const gs = grad(diffOuts, diffInputs, { gradOutputs: seeds, retainGraph: true, allowUnused: true });
        gs.forEach((g, k) => {
          if (!g) return;
          const t = diffInputs[k]!;
          if (g.shape.length !== t.shape.length || g.shape.some((s, d) => s !== t.shape[d]))
            throw new AutogradError(`gradcheck: gradient for input ${inputs.indexOf(t)} has shape [${g.shape.join(', ')}] but the input has shape [${t.shape.join(', ')}]`);
          if (g.dtype !== t.dtype) throw new AutogradError(`gradcheck: gradient for input ${inputs.indexOf(t)} has dtype ${g.dtype} but the input has dtype ${t.dtype}`);
          const gv = flatValues([g]);
          for (let i = 0; i < gv.length; i++) analytical[k]![i * nOut + base + j] = gv[i]!;
        });
      }
    }
    base += n;
  }
  // numerical Jacobian by central differences, perturbing each input element in place
  let worst: { err: number; msg: string } | null = null;
  diffInputs.forEach((t, k) => {
    const data = t.data;
    for (let i = 0; i < t.numel(); i++) {
      const at = coordsOf(i, t.shape);
      const orig = noGrad(() => data.get(...at).item());
      const evalAt = (v: number): Float64Array =>
        noGrad(() => {
          data.set(at, v);
          try {
            return flatValues(asList(fn(...inputs)));
          } finally {
            data.set(at, orig);
          }
        });
      const plus = evalAt(orig + eps), minus = evalAt(orig - eps);
      if (plus.length !== nOut) throw new AutogradError(`gradcheck: fn returned ${plus.length} values after perturbing input ${inputs.indexOf(t)}, expected ${nOut}`);
      for (let o = 0; o < nOut; o++) {
        const num = (plus[o]! - minus[o]!) / (2 * eps);
        const ana = analytical[k]![i * nOut + o]!;
        const err = Math.abs(num - ana);
        if (!(err <= atol + rtol * Math.abs(num)) && (!worst || !(err <= worst.err)))
          worst = {
            err: Number.isNaN(err) ? Infinity : err,
            msg: `gradcheck: Jacobian mismatch for input ${inputs.indexOf(t)} (shape [${t.shape.join(', ')}]) element ${i} [${at.join(', ')}], output element ${o}: numerical ${num}, analytical ${ana}`,
          };
      }
    }
  });
  if (worst) throw new AutogradError((worst as { msg: string }).msg);
  return true;
}

export interface GradgradcheckOptions extends GradcheckOptions {
  /** the vectors the first backward is seeded with (float64, requiresGrad); random when omitted */
  gradOutputs?: Tensor[];
}

/**
 * torch.autograd.gradgradcheck: gradcheck of the first derivative, i.e. of
 * (inputs, v) ↦ grad(fn(inputs), inputs, {gradOutputs: v, createGraph: true}), checking double
 * backward both w.r.t. the inputs and the seed vectors v.
 */
export function gradgradcheck(fn: (...xs: Tensor[]) => Outputs, inputs: Tensor[], opts: GradgradcheckOptions = {}): boolean {
  const n = inputs.length;
  const outs = enableGrad(() => asList(fn(...inputs))).filter((o) => o.requiresGrad && isFloat(o));
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const gos =
    opts.gradOutputs ??
    outs.map((o) =>
      noGrad(() => {
        const v = o.zerosLike('float64');
        for (let j = 0; j < o.numel(); j++) v.set(coordsOf(j, o.shape), rnd());
        return v.requiresGrad_();
      }),
    );
  const first = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = args.slice(0, n), vs = args.slice(n);
      const os = asList(fn(...xs)).filter((o) => o.requiresGrad && isFloat(o));
      const diff = xs.filter((t) => t.requiresGrad);
      const gs = grad(os, diff, { gradOutputs: vs.map((v, i) => v.to(os[i]!.dtype)), createGraph: true, allowUnused: true });
      return gs.map((g, i) => g ?? noGrad(() => diff[i]!.zerosLike()));
    });
  return gradcheck(first, [...inputs, ...gos], opts);
}
