// The default callbacks: train/eval switching, the Recorder (losses, lrs, per-epoch values),
// stopping on a non-finite loss, and progress output (bar + fastai's epoch table).
import { FastgradError } from '../errors.js';
import { Callback, CancelFitException } from './callback.js';
import { AvgLoss, AvgSmoothLoss } from './metrics.js';

/** fastai's TrainEvalCallback: model.train()/eval() and the training counters. */
export class TrainEvalCallback extends Callback {
  override order = -10;
  beforeFit(): void {
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

/** Per-epoch record: epoch, train_loss (smoothed, as fastai shows), valid_loss, metrics, time. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number | null;
  /** Plain mean of the epoch's batch losses (fastai shows only the smoothed one). */
  trainLossMean: number | null;
  validLoss: number | null;
  metrics: Record<string, number | null>;
  seconds: number;
}

/** Raised when the training loss becomes nan/inf: training stops and says where. */
export class NonFiniteLossError extends FastgradError {
  override name = 'NonFiniteLossError';
}

export class Recorder extends Callback {
  override order = 50;
  /** Smoothed training loss after each batch, and the lr used for it. */
  losses: number[] = [];
  lrs: number[] = [];
  /** One record per epoch. */
  values: EpochRecord[] = [];
  /** Iteration index at each epoch end (for plotting valid losses against batches). */
  epochIters: number[] = [];
  lastValid: (number | null)[] = [];
  private smooth = new AvgSmoothLoss(0.98);
  private epochSum = 0;
  private epochCount = 0;
  private validLoss = new AvgLoss();
  private start = 0;

  get metricNames(): string[] {
    return ['epoch', 'train_loss', 'valid_loss', ...this.learn.metrics.map((m) => m.name), 'time'];
  }
  beforeFit(): void {
    this.losses = [];
    this.lrs = [];
    this.values = [];
    this.epochIters = [];
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
    if (!l.loss) return;
    const bs = l.yb[0]?.shape[0] ?? 1;
    if (l.training) {
      const v = (await l.loss.dataAsync())[0]!;
      this.smooth.add(v);
      this.epochSum += v;
      this.epochCount++;
      this.losses.push(this.smooth.value!);
      this.lrs.push(l.opt?.lr ?? l.lr);
    } else {
      await this.validLoss.accumulate(l.pred, l.yb, bs, l.loss);
      for (const m of l.metrics) await m.accumulate(l.pred, l.yb, bs, l.loss);
    }
  }
  afterEpoch(): void {
    const metrics: Record<string, number | null> = {};
    for (const m of this.learn.metrics) metrics[m.name] = m.value;
    this.lastValid = [this.validLoss.value, ...this.learn.metrics.map((m) => m.value)];
    this.epochIters.push(this.losses.length);
    this.values.push({
      epoch: this.learn.epoch,
      trainLoss: this.epochCount ? this.smooth.value : null,
      trainLossMean: this.epochCount ? this.epochSum / this.epochCount : null,
      validLoss: this.validLoss.value,
      metrics,
      seconds: (performance.now() - this.start) / 1000,
    });
  }
  /** The last epoch's values in table order (fastai's final_record). */
  get finalRecord(): (number | null)[] {
    const r = this.values.at(-1);
    return r ? [r.trainLoss, r.validLoss, ...Object.values(r.metrics)] : [];
  }
  /** Data for the loss plot (viz.lossSpec): smoothed train loss per batch, valid loss per epoch. */
  lossData(): { iters: number[]; trainLoss: number[]; validLoss: { iter: number; value: number }[] } {
    return {
      iters: this.losses.map((_, i) => i),
      trainLoss: this.losses,
      validLoss: this.values.flatMap((v, i) => (v.validLoss === null ? [] : [{ iter: this.epochIters[i]! - 1, value: v.validLoss }])),
    };
  }
}

/** Stop on nan/inf loss with a message naming the epoch, batch and lr (fastai's TerminateOnNaNCallback, made loud). */
export class TerminateOnNaN extends Callback {
  override order = 51;
  error: NonFiniteLossError | null = null;
  async afterBatch(): Promise<void> {
    const l = this.learn;
    if (!l.training || !l.loss) return;
    const v = (await l.loss.dataAsync())[0]!;
    if (Number.isFinite(v)) return;
    this.error = new NonFiniteLossError(
      `loss became ${v} at epoch ${l.epoch}, batch ${l.iter} (lr ${l.opt?.lr}): training stopped. Try a lower learning rate or check the inputs for nan.`,
    );
    throw new CancelFitException();
  }
  afterFit(): void {
    if (this.error) {
      const e = this.error;
      this.error = null;
      throw e;
    }
  }
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/** Progress: a bar while an epoch runs (TTY only) and fastai's table row after each epoch. */
export class ProgressCallback extends Callback {
  override order = 60;
  private header = false;
  constructor(readonly mode: 'auto' | 'always' | 'never' = 'auto', private readonly write: (s: string) => void = (s) => process.stdout.write(s)) {
    super();
  }
  private get tty(): boolean {
    return typeof process !== 'undefined' && !!process.stdout?.isTTY && !process.env.CI;
  }
  private get show(): boolean {
    return this.mode === 'always' || (this.mode === 'auto' && this.tty);
  }
  beforeFit(): void {
    this.header = false;
  }
  afterBatch(): void {
    if (!this.show || !this.tty) return;
    const l = this.learn;
    const w = 30, done = Math.round(((l.iter + 1) / Math.max(l.nIter, 1)) * w);
    this.write(`\r${l.training ? 'train' : 'valid'} [${'#'.repeat(done)}${'.'.repeat(w - done)}] ${l.iter + 1}/${l.nIter}`);
  }
  afterEpoch(): void {
    if (!this.show) return;
    const rec = this.learn.recorder;
    const names = rec.metricNames;
    const widths = names.map((n) => Math.max(n.length, 10));
    if (this.tty) this.write('\r' + ' '.repeat(60) + '\r');
    if (!this.header) {
      this.write(names.map((n, i) => n.padEnd(widths[i]!)).join(' ') + '\n');
      this.header = true;
    }
    const v = rec.values.at(-1)!;
    const cells = [String(v.epoch), fmt(v.trainLoss), fmt(v.validLoss), ...Object.values(v.metrics).map(fmt), fmtTime(v.seconds)];
    this.write(cells.map((c, i) => c.padEnd(widths[i]!)).join(' ') + '\n');
  }
}

const fmt = (v: number | null): string => (v === null ? '' : v.toFixed(6));
