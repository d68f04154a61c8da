// Graph nodes. An op records one Node (named like PyTorch's grad_fn, e.g. 'MulBackward0') holding the
// tensors it saved and its vector-Jacobian product, written with differentiable tensor ops so that
// double backward works. Leaves get an AccumulateGrad node, as in PyTorch.
import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad_mode.js';

export interface Edge {
  node: Node;
  outputNr: number;
}

/** grads of the outputs (null = no gradient flowed) → grads of the inputs (null = not needed). */
export type BackwardFn = (grads: (Tensor | null)[], saved: Tensor[]) => (Tensor | null)[];

interface Saved {
  t: Tensor;
  version: number;
}

export class Node {
  released = false;
  /** Non-leaf tensors that asked for `.retainGrad()`, by output number. */
  retained: Map<number, Tensor> | null = null;
  private savedTensors: Saved[] | null;

  constructor(
    readonly name: string,
    readonly next: (Edge | null)[],
    private readonly fn: BackwardFn | null,
    saved: readonly Tensor[],
    readonly numOutputs = 1,
    /** for AccumulateGrad: the leaf */
    readonly variable: Tensor | null = null,
  ) {
    this.savedTensors = saved.map((t) => ({ t, version: t.storage.version }));
  }

  /** PyTorch's grad_fn.name(). */
  toString(): string {
    return this.name;
  }

  /** PyTorch's next_functions: [node, outputNr] pairs (null where an input needs no grad). */
  get nextFunctions(): [Node | null, number][] {
    return this.next.map((e) => (e ? [e.node, e.outputNr] : [null, 0]));
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released)
      throw new AutogradError(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed): ` +
          `${this.name}'s saved values were freed after the first backward. Pass {retainGraph: true} to the first backward() if you need to backward twice.`,
      );
    const saved = this.savedTensors!.map((s, i) => {
      if (s.t.storage.version !== s.version)
        throw new AutogradError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `saved tensor ${i} of ${this.name} (shape [${s.t.shape.join(', ')}], ${s.t.dtype}) is at version ${s.t.storage.version}; expected version ${s.version} instead.`,
        );
      return s.t;
    });
    return this.fn ? this.fn(grads, saved) : [];
  }

  release(): void {
    if (this.variable) return; // AccumulateGrad holds no saved values
    this.released = true;
    this.savedTensors = null;
  }
}

/** The edge a gradient for `t` flows into: its grad_fn, or the AccumulateGrad of a leaf. */
export function gradEdge(t: Tensor): Edge | null {
  if (!t.requiresGrad) return null;
  if (t.gradFn) return { node: t.gradFn, outputNr: t.outputNr };
  return { node: t._accumulateNode(), outputNr: 0 };
}

/** True when an op on these inputs must record a node. */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Attach a backward node to freshly computed outputs when grad mode is on and an input requires grad.
 * `backward(grads, saved)` returns one gradient per input (same order as `inputs`).
 */
export function record<T extends Tensor | Tensor[]>(
  name: string,
  inputs: readonly (Tensor | null)[],
  outputs: T,
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): T {
  if (!needsGrad(inputs)) return outputs;
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const node = new Node(name, inputs.map((t) => (t ? gradEdge(t) : null)), backward, saved, outs.length);
  outs.forEach((o, i) => {
    if (o.dtype !== 'float32' && o.dtype !== 'float64') return; // int/bool outputs never carry grad
    o.requiresGrad = true;
    o.gradFn = node;
    o.outputNr = i;
  });
  return outputs;
}

/** Single-output convenience: backward gets the output grad directly (never null). */
export function record1(
  name: string,
  inputs: readonly (Tensor | null)[],
  out: Tensor,
  backward: (g: Tensor, saved: Tensor[]) => (Tensor | null)[],
  saved: readonly Tensor[] = [],
): Tensor {
  return record(name, inputs, out, (gs, s) => backward(gs[0]!, s), saved);
}
