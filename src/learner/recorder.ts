// fastai's Recorder (fastai/learner.py): per-batch smoothed losses and lrs, per-epoch values keyed by metric
// name, and the plots `plotLoss` / `plotMetrics` as Vega-Lite specs, saved as SVG/PNG.
//
// NOTE: the spec builders are pure functions from plot/ (a leaf any layer may use); writing a file goes
// through plot/writer.ts, which the Node entry connects to viz's renderer (vega + sharp): the learner
// layer never imports viz, and a browser bundle never pulls in the renderer.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { FastgradError } from '../errors.js';
import { type TopLevelSpec, lossSpec, metricSpec } from '../plot/specs.js';
import { writePlot } from '../plot/writer.js';
import { noGrad } from '../autograd/grad_mode.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Callback } from './callback.js';
import { AvgLoss, AvgSmoothLoss, lossMean } from './metrics.js';

/**
 * Training batches between two reads of the loss (Note [When the Recorder reads]). 16: a read on an
 * asynchronous device waits for its queue to drain (about a millisecond on WebGPU), which every 16
 * batches costs well under 1% of a step; the progress numbers lag by at most 15 batches (a fraction of
 * a second for the small models a browser trains); and a loss buffer of 16 scalars is nothing to keep.
 */
export const DEFAULT_READ_EVERY = 16;

/** Where a training loss came from; the Recorder passes it with the value, which it may read batches later. */
export interface BatchAt {
  epoch: number;
  iter: number;
  lr: number;
}

/** A callback that checks each training loss when the Recorder reads it (TerminateOnNaN): throw to stop. */
export interface LossChecker {
  checkLoss(value: number, at: BatchAt): void;
}
const isLossChecker = (c: Callback): c is Callback & LossChecker => typeof (c as Partial<LossChecker>).checkLoss === 'function';

export interface RecorderOpts {
  /** Smoothing of the training loss (default 0.98, fastai's). */
  beta?: number;
  /** Training batches between reads of the loss (default DEFAULT_READ_EVERY; Infinity: once per epoch). */
  readEvery?: number;
}

/** Per-epoch record: epoch, train_loss (smoothed, as fastai shows), valid_loss, metrics by name, time. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number | null;
  /** Plain mean of the epoch's batch losses (fastai shows only the smoothed one). */
  trainLossMean: number | null;
  validLoss: number | null;
  metrics: Record<string, number | null>;
  seconds: number;
}

export interface PlotLossOpts {
  /** Batches left out at the start (fastai's skip_start=5). */
  skipStart?: number;
  /** Draw the valid loss at each epoch end (fastai's with_valid=True). */
  withValid?: boolean;
  title?: string;
  width?: number;
  height?: number;
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
}

export interface PlotMetricsOpts {
  /** Panels per row (default as fastai: ceil(n / floor(sqrt(n)))). */
  columns?: number;
  title?: string;
  width?: number;
  height?: number;
  scale?: number;
}

/** Render a spec to .svg/.png (needs the Node entry, see plot/writer.ts). */
async function save(spec: TopLevelSpec, path: string | undefined, scale?: number): Promise<void> {
  if (path === undefined) return;
  await writePlot(spec, path, scale === undefined ? {} : { scale });
}

/**
 * Note [When the Recorder reads]: the training path never reads synchronously and reads rarely. Each
 * training batch's loss is copied into a small buffer on its device (a Recorder field, so it outlives
 * the Learner's per-batch scope); the buffer is read, in one read, every `readEvery` batches and at the
 * end of each training phase, and only then do `losses`, `batchLosses`, `lrs` and `learn.smoothLoss`
 * grow (one entry per batch, as before), so they lag by up to readEvery - 1 batches during an epoch.
 * Loss checkers (TerminateOnNaN) see each value, in batch order, before it is recorded. The valid loss
 * and metrics accumulate on the device (Note [Metrics on the device]) and are read once per pass.
 */
export class Recorder extends Callback {
  override batchScoped = true;
  override order = 50;
  /** Smoothed training loss after each batch (beta 0.98, debiased), and the lr used for it. */
  losses: number[] = [];
  /** Raw (unsmoothed) training loss of each batch. */
  batchLosses: number[] = [];
  lrs: number[] = [];
  /** Number of training batches seen at each epoch end (fastai's recorder.iters; the x of the valid points). */
  iters: number[] = [];
  /** One record per epoch. */
  values: EpochRecord[] = [];
  /** [valid_loss, ...metrics] of the last validation pass. */
  lastValid: (number | null)[] = [];
  readonly smooth: AvgSmoothLoss;
  /** Training batches between reads of the loss (see Note [When the Recorder reads]). */
  readonly readEvery: number;
  /** Losses of the batches not read yet, on the device: slot k holds pendingAt[k]'s. */
  private lossBuffer: Tensor | null = null;
  private pendingAt: BatchAt[] = [];
  private epochSum = 0;
  private epochCount = 0;
  private readonly validLoss = new AvgLoss();
  private start = 0;

  constructor(opts: RecorderOpts | number = {}) {
    super();
    const o = typeof opts === 'number' ? { beta: opts } : opts;
    const readEvery = o.readEvery ?? DEFAULT_READ_EVERY;
    if (!(readEvery === Infinity || (Number.isInteger(readEvery) && readEvery >= 1)))
      throw new FastgradError(`Recorder: readEvery must be a positive integer (batches between loss reads) or Infinity (once per epoch), got ${readEvery}`);
    this.readEvery = readEvery;
    this.smooth = new AvgSmoothLoss(o.beta ?? 0.98);
  }

  /** Column names of the progress table: epoch, train_loss, valid_loss, metric names, time. */
  get metricNames(): string[] {
    return ['epoch', 'train_loss', 'valid_loss', ...this.learn.metrics.map((m) => m.name), 'time'];
  }
  beforeFit(): void {
    if (this.learn.validationOnly) return;
    this.losses = [];
    this.batchLosses = [];
    this.lrs = [];
    this.values = [];
    this.iters = [];
    this.pendingAt = [];
    this.smooth.reset();
  }
  beforeEpoch(): void {
    this.start = performance.now();
    this.epochSum = 0;
    this.epochCount = 0;
  }
  beforeValidate(): void {
    this.validLoss.reset();
    for (const m of this.learn.metrics) m.reset();
  }
  async afterBatch(): Promise<void> {
    const l = this.learn;
    if (!l.yb.length || !l.loss) return;
    if (l.training) {
      const v = lossMean(l.loss), buf = this.lossBuffer;
      // a loss that changes dtype or device mid-fit (rare) gets a new buffer, once the old one is read
      if (buf && (buf.dtype !== v.dtype || buf.device !== v.device)) {
        await this.readLosses(true);
        this.lossBuffer = null;
      }
      this.stash(v, { epoch: l.epoch, iter: l.iter, lr: l.opt?.lr ?? l.lr });
      if (this.pendingAt.length >= this.lossBuffer!.numel()) await this.readLosses(true);
    } else {
      const pred = l.pred, yb = l.yb, loss = l.loss, bs = yb[0]!.shape[0] ?? 1;
      this.validLoss.accumulate(pred, yb, bs, loss);
      // NOTE: every metric accumulates before the first await, inside the batch's memory scope
      const pending = l.metrics.map((m) => m.accumulate(pred, yb, bs, loss)).filter((r): r is Promise<void> => r instanceof Promise);
      if (pending.length) await Promise.all(pending);
    }
  }
  async afterTrain(): Promise<void> {
    await this.readLosses(true);
  }
  async afterEpoch(): Promise<void> {
    const l = this.learn;
    await this.readLosses(true); // left unread when the epoch was cancelled during training
    await Promise.all([this.validLoss.finalize(), ...l.metrics.map((m) => m.finalize?.())]);
    const metrics: Record<string, number | null> = {};
    for (const m of l.metrics) metrics[m.name] = m.value;
    this.lastValid = [this.validLoss.value, ...l.metrics.map((m) => m.value)];
    if (l.validationOnly) {
      l.finalRecord = this.lastValid;
      return;
    }
    this.iters.push(this.losses.length);
    this.values.push({
      epoch: l.epoch,
      trainLoss: this.epochCount ? this.smooth.value : null,
      trainLossMean: this.epochCount ? this.epochSum / this.epochCount : null,
      validLoss: this.validLoss.value,
      metrics,
      seconds: (performance.now() - this.start) / 1000,
    });
    l.finalRecord = this.finalRecord;
  }
  /** Losses still unread when a fit is cancelled mid-epoch are recorded (unchecked: training is over). */
  async afterFit(): Promise<void> {
    await this.readLosses(false);
  }

  /**
   * Copy a batch's mean loss into the buffer (on its device, no read). The buffer holds min(readEvery,
   * batches per epoch) losses: a readEvery past the epoch (e.g. Infinity) reads once per epoch.
   */
  private stash(v: Tensor, at: BatchAt): void {
    const n = this.learn.nIter;
    const size = Math.min(this.readEvery, n > 0 && Number.isFinite(n) ? n : DEFAULT_READ_EVERY);
    let buf = this.lossBuffer;
    if (!buf || (this.pendingAt.length === 0 && buf.numel() < size)) buf = this.lossBuffer = zeros([size], { dtype: v.dtype, device: v.device });
    noGrad(() => buf.select(0, this.pendingAt.length).copy_(v.reshape([])));
    this.pendingAt.push(at);
  }

  /** Read the buffered losses (one read) and record them in batch order, after the loss checkers. */
  private async readLosses(check: boolean): Promise<void> {
    const at = this.pendingAt;
    if (!at.length || !this.lossBuffer) return;
    this.pendingAt = [];
    const values = await this.lossBuffer.dataAsync();
    const checkers = check ? this.learn.orderedCbs().filter((c): c is Callback & LossChecker => c.run && isLossChecker(c)) : [];
    for (let k = 0; k < at.length; k++) {
      const v = values[k]!;
      for (const c of checkers) c.checkLoss(v, at[k]!);
      this.smooth.add(v);
      this.epochSum += v;
      this.epochCount++;
      this.batchLosses.push(v);
      this.losses.push(this.smooth.value!);
      this.lrs.push(at[k]!.lr);
    }
    this.learn.smoothLoss = this.smooth.value;
  }

  /** The last epoch's values in table order: [train_loss, valid_loss, ...metrics] (fastai's final_record). */
  get finalRecord(): (number | null)[] {
    const r = this.values.at(-1);
    return r ? [r.trainLoss, r.validLoss, ...Object.values(r.metrics)] : [];
  }

  /** Per-epoch values by column name: {train_loss: [...], train_loss_mean, valid_loss, <metric>: [...], seconds}. */
  valuesByName(): Record<string, (number | null)[]> {
    const out: Record<string, (number | null)[]> = {
      train_loss: this.values.map((v) => v.trainLoss),
      train_loss_mean: this.values.map((v) => v.trainLossMean),
      valid_loss: this.values.map((v) => v.validLoss),
    };
    for (const m of this.learn.metrics) out[m.name] = this.values.map((v) => v.metrics[m.name] ?? null);
    out.seconds = this.values.map((v) => v.seconds);
    return out;
  }

  /** Data for the loss plot: smoothed train loss per batch; valid loss at x = batches seen at each epoch end (as fastai). */
  lossData(): { iters: number[]; trainLoss: number[]; validLoss: { iter: number; value: number }[] } {
    return {
      iters: this.losses.map((_, i) => i),
      trainLoss: this.losses,
      validLoss: this.values.flatMap((v, i) => (v.validLoss === null ? [] : [{ iter: this.iters[i]!, value: v.validLoss }])),
    };
  }

  /**
   * fastai's `recorder.plot_loss(skip_start=5, with_valid=True)`: returns the Vega-Lite spec and, given
   * `path` ending in .svg or .png, writes the plot there (Node: import from 'fastgrad/node').
   */
  async plotLoss(path?: string, opts: PlotLossOpts = {}): Promise<TopLevelSpec> {
    if (!this.losses.length) throw new FastgradError('plotLoss: no training losses recorded yet: call learn.fit first');
    const { skipStart = 5, withValid = true } = opts;
    const d = this.lossData();
    const spec = lossSpec(
      { trainLoss: d.trainLoss, iters: d.iters, validLoss: withValid ? d.validLoss : [] },
      { skipStart, title: opts.title ?? 'learning curve', width: opts.width, height: opts.height },
    );
    await save(spec, path, opts.scale);
    return spec;
  }

  /**
   * fastai's `recorder.plot_metrics()`: one panel with train and valid loss per epoch, then one per metric.
   * Returns the spec; given `path` (.svg/.png), writes the plot there.
   */
  async plotMetrics(path?: string, opts: PlotMetricsOpts = {}): Promise<TopLevelSpec> {
    if (!this.values.length) throw new FastgradError('plotMetrics: no epochs recorded yet: call learn.fit first');
    const epochs = this.values.map((v) => v.epoch);
    const byName = this.valuesByName();
    const nums = (xs: (number | null)[]) => xs.map((x) => x ?? NaN);
    const size = { width: opts.width ?? 300, height: opts.height ?? 200 };
    const panels = [
      metricSpec(epochs, { train_loss: nums(byName.train_loss!), valid_loss: nums(byName.valid_loss!) }, { title: 'losses', ...size }),
      ...this.learn.metrics.map((m) => metricSpec(epochs, { [m.name]: nums(byName[m.name]!) }, { title: m.name, ...size })),
    ];
    const n = panels.length;
    const columns = opts.columns ?? Math.ceil(n / Math.max(1, Math.floor(Math.sqrt(n))));
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: opts.title ?? '',
      columns,
      concat: panels.map(({ $schema: _s, ...p }) => p),
      resolve: { scale: { color: 'independent' } },
    } as TopLevelSpec;
    await save(spec, path, opts.scale);
    return spec;
  }
}
