// The backward engine: topological order from the roots, gradient buffers per node output, then each
// node's vector-Jacobian product. Leaves accumulate into `.grad` (AccumulateGrad). The graph is freed
// afterwards unless retainGraph is set.
import { AutogradError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BackwardOptions } from '../tensor/types.js';
import { noGrad, isGradEnabled, setGradEnabled } from './grad_mode.js';
import { type Edge, type Node, type OutputMeta, gradEdge } from './node.js';

export type { BackwardOptions };

function topoOrder(roots: Node[]): Node[] {
  const seen = new Set<Node>();
  const post: Node[] = [];
  const stack: [Node, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
  }
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

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** True when `shape` broadcasts to `target` (so a gradient of `target` can be summed down to it). */
function expandableTo(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  const lead = target.length - shape.length;
  return shape.every((s, i) => s === 1 || s === target[i + lead]);
}

/** Sum a broadcast gradient down to `shape` (torch's InputMetadata::reduce_grad), differentiably. */
function reduceGrad(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return (dims.length ? g.sum(dims, true) : g).reshape(shape);
}

/**
 * torch's validate_outputs: a gradient must match the shape of what it is the gradient of (a
 * broadcastable one is summed down), and is cast to that tensor's dtype.
 */
function validateGrad(g: Tensor, meta: OutputMeta | null, what: () => string): Tensor {
  if (!meta) return g;
  let r = g;
  if (!sameShape(r.shape, meta.shape)) {
    if (!expandableTo(meta.shape, r.shape))
      throw new ShapeError(`${what()}: got a gradient of shape ${fmtShape(r.shape)} but expected shape compatible with ${fmtShape(meta.shape)}`);
    r = reduceGrad(r, meta.shape);
  }
  if (r.dtype !== meta.dtype) r = r.to(meta.dtype);
  return r;
}

/** The gradient buffer of node n (one slot per output), created on first use. */
function bufferIn(buffers: Map<Node, (Tensor | null)[]>, n: Node): (Tensor | null)[] {
  let b = buffers.get(n);
  if (!b) buffers.set(n, (b = new Array<Tensor | null>(n.numOutputs).fill(null)));
  return b;
}

function accumulate(buf: (Tensor | null)[], i: number, g: Tensor): void {
  const have = buf[i];
  buf[i] = have ? have.add(g) : g;
}

/**
 * Which nodes must run for autograd.grad: those from which a captured edge can be reached (torch's
 * exec_info). Nodes below every captured input are skipped, so they are neither run nor freed.
 */
function neededNodes(order: Node[], targets: ReadonlySet<Node>): Set<Node> {
  const reach = new Set<Node>();
  const run = new Set<Node>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (n.next.some((e) => e && reach.has(e.node))) run.add(n);
    if (targets.has(n) || run.has(n)) reach.add(n);
  }
  return run;
}

/** `t.backward(gradient)`: a non-scalar output needs an explicit `gradient` of the same shape. */
export function backward(t: Tensor, gradient: Tensor | null | undefined, opts: BackwardOptions): void {
  if (!t.requiresGrad) throw new AutogradError('element 0 of tensors does not require grad and does not have a grad_fn');
  let g = gradient ?? null;
  if (!g) {
    if (t.numel() !== 1) throw new AutogradError(`grad can be implicitly created only for scalar outputs (this output has shape ${fmtShape(t.shape)}); pass a gradient`);
    g = noGrad(() => t.onesLike());
  }
  runBackward([t], [g], opts);
}

/**
 * Run backward from `roots` seeded with `grads`. With `capture`, gradients arriving at those edges are
 * returned instead of accumulated into leaves (autograd.grad).
 */
export function runBackward(roots: Tensor[], grads: Tensor[], opts: BackwardOptions = {}, capture?: Edge[]): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? createGraph;
  if (grads.length !== roots.length)
    throw new AutogradError(`backward: got ${grads.length} gradients for ${roots.length} outputs; pass one gradient per output`);
  const buffers = new Map<Node, (Tensor | null)[]>();
  const bufferOf = bufferIn.bind(null, buffers); // NOTE: not a named closure: tsx (esbuild keepNames) would name it on every call
  const rootNodes: Node[] = [];
  roots.forEach((r, k) => {
    const e = gradEdge(r);
    if (!e) throw new AutogradError(`element ${k} of tensors does not require grad and does not have a grad_fn`);
    const g = grads[k]!;
    if (!sameShape(g.shape, r.shape))
      throw new ShapeError(`backward: Mismatch in shape: gradient (grad_output[${k}]) has shape ${fmtShape(g.shape)} but the output (output[${k}]) has shape ${fmtShape(r.shape)}`);
    const seed = g.dtype === r.dtype ? g : noGrad(() => g.to(r.dtype));
    accumulate(bufferOf(e.node), e.outputNr, validateGrad(seed, e.node.metaOf(e.outputNr), () => `backward: the gradient for output ${k}`));
    rootNodes.push(e.node);
  });
  const order = topoOrder(rootNodes);
  const captured: (Tensor | null)[] = capture ? capture.map(() => null) : [];
  const run = capture ? neededNodes(order, new Set(capture.map((c) => c.node))) : null;
  const prevMode = isGradEnabled();
  setGradEnabled(createGraph);
  try {
    for (const node of order) {
      const buf = buffers.get(node);
      if (!buf) continue;
      buffers.delete(node);
      if (node.retained) for (const [nr, t] of node.retained) if (buf[nr]) t.grad = createGraph ? buf[nr]!.clone() : noGrad(() => buf[nr]!.clone());
      if (capture) {
        capture.forEach((c, i) => {
          if (c.node === node && buf[c.outputNr]) captured[i] = buf[c.outputNr]!;
        });
        if (!run!.has(node)) continue;
      }
      if (node.variable) {
        if (!capture) accumulateLeaf(node.variable, buf[0]!, createGraph);
        continue;
      }
      const inGrads = node.apply(buf);
      if (!retain) node.release();
      if (inGrads.length !== node.next.length)
        throw new AutogradError(`function ${node.name} returned an incorrect number of gradients (expected ${node.next.length}, got ${inGrads.length})`);
      node.next.forEach((e, i) => {
        const g = inGrads[i];
        if (!e || !g) return;
        if (run && !run.has(e.node) && !capture!.some((c) => c.node === e.node)) return;
        const v = validateGrad(g, e.node.metaOf(e.outputNr), () => `Function ${node.name} returned an invalid gradient at index ${i}`);
        accumulate(bufferOf(e.node), e.outputNr, v);
      });
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured;
}

function accumulateLeaf(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  if (!sameShape(g.shape, leaf.shape))
    throw new ShapeError(`internal: gradient of shape ${fmtShape(g.shape)} for a leaf of shape ${fmtShape(leaf.shape)}`);
  if (leaf.grad === null) {
    // NOTE: store a fresh contiguous copy so later in-place accumulation never aliases a graph tensor
    // (with createGraph the copy is itself recorded, as torch's clone_obey_contract).
    leaf.grad = createGraph ? g.clone() : noGrad(() => g.detach().clone());
  } else if (createGraph) leaf.grad = leaf.grad.add(g);
  else noGrad(() => leaf.grad!.add_(g));
}
