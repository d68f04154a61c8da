// Learner: fastai's training loop (fastai/learner.py) — fit → epoch → train/validate → batch → backward/step,
// each wrapped in `withEvents` so callbacks see before/after/afterCancel events and can cancel any phase.
import { noGrad } from '../autograd/grad_mode.js';
import { nextTurn } from '../backend/event-loop.js';
import { FastgradError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { type OptFunc, type Optimizer, adam } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  Callback, CancelBackwardException, CancelBatchException, CancelEpochException, CancelException, CancelFitException,
  CancelStepException, CancelTrainException, CancelValidException, type Event,
} from './callback.js';
import { GatherPredsCallback, TerminateOnNaN, TrainEvalCallback } from './callbacks.js';
import { type Metric, type MetricFn, toMetric } from './metrics.js';
import { ProgressCallback, type ProgressMode } from './progress.js';
import { Recorder } from './recorder.js';
import { trainingLoop } from './show-loop.js';
import { BatchScope } from './batch-scope.js';

/** What a Learner needs from a data loader: batches (sync or async iterable) and a length. */
export interface DataLoaderLike {
  length: number;
  [Symbol.iterator]?(): Iterator<unknown>;
  [Symbol.asyncIterator]?(): AsyncIterator<unknown>;
}
export interface DataLoadersLike {
  train: DataLoaderLike;
  valid: DataLoaderLike;
}

/** `(pred, ...targets) → scalar loss`; an `activation` property is what `getPreds` applies (fastai's loss_func.activation). */
export type LossFunc = ((pred: any, ...targets: Tensor[]) => Tensor) & { activation?: (t: Tensor) => Tensor };

export interface LearnerOpts {
  lossFunc: LossFunc;
  /** `(params, lr) → Optimizer`, e.g. `optim.sgd()`; default `optim.adam()` as fastai. */
  optFunc?: OptFunc;
  lr?: number;
  wd?: number;
  metrics?: (Metric | MetricFn)[];
  /** Extra callbacks. A ProgressCallback here replaces the default one (e.g. to capture its output). */
  cbs?: Callback[];
  /** How many leading batch elements are inputs (fastai's n_inp). */
  nInp?: number;
  /** Progress output: 'auto'/true (the epoch table always, the bar on a terminal), 'never'/false; see ProgressCallback. */
  progress?: ProgressMode | boolean;
  /** Training batches between reads of the loss (Note [When the Recorder reads]; default 16; Infinity: once per epoch). */
  readEvery?: number;
  /** Free each batch's intermediates when the batch ends (default true; see Note [Per-batch scope]). */
  tidy?: boolean;
}

export interface FitOpts {
  wd?: number;
  /** Callbacks for this fit only (fastai's `fit(cbs=...)`). */
  cbs?: Callback[];
  resetOpt?: boolean;
}

export interface GetPredsOpts {
  withInput?: boolean;
  /** Applied to the gathered predictions; default `lossFunc.activation`, else none. */
  act?: (t: Tensor) => Tensor;
  /** Extra callbacks for this pass. */
  cbs?: Callback[];
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
  /** Free each batch's intermediates at its end (LearnerOpts.tidy; Note [Per-batch scope]). */
  tidy: boolean;
  /** The current batch's memory scope (null between batches). */
  private batchScope: BatchScope | null = null;
  /** Inside a validation pass: forward and loss run under noGrad. */
  private inValidation = false;
  cbs: Callback[] = [];
  opt: Optimizer | null = null;
  recorder: Recorder;

  // loop state, read (and written) by callbacks, as fastai's learn.xb, learn.loss, ...
  training = false;
  /** True inside `validate`/`getPreds`: the Recorder keeps its training history. */
  validationOnly = false;
  epoch = 0;
  nEpoch = 1;
  iter = 0;
  nIter = 0;
  trainIter = 0;
  pctTrain = 0;
  dl: DataLoaderLike | null = null;
  // The batch's tensors. NOTE: accessors, so the batch's memory scope knows when user code saw them
  // (Note [Per-batch scope]); the Learner itself uses the fields.
  private _xb: Tensor[] = [];
  private _yb: Tensor[] = [];
  private _pred: any = null;
  private _loss: Tensor | null = null;
  private _lossGrad: Tensor | null = null;
  get xb(): Tensor[] { this.batchScope?.noteRead(); return this._xb; }
  set xb(v: Tensor[]) { this._xb = v; }
  get yb(): Tensor[] { this.batchScope?.noteRead(); return this._yb; }
  set yb(v: Tensor[]) { this._yb = v; }
  get pred(): any { this.batchScope?.noteRead(); return this._pred; }
  set pred(v: any) { this._pred = v; }
  /** The batch loss outside the graph; `lossGrad` is the one `backward()` runs on (a callback may replace it in afterLoss). */
  get loss(): Tensor | null { this.batchScope?.noteRead(); return this._loss; }
  set loss(v: Tensor | null) { this._loss = v; }
  get lossGrad(): Tensor | null { this.batchScope?.noteRead(); return this._lossGrad; }
  set lossGrad(v: Tensor | null) { this._lossGrad = v; }
  smoothLoss: number | null = null;
  /** The last epoch's [train_loss, valid_loss, ...metrics] (validate: [valid_loss, ...metrics]). */
  finalRecord: (number | null)[] = [];

  constructor(dls: DataLoadersLike, model: Module, opts: LearnerOpts) {
    if (!opts || typeof opts.lossFunc !== 'function') throw new FastgradError('Learner: opts.lossFunc (a function (pred, targ) => loss tensor) is required');
    if (!dls?.train || !dls?.valid) throw new FastgradError('Learner: dls must have a train and a valid loader (data.DataLoaders)');
    this.dls = dls;
    this.model = model;
    this.lossFunc = opts.lossFunc;
    this.optFunc = opts.optFunc ?? adam();
    this.lr = opts.lr ?? 1e-3;
    this.wd = opts.wd;
    this.metrics = (opts.metrics ?? []).map(toMetric);
    this.nInp = opts.nInp ?? 1;
    this.tidy = opts.tidy ?? true;
    this.recorder = new Recorder({ readEvery: opts.readEvery });
    const extra = opts.cbs ?? [];
    const progress = extra.some((c) => c instanceof ProgressCallback) ? [] : [new ProgressCallback(opts.progress ?? 'auto')];
    this.addCbs([new TrainEvalCallback(), this.recorder, new TerminateOnNaN(), ...progress, ...extra]);
    for (const cb of this.orderedCbs()) cb.callSync('afterCreate');
  }

  addCb(cb: Callback): this {
    if (!(cb instanceof Callback)) throw new FastgradError(`Learner.addCb: expected a Callback instance, got ${typeof cb}`);
    cb.learn = this;
    this.cbs.push(cb);
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
  removeCbs(cbs: Callback[]): this {
    for (const cb of cbs) this.removeCb(cb);
    return this;
  }
  /** The first callback of a class (fastai's learn.recorder style lookup). */
  cb<T extends Callback>(cls: new (...a: any[]) => T): T | undefined {
    return this.cbs.find((c): c is T => c instanceof cls);
  }
  /** Callbacks sorted by `order` (stable: equal orders keep the order they were added in). */
  orderedCbs(event?: Event): Callback[] {
    const sorted = [...this.cbs].sort((a, b) => a.order - b.order);
    return event ? sorted.filter((c) => c.handles(event)) : sorted;
  }

  /** Fire an event on every callback in `order` (fastai's `learn(event_name)`). */
  async event(name: Event): Promise<void> {
    const scope = this.batchScope;
    for (const cb of this.orderedCbs()) await (scope && cb.batchScoped ? scope.run(() => cb.call(name)) : cb.call(name));
  }

  /** before{kind}; f(); after{kind} — a matching cancel exception from f runs afterCancel{kind} instead of propagating. */
  private async withEvents(f: () => Promise<void> | void, kind: string, cancel: new () => CancelException, final?: () => void): Promise<CancelException | null> {
    let cancelled: CancelException | null = null;
    try {
      await this.event(`before${kind}` as Event);
      await f();
    } catch (e) {
      if (!(e instanceof cancel)) throw e;
      cancelled = e;
      await this.event(`afterCancel${kind}` as Event);
    }
    await this.event(`after${kind}` as Event);
    final?.();
    return cancelled;
  }

  createOpt(): Optimizer {
    this.opt = this.optFunc(this.model.parameters(), this.lr);
    if (this.wd !== undefined) this.opt.setHyper('wd', this.wd);
    return this.opt;
  }

  /** Train for nEpoch epochs at a constant learning rate (fastai's Learner.fit). */
  async fit(nEpoch: number, lr?: number, opts: FitOpts = {}): Promise<void> {
    if (!Number.isInteger(nEpoch) || nEpoch < 0) throw new FastgradError(`fit: nEpoch must be a non-negative integer, got ${nEpoch}`);
    if (lr !== undefined && !(lr >= 0)) throw new FastgradError(`fit: lr must be a non-negative number, got ${lr}`);
    const extra = opts.cbs ?? [];
    this.addCbs(extra);
    try {
      if (opts.resetOpt || !this.opt) this.createOpt();
      const wd = opts.wd ?? this.wd;
      if (wd !== undefined) this.opt!.setHyper('wd', wd);
      this.opt!.setHyper('lr', lr ?? this.lr);
      this.nEpoch = nEpoch;
      const cancelled = await this.withEvents(() => this.doFit(), 'Fit', CancelFitException, () => this.endCleanup());
      if (cancelled?.cause !== undefined) throw cancelled.cause;
    } finally {
      this.removeCbs(extra);
    }
  }

  private async doFit(): Promise<void> {
    for (let e = 0; e < this.nEpoch; e++) {
      this.epoch = e;
      await this.withEvents(() => this.doEpoch(), 'Epoch', CancelEpochException);
    }
  }

  private async doEpoch(): Promise<void> {
    this.dl = this.dls.train;
    await this.withEvents(() => this.allBatches(), 'Train', CancelTrainException);
    await this.doEpochValidate(this.dls.valid);
  }

  /**
   * NOTE: validation runs the model and the loss under noGrad, segment by segment: grad mode is never
   * left off across an await, where another Learner (or a page predicting) would run with it off.
   */
  private async doEpochValidate(dl: DataLoaderLike): Promise<void> {
    this.dl = dl;
    const prev = this.inValidation;
    this.inValidation = true;
    try {
      await this.withEvents(() => this.allBatches(), 'Validate', CancelValidException);
    } finally {
      this.inValidation = prev;
    }
  }

  /**
   * Note [Per-batch scope]: each batch's memory is owned by a BatchScope (batch-scope.ts), so on every
   * backend its intermediates (the batch, activations, gradients of activations, optimizer temporaries,
   * the graph's saved tensors) are freed when it ends and memory stays flat over any number of steps.
   * The scope is current only inside the library's synchronous segments — fetching the batch, forward,
   * loss, backward, step, zeroGrad — and the batch events of callbacks marked `batchScoped` (the
   * built-in ones), never across an await. What survives a batch: everything under the model, the
   * optimizer, the metrics and the callbacks' fields (parameters and their .grad, buffers, optimizer
   * state, GatherPredsCallback's predictions), and anything passed to keep(). A user callback (not
   * batchScoped) runs outside the scope, so whatever it creates is left to the GC; and once user code
   * reads one of the batch's tensors (learn.xb, yb, pred, loss, lossGrad: the accessors tell the
   * scope), they are left to the GC too, so it may keep them anywhere, a closure included. `tidy: false`
   * turns all of this off.
   */
  private async allBatches(): Promise<void> {
    const dl = this.dl!;
    this.nIter = dl.length;
    const [it, sync] = batchIterator(dl);
    let done = false;
    try {
      for (let i = 0; !done; i++) {
        const scope = this.tidy ? new BatchScope() : null;
        this.batchScope = scope;
        try {
          const r = await (scope ? scope.run(() => it.next()) : it.next());
          if (r.done) done = true;
          else await this.oneBatch(i, r.value);
        } finally {
          this.batchScope = null;
          // the batch tensors are freed unless user code saw them: then the Learner drops them too
          if (scope?.end([this.model, this.opt, this.cbs, this.metrics], [this._xb, this._yb, this._pred, this._loss, this._lossGrad], [this])) this.dropBatch();
        }
        if (sync && !done) await nextTurn();
      }
    } finally {
      if (!done) await it.return?.(undefined);
    }
  }

  /** Run a synchronous library step inside the batch's scope (and under noGrad when validating). */
  private segment<T>(f: () => T): T {
    const g = this.inValidation ? () => noGrad(f) : f;
    return this.batchScope ? this.batchScope.run(g) : g();
  }

  private async oneBatch(i: number, b: unknown): Promise<void> {
    this.iter = i;
    const arr = Array.isArray(b) ? (b as Tensor[]) : [b as Tensor];
    this._xb = arr.slice(0, this.nInp);
    this._yb = arr.slice(this.nInp);
    await this.withEvents(() => this.doOneBatch(), 'Batch', CancelBatchException);
  }

  private async doOneBatch(): Promise<void> {
    this._pred = this.segment(() => this.model.call(...this._xb));
    await this.event('afterPred');
    if (this._yb.length) {
      this._lossGrad = this.segment(() => this.lossFunc(this._pred, ...this._yb));
      this._loss = this._lossGrad.detach(); // a view: allocates nothing
    }
    await this.event('afterLoss');
    if (!this.training || !this._yb.length) return;
    await this.withEvents(() => this.segment(() => this._lossGrad!.backward()), 'Backward', CancelBackwardException);
    await this.withEvents(() => this.segment(() => this.opt!.step()), 'Step', CancelStepException);
    // NOTE: grads are set to null (not zeroed), so the last step's gradient tensors can be freed at once.
    this.segment(() => this.opt!.zeroGrad());
  }

  private dropBatch(): void {
    this._xb = [];
    this._yb = [];
    this._pred = null;
    this._loss = null;
    this._lossGrad = null;
  }

  /** Drop references to the last batch, so its graph and activations can be freed (fastai's _end_cleanup). */
  private endCleanup(): void {
    this.dl = null;
    this.dropBatch();
  }

  /**
   * fastai's validation_context: beforeFit, beforeEpoch, body, afterEpoch, afterFit with the progress
   * output removed and `validationOnly` set, so the Recorder keeps the training history (fastai's resets it).
   */
  private async validationContext(cbs: Callback[], body: () => Promise<void>): Promise<void> {
    const quiet = this.cbs.filter((c) => c instanceof ProgressCallback);
    this.removeCbs(quiet).addCbs(cbs);
    const prev = this.validationOnly;
    this.validationOnly = true;
    try {
      await this.event('beforeFit');
      await this.event('beforeEpoch');
      await body();
      await this.event('afterEpoch');
      await this.event('afterFit');
    } finally {
      this.validationOnly = prev;
      this.removeCbs(cbs).addCbs(quiet);
      this.endCleanup();
    }
  }

  /** Validation loss and metrics on a loader (default the valid set): [valid_loss, ...metrics] (fastai's validate). */
  async validate(dl: DataLoaderLike = this.dls.valid, cbs: Callback[] = []): Promise<(number | null)[]> {
    await this.validationContext(cbs, () => this.doEpochValidate(dl));
    return this.finalRecord;
  }

  /**
   * Predictions and targets over a loader (default the valid set), in batch order, in eval mode without
   * grad, through the callback events (fastai's get_preds). Pass an unshuffled loader to keep item order.
   */
  async getPreds(dl: DataLoaderLike = this.dls.valid, opts: GetPredsOpts = {}): Promise<{ preds: Tensor; targs: Tensor | null; inputs?: Tensor }> {
    const gather = new GatherPredsCallback(opts.withInput ?? false);
    await this.validationContext([gather, ...(opts.cbs ?? [])], () => this.doEpochValidate(dl));
    const { preds, targs, inputs } = gather.all();
    const act = opts.act ?? this.lossFunc.activation;
    return { preds: act ? noGrad(() => act(preds)) : preds, targs, ...(opts.withInput ? { inputs: inputs! } : {}) };
  }

  /**
   * Run the model on one item (a batch of one) in eval mode without grad. Returns the raw output, the
   * probabilities (`lossFunc.activation`, else sigmoid for one output / softmax for several) and the
   * decoded class, which is read from the device asynchronously (`await learn.predict(item)`).
   */
  async predict(item: Tensor): Promise<{ raw: Tensor; decoded: number; probs: Tensor }> {
    const wasTraining = this.model.training;
    this.model.eval();
    let res: { raw: Tensor; probs: Tensor; cls: Tensor };
    try {
      res = noGrad(() => {
        const raw = (this.model.call(item.unsqueeze(0)) as Tensor).squeeze(0);
        const single = raw.numel() === 1;
        const act = this.lossFunc.activation;
        const probs = act ? act(raw.unsqueeze(0)).squeeze(0) : single ? raw.sigmoid() : raw.softmax(-1);
        return { raw, probs, cls: single ? probs.gt(0.5) : probs.argmax() };
      });
    } finally {
      // restored before the read, so training that runs while this awaits sees the model's own mode
      this.model.train(wasTraining);
    }
    return { raw: res.raw, decoded: await res.cls.itemAsync(), probs: res.probs };
  }

  /** Which callbacks run at each step of the loop, indented as fastai's show_training_loop; also printed unless `write` is null. */
  showTrainingLoop(write: ((s: string) => void) | null = (s) => console.log(s)): string {
    const text = trainingLoop((ev) => this.orderedCbs(ev).map((c) => c.constructor.name));
    write?.(text);
    return text;
  }
}

/**
 * A loader's iterator: its synchronous one when it has one (so fetching a batch is one synchronous call
 * that the batch's scope owns; the Learner gives the event loop a turn between batches itself), else
 * its asynchronous one.
 */
function batchIterator(dl: DataLoaderLike): [Iterator<unknown> | AsyncIterator<unknown>, boolean] {
  if (dl[Symbol.iterator]) return [dl[Symbol.iterator]!(), true];
  if (dl[Symbol.asyncIterator]) return [dl[Symbol.asyncIterator]!(), false];
  throw new FastgradError('Learner: a data loader must be iterable (sync or async)');
}

