// Recording the graph: an op calls record/record1 with its inputs, outputs and vector-Jacobian product,
// and gets a Node (../tensor/node.ts: the node class lives with the tensors that point to it) attached
// to its outputs when grad mode is on and an input requires grad.
import type { DType } from '../tensor/dtype.js';
import { type BackwardFn, type Edge, Node } from '../tensor/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad_mode.js';

export { Node, type BackwardFn, type Edge, type OutputMeta } from '../tensor/node.js';

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

const isFloatDtype = (d: DType): boolean => d === 'float32' || d === 'float64' || (d as string) === 'float16';

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
  /** Other tensors the backward closure uses (index tensors, masks): no version check, but memory scopes keep them. */
  captured: readonly (Tensor | null | undefined)[] = [],
): T {
  if (!needsGrad(inputs)) return outputs;
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const node = new Node(name, inputs.map((t) => (t ? gradEdge(t) : null)), backward, saved, outs.length);
  node.outputMeta = outs.map((o) => ({ shape: o.shape.slice(), dtype: o.dtype }));
  node._setRefs(inputs, outs as readonly Tensor[], captured);
  outs.forEach((o, i) => {
    if (!isFloatDtype(o.dtype)) return; // int/bool outputs never carry grad
    o.requiresGrad = true;
    o.gradFn = node;
    o.outputNr = i;
  });
  node._noteSavedProducers();
  return outputs;
}

/** Single-output convenience: backward gets the output grad directly (never null). */
export function record1(
  name: string,
  inputs: readonly (Tensor | null)[],
  out: Tensor,
  backward: (g: Tensor, saved: Tensor[]) => (Tensor | null)[],
  saved: readonly Tensor[] = [],
  captured: readonly (Tensor | null | undefined)[] = [],
): Tensor {
  return record(name, inputs, out, (gs, s) => backward(gs[0]!, s), saved, captured);
}
