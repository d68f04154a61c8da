import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Tensor, isGradEnabled, optim } from '../../src/node.js'; // the Node entry: plotLoss writes files
import { AvgSmoothLoss, Learner } from '../../src/learner/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val } from '../helpers/read.js';
import { linearData, linearModel, mse } from './helpers.js';

const quiet = { progress: 'never' as const };

/** A loss of exactly 1, 2, 3, ... on successive training batches (0.5 on validation), still differentiable. */
function scriptedLoss(): (p: Tensor, t: Tensor) => Tensor {
  let k = 0;
  return (p) => p.sum().mul(0).add(isGradEnabled() ? ++k : 0.5);
}

describeBackends('Recorder values', () => {
  // 2 epochs of 2 training batches: raw losses 1, 2 | 3, 4.
  const fitScripted = async () => {
    const learn = new Learner(linearData({ nTrain: 4, nValid: 2, bs: 2 }), linearModel(), {
      lossFunc: scriptedLoss(), optFunc: optim.sgd(), metrics: [(_p: Tensor, t: Tensor) => t.mean()], ...quiet,
    });
    await learn.fit(2, 0.1);
    return learn;
  };

  it('smooths the training loss with beta 0.98 and debiasing, as a hand computation', async () => {
    const r = (await fitScripted()).recorder;
    // avg_n = 0.98·avg_{n-1} + 0.02·loss_n; smoothed_n = avg_n / (1 - 0.98^n):
    // n=1: 0.02/0.02 = 1;  n=2: (0.0196 + 0.04)/0.0396 = 1.50505…;  n=3: (0.058408 + 0.06)/0.058808 = 2.01346…;
    // n=4: (0.11603984 + 0.08)/0.07763184 = 2.52525…
    const hand = [1, 0.0596 / 0.0396, 0.118408 / 0.058808, 0.19603984 / 0.07763184];
    expect(r.batchLosses).toEqual([1, 2, 3, 4]);
    r.losses.forEach((v, i) => expect(v).toBeCloseTo(hand[i]!, 12));
    expect(hand[3]).toBeCloseTo(2.525250464242503, 12);
    const s = new AvgSmoothLoss();
    [1, 2, 3, 4].forEach((v) => s.add(v));
    expect(s.value).toBeCloseTo(hand[3]!, 12);
  });

  it('records per epoch: smoothed train_loss (not reset between epochs), the plain mean, valid_loss and metrics by name', async () => {
    const learn = await fitScripted();
    const r = learn.recorder;
    expect(r.values.map((v) => v.epoch)).toEqual([0, 1]);
    expect(r.values[0]!.trainLoss).toBeCloseTo(1.505050505050502, 12);
    expect(r.values[1]!.trainLoss).toBeCloseTo(2.525250464242503, 12);
    expect(r.values.map((v) => v.trainLossMean)).toEqual([1.5, 3.5]);
    expect(r.values.map((v) => v.validLoss)).toEqual([0.5, 0.5]);
    const ys = linearData({ nTrain: 4, nValid: 2, bs: 2 }).valid.dataset as unknown as { tensors: Tensor[] };
    const targMean = await val(ys.tensors[1]!.mean());
    expect(r.values[1]!.metrics).toEqual({ metric: expect.closeTo(targMean, 6) });
    expect(r.metricNames).toEqual(['epoch', 'train_loss', 'valid_loss', 'metric', 'time']);
    const by = r.valuesByName();
    expect(Object.keys(by)).toEqual(['train_loss', 'train_loss_mean', 'valid_loss', 'metric', 'seconds']);
    expect(by.train_loss_mean).toEqual([1.5, 3.5]);
    expect(by.seconds!.every((s) => s! >= 0)).toBe(true);
    expect(r.finalRecord).toEqual([r.values[1]!.trainLoss, 0.5, r.values[1]!.metrics.metric]);
    expect(learn.finalRecord).toEqual(r.finalRecord);
    expect(learn.smoothLoss).toBe(r.losses.at(-1));
  });

  it('records the lr of every batch and the batch count at each epoch end', async () => {
    const r = (await fitScripted()).recorder;
    expect(r.lrs).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(r.iters).toEqual([2, 4]);
    expect(r.lossData().validLoss).toEqual([{ iter: 2, value: 0.5 }, { iter: 4, value: 0.5 }]);
  });

  it('starts afresh at each fit', async () => {
    const learn = await fitScripted();
    await learn.fit(1, 0.2);
    expect(learn.recorder.values).toHaveLength(1);
    expect(learn.recorder.lrs).toEqual([0.2, 0.2]);
    expect(learn.recorder.batchLosses).toEqual([5, 6]);
    expect(learn.recorder.losses[0]).toBeCloseTo(5, 12); // the smoother restarts too (fastai resets it in before_fit)
  });
});

const plotsOnly = 'the plots are drawn from the Recorder\'s numbers, which Recorder values checks on every backend';
describeBackends('Recorder plots', () => {
  let dir = '';
  let learn: Learner;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fastgrad-recorder-'));
    learn = new Learner(linearData({ nTrain: 40, nValid: 8, bs: 4, noise: 0.1 }), linearModel(), {
      lossFunc: mse, optFunc: optim.sgd(), metrics: [(p: Tensor, t: Tensor) => p.sub(t).abs().mean()], ...quiet,
    });
    await learn.fit(2, 0.05); // 10 batches per epoch
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  type Rows = { data: { values: { iter: number; series: string }[] } };

  it('plotLoss: skipStart and withValid as fastai (valid at the batch count of each epoch end); writes SVG and PNG', async () => {
    const spec = (await learn.recorder.plotLoss()) as unknown as Rows;
    const train = spec.data.values.filter((r) => r.series === 'train');
    const valid = spec.data.values.filter((r) => r.series === 'valid');
    expect(train.map((r) => r.iter)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(valid.map((r) => r.iter)).toEqual([10, 20]);
    const noValid = (await learn.recorder.plotLoss(undefined, { skipStart: 12, withValid: false })) as unknown as Rows;
    expect(noValid.data.values.map((r) => r.iter)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);

    const svg = join(dir, 'loss.svg'), png = join(dir, 'loss.png');
    await learn.recorder.plotLoss(svg);
    await learn.recorder.plotLoss(png, { skipStart: 0 });
    const text = await readFile(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('learning curve');
    expect([...(await readFile(png)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await expect(learn.recorder.plotLoss(join(dir, 'loss.jpg'))).rejects.toThrow(/\.svg or \.png/);
  });

  it('plotMetrics: a losses panel and one per metric; writes PNG', async () => {
    const spec = (await learn.recorder.plotMetrics(join(dir, 'metrics.png'))) as unknown as { concat: { title: string }[]; columns: number };
    expect(spec.concat.map((p) => p.title)).toEqual(['losses', 'metric']);
    expect(spec.columns).toBe(2);
    expect((await readFile(join(dir, 'metrics.png'))).length).toBeGreaterThan(1000);
  });

  it('says what to do before any fit', async () => {
    const fresh = new Learner(linearData(), linearModel(), { lossFunc: mse, ...quiet });
    await expect(fresh.recorder.plotLoss()).rejects.toThrow(/call learn.fit first/);
    await expect(fresh.recorder.plotMetrics()).rejects.toThrow(/call learn.fit first/);
  });
}, { skip: { cpu: plotsOnly, 'cpu-async': plotsOnly } });
