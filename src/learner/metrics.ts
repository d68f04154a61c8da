// Metrics as fastai/learner.py and fastai/metrics.py: a plain function (pred, targ) → scalar tensor is
// wrapped in AvgMetric, averaged over the validation set weighted by batch size.
import { noGrad } from '../autograd/grad_mode.js';
import { ShapeError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A validation metric (fastai's Metric). Note [Metrics on the device]: `accumulate` runs after every
 * validation batch and must not read the device: it adds to tensors it keeps in its own fields (they
 * outlive the Learner's per-batch memory scope because the Learner walks metrics' fields). `finalize`
 * runs once at the end of the pass and reads them; the Recorder awaits every metric's finalize together,
 * so a pass costs one round of reads, not one per batch.
 */
export interface Metric {
  readonly name: string;
  /** Start a pass. */
  reset(): void;
  /** After each validation batch (pred, targets, batch size, loss); a returned promise is awaited. */
  accumulate(pred: Tensor, yb: Tensor[], bs: number, loss: Tensor | null): void | Promise<void>;
  /** Read what accumulate gathered, so `value` is ready (optional for metrics that accumulate numbers). */
  finalize?(): Promise<void>;
  /** The metric over the last pass (once finalized); null when nothing was accumulated. */
  readonly value: number | null;
}

export type MetricFn = ((pred: Tensor, targ: Tensor) => Tensor) & { metricName?: string };

/** The mean of a loss tensor, on its device (fastai's `learn.loss.mean()`; a scalar loss is returned as it is). */
export function lossMean(t: Tensor): Tensor {
  return t.numel() === 1 ? t : noGrad(() => t.float().mean());
}

/**
 * Σ value·bs and Σ bs over a pass: the sum on the device in the value's dtype (float32 as fastai's
 * AvgMetric tensor; float64 stays float64), the count on the host. Shared by AvgMetric and AvgLoss.
 */
class DeviceAverage {
  /** Σ value·bs, on the device; a field, so it outlives the per-batch scope. */
  total: Tensor | null = null;
  count = 0;
  value: number | null = null;
  reset(): void {
    this.count = 0;
    this.value = null;
  }
  add(v: Tensor, bs: number): void {
    noGrad(() => {
      const x = (isFloating(v.dtype) ? v : v.float()).reshape([]).mul(bs);
      const t = this.total;
      // NOTE: written in place (and reused by the next pass), so nothing new outlives a batch or a pass
      if (!t || t.dtype !== x.dtype || t.device !== x.device) this.total = x;
      else if (this.count === 0) t.copy_(x);
      else t.add_(x);
    });
    this.count += bs;
  }
  async finalize(): Promise<void> {
    this.value = this.total && this.count ? (await this.total.itemAsync()) / this.count : null;
  }
}

/** Average of a function over batches, weighted by batch size (fastai's AvgMetric). */
export class AvgMetric implements Metric {
  readonly name: string;
  private readonly avg = new DeviceAverage();
  constructor(private readonly fn: MetricFn, name?: string) {
    this.name = name ?? fn.metricName ?? toSnake(fn.name || 'metric');
  }
  reset(): void {
    this.avg.reset();
  }
  accumulate(pred: Tensor, yb: Tensor[], bs: number): void {
    this.avg.add(noGrad(() => this.fn(pred, yb[0]!).float().mean()), bs);
  }
  finalize(): Promise<void> {
    return this.avg.finalize();
  }
  get value(): number | null {
    return this.avg.value;
  }
}

/** The loss averaged over the dataset (valid_loss). */
export class AvgLoss implements Metric {
  readonly name = 'loss';
  private readonly avg = new DeviceAverage();
  reset(): void {
    this.avg.reset();
  }
  accumulate(_p: Tensor, _y: Tensor[], bs: number, loss: Tensor | null): void {
    if (loss) this.avg.add(lossMean(loss), bs);
  }
  finalize(): Promise<void> {
    return this.avg.finalize();
  }
  get value(): number | null {
    return this.avg.value;
  }
}

/**
 * Exponentially smoothed loss with debiasing (fastai's AvgSmoothLoss, beta 0.98):
 * avg_n = beta·avg_{n-1} + (1-beta)·loss_n, value = avg_n / (1 - beta^n). Kept in float64 (fastai: a float32 tensor).
 */
export class AvgSmoothLoss {
  private avg = 0;
  private count = 0;
  constructor(readonly beta = 0.98) {}
  reset(): void {
    this.avg = 0;
    this.count = 0;
  }
  add(loss: number): void {
    this.count++;
    this.avg = this.avg * this.beta + loss * (1 - this.beta);
  }
  get value(): number | null {
    return this.count ? this.avg / (1 - this.beta ** this.count) : null;
  }
}

function toSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** fastai's accuracy: argmax over the last dim equals the target. */
export const accuracy: MetricFn = (pred, targ) => {
  const p = pred.argmax(-1);
  if (p.numel() !== targ.numel())
    throw new ShapeError(`accuracy: predictions ${fmtShape(pred.shape)} (argmax → ${fmtShape(p.shape)}) do not match targets ${fmtShape(targ.shape)}`);
  return p.eq(targ.reshape(p.shape)).float().mean();
};
accuracy.metricName = 'accuracy';

/** 1 - accuracy. */
export const errorRate: MetricFn = (pred, targ) => accuracy(pred, targ).neg().add(1);
errorRate.metricName = 'error_rate';

/** Multi-label / single-output accuracy with a threshold (fastai's accuracy_multi, sigmoid applied). */
export function accuracyMulti(thresh = 0.5, sigmoid = true): MetricFn {
  const f: MetricFn = (pred, targ) => (sigmoid ? pred.sigmoid() : pred).gt(thresh).eq(targ.bool()).float().mean();
  f.metricName = 'accuracy_multi';
  return f;
}

export function toMetric(m: Metric | MetricFn): Metric {
  return typeof m === 'function' ? new AvgMetric(m) : m;
}
