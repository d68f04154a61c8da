// autograd.grad and the finite-difference gradient checker (torch.autograd.gradcheck).
import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { runBackward, type BackwardOptions } from './engine.js';
import { noGrad } from './grad_mode.js';
import { gradEdge } from './node.js';

/** torch.autograd.grad: gradients of `outputs` w.r.t. `inputs`, without touching `.grad`. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: BackwardOptions & { gradOutputs?: Tensor[]; allowUnused?: boolean } = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const seeds = opts.gradOutputs ?? outs.map((o) => {
    if (o.numel() !== 1) throw new AutogradError(`grad can be implicitly created only for scalar outputs (got shape [${o.shape.join(', ')}])`);
    return noGrad(() => o.onesLike());
  });
  const edges = ins.map((t) => {
    const e = gradEdge(t);
    if (!e) throw new AutogradError('One of the differentiated Tensors does not require grad');
    return e;
  });
  const res = runBackward(outs, seeds, opts, edges);
  if (!opts.allowUnused && res.some((r) => r === null))
    throw new AutogradError('One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.');
  return res;
}

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/**
 * Compare analytical gradients with central finite differences (inputs should be float64 leaves).
 * Throws with the worst mismatch; returns true when all agree.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  const out = fn(...inputs);
  const outFlat = noGrad(() => out.reshape([-1]).double().contiguous().dataSync().slice());
  const diffInputs = inputs.filter((t) => t.requiresGrad);
  // analytical Jacobian, one row per output element
  const analytical = diffInputs.map((t) => new Float64Array(t.numel() * outFlat.length));
  for (let o = 0; o < outFlat.length; o++) {
    const seed = noGrad(() => out.zerosLike().reshape([-1]));
    seed.set([o], 1);
    const gs = grad(out, diffInputs, { gradOutputs: [seed.reshape(out.shape)], retainGraph: true, allowUnused: true });
    gs.forEach((g, k) => {
      if (!g) return;
      const gv = noGrad(() => g.double().contiguous().dataSync());
      for (let i = 0; i < gv.length; i++) analytical[k]![i * outFlat.length + o] = gv[i]!;
    });
  }
  diffInputs.forEach((t, k) => {
    const n = t.numel();
    for (let i = 0; i < n; i++) {
      const perturb = (delta: number): Float64Array =>
        noGrad(() => {
          const flat = t.data.reshape([-1]);
          const orig = flat.get(i).item();
          flat.set([i], orig + delta);
          const r = fn(...inputs).reshape([-1]).double().contiguous().dataSync().slice() as Float64Array;
          flat.set([i], orig);
          return r;
        });
      const plus = perturb(eps), minus = perturb(-eps);
      for (let o = 0; o < outFlat.length; o++) {
        const num = (plus[o]! - minus[o]!) / (2 * eps);
        const ana = analytical[k]![i * outFlat.length + o]!;
        if (!(Math.abs(num - ana) <= atol + rtol * Math.abs(num)))
          throw new AutogradError(
            `gradcheck: Jacobian mismatch for input ${inputs.indexOf(t)} (shape [${t.shape.join(', ')}]), element ${i}, output ${o}: numerical ${num}, analytical ${ana}`,
          );
      }
    }
  });
  return true;
}
