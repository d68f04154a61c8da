// Learner: fastai's training loop (learner.py) — fit → epoch → train/validate → batch, each wrapped
// in `withEvents` so callbacks see before/after/afterCancel events and can cancel any phase.
import { isGradEnabled, noGrad, setGradEnabled } from '../autograd/grad_mode.js';
import { FastgradError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { type OptFunc, type Optimizer, adam } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/movement.js';
import {
  Callback, CancelBackwardException, CancelBatchException, CancelEpochException, CancelException, CancelFitException,
  CancelStepException, CancelTrainException, CancelValidException, EVENTS, type Event,
} from './callback.js';
import { type Metric, type MetricFn, toMetric } from './metrics.js';
import { ProgressCallback, Recorder, TerminateOnNaN, TrainEvalCallback } from './recorder.js';

/** What a Learner needs from a data loader: batches of tensors and a length. */
export interface DataLoaderLike {
  length: number;
  [Symbol.iterator]?(): Iterator<unknown>;
  [Symbol.asyncIterator]?(): AsyncIterator<unknown>;
}
export interface DataLoadersLike {
  train: DataLoaderLike;
  valid: DataLoaderLike;
}

export type LossFunc = (pred: any, ...targets: Tensor[]) => Tensor;

export interface LearnerOpts {
  lossFunc: LossFunc;
  optFunc?: OptFunc;
  lr?: number;
  wd?: number;
  metrics?: (Metric | MetricFn)[];
  cbs?: Callback[];
  /** How many leading batch elements are inputs (fastai's n_inp). */
  nInp?: number;
  /** Progress output: 'auto' (TTY and not CI), 'always', 'never'. */
  progress?: 'auto' | 'always' | 'never';
}

export interface FitOpts {
  wd?: number;
  cbs?: Callback[];
  resetOpt?: boolean;
}

export class Learner {
  model: Module;
  dls: DataLoadersLike;
  lossFunc: LossFunc;
  optFunc: OptFunc;
  lr: number;
  wd: number | undefined;
  metrics: Metric[];
  nInp: number;
  cbs: Callback[] = [];
  opt: Optimizer | null = null;
  recorder: Recorder;

  // loop state, read by callbacks (as fastai's learn.xb, learn.loss, ...)
  training = false;
  epoch = 0;
  nEpoch = 1;
  iter = 0;
  nIter = 0;
  trainIter = 0;
  pctTrain = 0;
  dl: DataLoaderLike | null = null;
  xb: Tensor[] = [];
  yb: Tensor[] = [];
  pred: any = null;
  loss: Tensor | null = null;
  lossGrad: Tensor | null = null;

  constructor(dls: DataLoadersLike, model: Module, opts: LearnerOpts) {
    if (!opts || typeof opts.lossFunc !== 'function') throw new FastgradError('Learner: opts.lossFunc (a function (pred, targ) => loss tensor) is required');
    this.dls = dls;
    this.model = model;
    this.lossFunc = opts.lossFunc;
    this.optFunc = opts.optFunc ?? adam();
    this.lr = opts.lr ?? 1e-3;
    this.wd = opts.wd;
    this.metrics = (opts.metrics ?? []).map(toMetric);
    this.nInp = opts.nInp ?? 1;
    this.recorder = new Recorder();
    this.addCbs([new TrainEvalCallback(), this.recorder, new TerminateOnNaN(), new ProgressCallback(opts.progress ?? 'auto'), ...(opts.cbs ?? [])]);
  }

  addCb(cb: Callback): this {
    cb.learn = this;
    this.cbs.push(cb);
    this.cbs.sort((a, b) => a.order - b.order);
    return this;
  }
  addCbs(cbs: Callback[]): this {
    for (const cb of cbs) this.addCb(cb);
    return this;
  }
  removeCb(cb: Callback): this {
    this.cbs = this.cbs.filter((c) => c !== cb);
    return this;
  }
  /** The first callback of a class (fastai's learn.recorder style lookup). */
  cb<T extends Callback>(cls: new (...a: any[]) => T): T | undefined {
    return this.cbs.find((c): c is T => c instanceof cls);
  }

  /** Fire an event on every callback in order. */
  async event(name: Event): Promise<void> {
    for (const cb of [...this.cbs]) await cb.run(name);
  }

  private async withEvents(f: () => Promise<void>, kind: string, cancel: new () => CancelException, final?: () => void): Promise<void> {
    try {
      await this.event(`before${kind}` as Event);
      await f();
    } catch (e) {
      if (!(e instanceof cancel)) throw e;
      await this.event(`afterCancel${kind}` as Event);
    } finally {
      final?.();
    }
    await this.event(`after${kind}` as Event);
  }

  createOpt(): Optimizer {
    this.opt = this.optFunc(this.model.parameters(), this.lr);
    if (this.wd !== undefined) this.opt.setHyper('wd', this.wd);
    return this.opt;
  }

  /** Train for nEpoch epochs at a constant learning rate (fastai's Learner.fit). */
  async fit(nEpoch: number, lr?: number, opts: FitOpts = {}): Promise<void> {
    if (!Number.isInteger(nEpoch) || nEpoch < 0) throw new FastgradError(`fit: nEpoch must be a non-negative integer, got ${nEpoch}`);
    if (opts.resetOpt || !this.opt) this.createOpt();
    if (opts.wd !== undefined) this.opt!.setHyper('wd', opts.wd);
    this.opt!.setHyper('lr', lr ?? this.lr);
    this.nEpoch = nEpoch;
    const extra = opts.cbs ?? [];
    this.addCbs(extra);
    const gradMode = isGradEnabled();
    try {
      await this.withEvents(async () => {
        for (let e = 0; e < nEpoch; e++) {
          this.epoch = e;
          await this.withEvents(() => this.doEpoch(), 'Epoch', CancelEpochException);
        }
      }, 'Fit', CancelFitException);
    } finally {
      setGradEnabled(gradMode);
      for (const cb of extra) this.removeCb(cb);
    }
  }

  private async doEpoch(): Promise<void> {
    this.dl = this.dls.train;
    await this.withEvents(() => this.allBatches(), 'Train', CancelTrainException);
    this.dl = this.dls.valid;
    const prev = isGradEnabled();
    setGradEnabled(false);
    try {
      await this.withEvents(() => this.allBatches(), 'Validate', CancelValidException);
    } finally {
      setGradEnabled(prev);
    }
  }

  private async allBatches(): Promise<void> {
    const dl = this.dl!;
    this.nIter = dl.length;
    let i = 0;
    for await (const b of iterate(dl)) await this.oneBatch(i++, b);
  }

  private splitBatch(b: unknown): void {
    const arr = Array.isArray(b) ? (b as Tensor[]) : [b as Tensor];
    this.xb = arr.slice(0, this.nInp);
    this.yb = arr.slice(this.nInp);
  }

  private async oneBatch(i: number, b: unknown): Promise<void> {
    this.iter = i;
    this.splitBatch(b);
    await this.withEvents(() => this.doOneBatch(), 'Batch', CancelBatchException);
  }

  private async doOneBatch(): Promise<void> {
    this.pred = this.model.call(...this.xb);
    await this.event('afterPred');
    if (!this.yb.length) return;
    this.loss = this.lossGrad = this.lossFunc(this.pred, ...this.yb);
    await this.event('afterLoss');
    if (!this.training) return;
    await this.withEvents(async () => this.lossGrad!.backward(), 'Backward', CancelBackwardException);
    await this.withEvents(async () => this.opt!.step(), 'Step', CancelStepException);
    this.opt!.zeroGrad();
  }

  /** Validation loss and metrics on a loader (default the valid set): [loss, ...metrics]. */
  async validate(dl: DataLoaderLike = this.dls.valid): Promise<(number | null)[]> {
    const saved = this.dls;
    this.dls = { train: { length: 0, [Symbol.iterator]: () => [][Symbol.iterator]() }, valid: dl };
    const silent = this.cbs.filter((c) => c instanceof ProgressCallback);
    silent.forEach((c) => this.removeCb(c));
    try {
      this.nEpoch = 1;
      this.epoch = 0;
      await this.withEvents(() => this.doEpoch(), 'Epoch', CancelEpochException);
    } finally {
      this.dls = saved;
      silent.forEach((c) => this.addCb(c));
    }
    return this.recorder.lastValid;
  }

  /** Predictions and targets over a loader, in eval mode without grad (fastai's get_preds). */
  async getPreds(dl: DataLoaderLike = this.dls.valid, opts: { withInput?: boolean; act?: (t: Tensor) => Tensor } = {}): Promise<{ preds: Tensor; targs: Tensor | null; inputs?: Tensor }> {
    const preds: Tensor[] = [], targs: Tensor[] = [], inputs: Tensor[] = [];
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      for await (const b of iterate(dl)) {
        const arr = Array.isArray(b) ? (b as Tensor[]) : [b as Tensor];
        const xb = arr.slice(0, this.nInp);
        const p = noGrad(() => this.model.call(...xb) as Tensor);
        preds.push(opts.act ? noGrad(() => opts.act!(p)) : p);
        if (arr.length > this.nInp) targs.push(arr[this.nInp]!);
        if (opts.withInput) inputs.push(xb[0]!);
      }
    } finally {
      this.model.train(wasTraining);
    }
    return { preds: cat(preds), targs: targs.length ? cat(targs) : null, ...(opts.withInput ? { inputs: cat(inputs) } : {}) };
  }

  /** Run the model on one item (a batch of one); returns the raw output, the class and probabilities. */
  predict(item: Tensor): { raw: Tensor; decoded: number; probs: Tensor } {
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      const raw = noGrad(() => (this.model.call(item.unsqueeze(0)) as Tensor).squeeze(0));
      const single = raw.numel() === 1;
      const probs = noGrad(() => (single ? raw.sigmoid() : raw.softmax(-1)));
      const decoded = single ? Number(probs.item() > 0.5) : probs.argmax().item();
      return { raw, decoded, probs };
    } finally {
      this.model.train(wasTraining);
    }
  }

  /** Which callbacks run at each event (fastai's show_training_loop). */
  showTrainingLoop(): string {
    const lines: string[] = [];
    for (const ev of EVENTS) {
      const names = this.cbs.filter((c) => typeof (c as unknown as Record<string, unknown>)[ev] === 'function').map((c) => c.constructor.name);
      if (names.length) lines.push(`${ev.padEnd(20)}: [${names.join(', ')}]`);
    }
    return lines.join('\n');
  }
}

/** Iterate a loader synchronously or asynchronously. */
async function* iterate(dl: DataLoaderLike): AsyncGenerator<unknown> {
  if (dl[Symbol.asyncIterator]) {
    yield* dl as AsyncIterable<unknown>;
    return;
  }
  if (dl[Symbol.iterator]) {
    yield* dl as Iterable<unknown>;
    return;
  }
  throw new FastgradError('Learner: a data loader must be iterable (sync or async)');
}

export { Callback };
