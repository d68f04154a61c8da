// The autograd graph node a tensor points to (`t.gradFn`, PyTorch's grad_fn). An op records one Node
// (named like PyTorch's, e.g. 'MulBackward0') holding the tensors it saved and its vector-Jacobian
// product, written with differentiable tensor ops so that double backward works. Leaves get an
// AccumulateGrad node, as in PyTorch.
// NOTE: the node is data the tensor holds (like its storage), so it lives in the tensor layer and
// `t.gradFn` keeps its exact type; the machinery that builds graphs (record, ../autograd/node.ts) and
// runs them (../autograd/engine.ts) stays in autograd/, which re-exports Node.
import { AutogradError } from '../errors.js';
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

export interface Edge {
  node: Node;
  outputNr: number;
}

/** grads of the outputs (null = no gradient flowed) → grads of the inputs (null = not needed). */
export type BackwardFn = (grads: (Tensor | null)[], saved: Tensor[]) => (Tensor | null)[];

/** Shape and dtype of one forward output: what the gradient arriving for it must look like. */
export interface OutputMeta {
  shape: readonly number[];
  dtype: DType;
}

interface Saved {
  t: Tensor;
  version: number;
  /** torch's "which is output 0 of ExpBackward0", filled once the producer is known */
  producer: string | null;
}

export class Node {
  released = false;
  /** Non-leaf tensors that asked for `.retainGrad()`, by output number. */
  retained: Map<number, Tensor> | null = null;
  /** Shape/dtype of each output (null for AccumulateGrad: the leaf itself is the reference). */
  outputMeta: OutputMeta[] | null = null;
  private savedTensors: Saved[] | null;
  /**
   * The op's input and output tensors. NOTE: only so that a memory scope's walk (tidy.ts) finds every
   * tensor the backward closure may capture besides `saved` (its inputs, its result); released with it.
   */
  private refs: readonly (readonly (Tensor | null | undefined)[])[] | null = null;
  private readonly hadSaved: boolean;
  private fn: BackwardFn | null;

  constructor(
    readonly name: string,
    readonly next: (Edge | null)[],
    fn: BackwardFn | null,
    saved: readonly Tensor[],
    readonly numOutputs = 1,
    /** for AccumulateGrad: the leaf */
    readonly variable: Tensor | null = null,
  ) {
    this.fn = fn;
    this.hadSaved = saved.length > 0;
    this.savedTensors = saved.map((t) => ({ t, version: t.storage.version, producer: producerOf(t) }));
  }

  /** @internal see `refs`. */
  _setRefs(inputs: readonly (Tensor | null)[], outputs: readonly Tensor[], captured: readonly (Tensor | null | undefined)[]): void {
    this.refs = [inputs, outputs, captured]; // the arrays as given: nothing copied per op
  }

  /** PyTorch's grad_fn.name(). */
  toString(): string {
    return this.name;
  }

  /** PyTorch's next_functions: [node, outputNr] pairs (null where an input needs no grad). */
  get nextFunctions(): [Node | null, number][] {
    return this.next.map((e) => (e ? [e.node, e.outputNr] : [null, 0]));
  }

  /** The shape/dtype a gradient for output `nr` must have. */
  metaOf(nr: number): OutputMeta | null {
    if (this.variable) return { shape: this.variable.shape, dtype: this.variable.dtype };
    return this.outputMeta?.[nr] ?? null;
  }

  /** @internal fill in "output k of XBackward" for saved tensors that were outputs of this node. */
  _noteSavedProducers(): void {
    for (const s of this.savedTensors ?? []) s.producer ??= producerOf(s.t);
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released)
      throw new AutogradError(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed): ` +
          `the saved values of ${this.name} were freed after the first backward. Pass {retainGraph: true} to the first backward() ` +
          `(or grad()) if you need to backward through the graph a second time.`,
      );
    const saved = this.savedTensors!.map((s) => {
      if (s.t.storage.version !== s.version)
        throw new AutogradError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[${s.t.dtype} [${s.t.shape.join(', ')}]]${s.producer ? `, which is ${s.producer},` : ''} saved by ${this.name}, ` +
            `is at version ${s.t.storage.version}; expected version ${s.version} instead. ` +
            `Use an out-of-place op (or .clone() the tensor) before modifying it.`,
        );
      return s.t;
    });
    return this.fn ? this.fn(grads, saved) : [];
  }

  /**
   * Free the saved tensors after a backward without retainGraph. As in torch, a node that saved
   * nothing can be run again; one that saved tensors throws on a second backward.
   */
  release(): void {
    if (this.variable || !this.hadSaved) return; // AccumulateGrad and save-nothing nodes stay usable
    this.released = true;
    this.savedTensors = null;
    this.refs = null;
    this.fn = null; // drop the closure too, so captured tensors can be collected
  }
}

function producerOf(t: Tensor): string | null {
  return t.gradFn ? `output ${t.outputNr} of ${t.gradFn.name}` : null;
}
