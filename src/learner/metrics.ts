// Metrics as fastai/learner.py and fastai/metrics.py: a plain function (pred, targ) → scalar tensor is
// wrapped in AvgMetric, averaged over the validation set weighted by batch size.
import { noGrad } from '../autograd/grad_mode.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Metric {
  readonly name: string;
  reset(): void;
  /** Called after each validation batch (pred, targets, batch size, loss). */
  accumulate(pred: Tensor, yb: Tensor[], bs: number, loss: Tensor | null): Promise<void> | void;
  readonly value: number | null;
}

export type MetricFn = ((pred: Tensor, targ: Tensor) => Tensor) & { metricName?: string };

const scalar = async (t: Tensor): Promise<number> => (await t.dataAsync())[0]!;

/** The mean of a loss tensor as a number (fastai's `learn.loss.mean()`; a scalar loss is read as it is). */
export async function scalarMean(t: Tensor): Promise<number> {
  if (t.numel() === 1) return scalar(t);
  return scalar(noGrad(() => t.float().mean()));
}

/** Average of a function over batches, weighted by batch size. */
export class AvgMetric implements Metric {
  private total = 0;
  private count = 0;
  readonly name: string;
  constructor(private readonly fn: MetricFn, name?: string) {
    this.name = name ?? fn.metricName ?? toSnake(fn.name || 'metric');
  }
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
  async accumulate(pred: Tensor, yb: Tensor[], bs: number): Promise<void> {
    const v = noGrad(() => this.fn(pred, yb[0]!).float().mean());
    this.total += (await scalar(v)) * bs;
    this.count += bs;
  }
  get value(): number | null {
    return this.count ? this.total / this.count : null;
  }
}

/** The loss averaged over the dataset (valid_loss). */
export class AvgLoss implements Metric {
  readonly name = 'loss';
  private total = 0;
  private count = 0;
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
  async accumulate(_p: Tensor, _y: Tensor[], bs: number, loss: Tensor | null): Promise<void> {
    if (!loss) return;
    this.total += (await scalarMean(loss)) * bs;
    this.count += bs;
  }
  get value(): number | null {
    return this.count ? this.total / this.count : null;
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
