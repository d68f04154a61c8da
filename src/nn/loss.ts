// Loss modules (torch.nn.MSELoss, CrossEntropyLoss, ...): thin wrappers over F with the options kept as
// fields; class weights are buffers, so they are in stateDict() and move with to(), as in torch.
import type { Tensor } from '../tensor/tensor.js';
import * as F from './functional.js';
import { Module } from './module.js';

abstract class Loss extends Module {
  readonly reduction: F.Reduction;
  constructor(opts: F.LossOpts = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
  /** The loss as a plain function (for `lossFunc`). */
  get fn(): (input: Tensor, target: Tensor) => Tensor {
    return (input, target) => this.call(input, target) as Tensor;
  }
}

/** nn.L1Loss */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** nn.MSELoss */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** nn.NLLLoss (input: log-probabilities). */
export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(opts: F.NllOpts = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight: this.weight ?? undefined });
  }
}

/** nn.CrossEntropyLoss (input: raw scores; target: class indices or probabilities). */
export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: F.CrossEntropyOpts = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      reduction: this.reduction, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing, weight: this.weight ?? undefined,
    });
  }
}

/** nn.BCELoss (input: probabilities). */
export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(opts: F.BceOpts = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.weight ?? undefined });
  }
}

/** nn.BCEWithLogitsLoss (input: raw scores). */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;
  constructor(opts: F.BceWithLogitsOpts = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('posWeight', opts.posWeight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      reduction: this.reduction, weight: this.weight ?? undefined, posWeight: this.posWeight ?? undefined,
    });
  }
}
