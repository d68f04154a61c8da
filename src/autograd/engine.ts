// The backward engine: topological order from the roots, gradient buffers per node output, then each
// node's vector-Jacobian product. Leaves accumulate into `.grad` (AccumulateGrad). The graph is freed
// afterwards unless retainGraph is set.
import { AutogradError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled, noGrad, setGradEnabled } from './grad_mode.js';
import { type Edge, type Node, gradEdge } from './node.js';

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

function topoOrder(roots: Node[]): Node[] {
  const seen = new Set<Node>();
  const post: Node[] = [];
  const stack: [Node, number][] = roots.map((r) => [r, 0]);
  for (const r of roots) seen.add(r);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const e = node.next[i];
      if (e && !seen.has(e.node)) {
        seen.add(e.node);
        stack.push([e.node, 0]);
      }
    } else {
      stack.pop();
      post.push(node);
    }
  }
  return post.reverse();
}

function accumulate(buf: (Tensor | null)[], i: number, g: Tensor): void {
  const have = buf[i];
  buf[i] = have ? have.add(g) : g;
}

/**
 * Run backward from `roots` seeded with `grads`. With `capture`, gradients arriving at those edges are
 * returned instead of accumulated into leaves (autograd.grad).
 */
export function runBackward(roots: Tensor[], grads: Tensor[], opts: BackwardOptions = {}, capture?: Edge[]): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? createGraph;
  const buffers = new Map<Node, (Tensor | null)[]>();
  const rootNodes: Node[] = [];
  roots.forEach((r, k) => {
    const e = gradEdge(r);
    if (!e) throw new AutogradError('element 0 of tensors does not require grad and does not have a grad_fn');
    const g = grads[k]!;
    if (g.shape.length !== r.shape.length || g.shape.some((s, i) => s !== r.shape[i]))
      throw new ShapeError(`backward: gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(r.shape)}`);
    if (!buffers.has(e.node)) buffers.set(e.node, new Array(e.node.numOutputs).fill(null));
    accumulate(buffers.get(e.node)!, e.outputNr, g);
    rootNodes.push(e.node);
  });
  const captured: (Tensor | null)[] = capture ? capture.map(() => null) : [];
  const prevMode = isGradEnabled();
  setGradEnabled(createGraph);
  try {
    for (const node of topoOrder(rootNodes)) {
      const buf = buffers.get(node);
      if (!buf) continue;
      buffers.delete(node);
      if (capture) {
        let hit = false;
        capture.forEach((c, i) => {
          if (c.node === node && buf[c.outputNr]) (captured[i] = buf[c.outputNr]!), (hit = true);
        });
        if (hit && node.variable) continue;
      }
      if (node.retained) for (const [nr, t] of node.retained) if (buf[nr]) t.grad = noGrad(() => buf[nr]!.clone());
      if (node.variable) {
        if (!capture) accumulateLeaf(node.variable, buf[0]!, createGraph);
        continue;
      }
      const inGrads = node.apply(buf);
      if (!retain) node.release();
      node.next.forEach((e, i) => {
        const g = inGrads[i];
        if (!e || !g) return;
        if (!buffers.has(e.node)) buffers.set(e.node, new Array(e.node.numOutputs).fill(null));
        accumulate(buffers.get(e.node)!, e.outputNr, g);
      });
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured;
}

function accumulateLeaf(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  if (g.shape.length !== leaf.shape.length || g.shape.some((s, i) => s !== leaf.shape[i]))
    throw new ShapeError(`internal: gradient of shape ${fmtShape(g.shape)} for a leaf of shape ${fmtShape(leaf.shape)}`);
  if (leaf.grad === null) {
    // NOTE: store a fresh contiguous copy so later in-place accumulation never aliases a graph tensor.
    leaf.grad = createGraph ? g : noGrad(() => g.detach().clone());
  } else if (createGraph) leaf.grad = leaf.grad.add(g);
  else noGrad(() => leaf.grad!.add_(g));
}
