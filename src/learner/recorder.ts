// fastai's Recorder (fastai/learner.py): per-batch smoothed losses and lrs, per-epoch values keyed by metric
// name, and the plots `plotLoss` / `plotMetrics` as Vega-Lite specs, saved as SVG/PNG.
//
// NOTE: the spec builders are pure functions from plot/ (a leaf any layer may use); writing a file goes
// through plot/writer.ts, which the Node entry connects to viz's renderer (vega + sharp): the learner
// layer never imports viz, and a browser bundle never pulls in the renderer.
import { FastgradError } from '../errors.js';
import { type TopLevelSpec, lossSpec, metricSpec } from '../plot/specs.js';
import { writePlot } from '../plot/writer.js';
import { Callback } from './callback.js';
import { AvgLoss, AvgSmoothLoss, scalarMean } from './metrics.js';

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
  private epochSum = 0;
  private epochCount = 0;
  private readonly validLoss = new AvgLoss();
  private start = 0;

  constructor(beta = 0.98) {
    super();
    this.smooth = new AvgSmoothLoss(beta);
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
      const v = await scalarMean(l.loss);
      this.smooth.add(v);
      this.epochSum += v;
      this.epochCount++;
      this.batchLosses.push(v);
      this.losses.push(this.smooth.value!);
      this.lrs.push(l.opt?.lr ?? l.lr);
      l.smoothLoss = this.smooth.value;
    } else {
      const bs = l.yb[0]!.shape[0] ?? 1;
      await this.validLoss.accumulate(l.pred, l.yb, bs, l.loss);
      for (const m of l.metrics) await m.accumulate(l.pred, l.yb, bs, l.loss);
    }
  }
  afterEpoch(): void {
    const l = this.learn;
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
