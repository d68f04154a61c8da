// Small built-in callbacks: train/eval switching (fastai's TrainEvalCallback), stopping on a non-finite
// loss (TerminateOnNaNCallback, made loud), and gathering predictions for getPreds (GatherPredsCallback).
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { FastgradError } from '../errors.js';
import { cat } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import { Callback, CancelFitException } from './callback.js';
import type { BatchAt, LossChecker } from './recorder.js';

/** fastai's TrainEvalCallback: model.train()/eval(), `learn.training` and the training counters. */
export class TrainEvalCallback extends Callback {
  override batchScoped = true;
  override order = -10;
  afterCreate(): void {
    this.learn.nEpoch = 1;
  }
  beforeFit(): void {
    if (this.learn.validationOnly) return;
    this.learn.epoch = 0;
    this.learn.trainIter = 0;
    this.learn.pctTrain = 0;
  }
  beforeTrain(): void {
    this.learn.model.train();
    this.learn.training = true;
  }
  beforeValidate(): void {
    this.learn.model.eval();
    this.learn.training = false;
  }
  afterBatch(): void {
    if (!this.learn.training) return;
    this.learn.pctTrain += 1 / (this.learn.nIter * this.learn.nEpoch);
    this.learn.trainIter++;
  }
}

/** Raised (by `fit`) when the training loss becomes nan/inf: it says where and at which lr. */
export class NonFiniteLossError extends FastgradError {
  override name = 'NonFiniteLossError';
}

/**
 * Stop on a nan/inf training loss. Order −9 as fastai's TerminateOnNaNCallback; unlike fastai (which
 * stops quietly) `fit` then throws a NonFiniteLossError naming the epoch, batch and lr of the first
 * non-finite loss. It checks each loss as the Recorder reads it (a LossChecker), before the Recorder
 * records it, so the bad batch and those after it are not recorded.
 *
 * NOTE: losses stay on the device until the Recorder reads them, every `readEvery` batches (default 16)
 * and at the end of each training phase (Note [When the Recorder reads]), so training may run up to
 * readEvery - 1 batches past the bad one before it stops; the error says both batches. Use
 * `readEvery: 1` to stop at the bad batch itself.
 */
export class TerminateOnNaN extends Callback implements LossChecker {
  override batchScoped = true;
  override order = -9;
  checkLoss(value: number, at: BatchAt): void {
    if (Number.isFinite(value)) return;
    const l = this.learn;
    const late = l.epoch !== at.epoch || l.iter !== at.iter ? ` (seen when the losses were read, at epoch ${l.epoch}, batch ${l.iter})` : '';
    const err = new NonFiniteLossError(
      `loss became ${value} at epoch ${at.epoch}, batch ${at.iter} (lr ${at.lr}): training stopped${late}. Try a lower learning rate or check the inputs for nan.`,
    );
    throw new CancelFitException(err.message, { cause: err });
  }
}

/** Collects predictions, targets and (optionally) inputs of every batch, in order (fastai's GatherPredsCallback). */
export class GatherPredsCallback extends Callback {
  override batchScoped = true;
  override runTrain = false;
  private preds: Tensor[] = [];
  private targs: Tensor[] = [];
  private inputs: Tensor[] = [];
  constructor(readonly withInput = false) {
    super();
  }
  beforeValidate(): void {
    this.preds = [];
    this.targs = [];
    this.inputs = [];
  }
  afterBatch(): void {
    const l = this.learn;
    this.preds.push((l.pred as Tensor).detach());
    if (l.yb.length) this.targs.push(l.yb[0]!);
    if (this.withInput) this.inputs.push(l.xb[0]!);
  }
  all(): { preds: Tensor; targs: Tensor | null; inputs: Tensor | null } {
    if (!this.preds.length) throw new FastgradError('getPreds: the loader gave no batches');
    return {
      preds: cat(this.preds),
      targs: this.targs.length === this.preds.length ? cat(this.targs) : null,
      inputs: this.inputs.length ? cat(this.inputs) : null,
    };
  }
}
