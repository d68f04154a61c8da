// When the training path reads from the device (Note [When the Recorder reads], Note [Metrics on the
// device]): never synchronously; the training loss once per `readEvery` batches and at each epoch end;
// the valid loss and each metric once per validation pass; TerminateOnNaN names the exact batch of the
// first non-finite loss, however late it reads it.
import { expect, it, vi } from 'vitest';
import { Tensor, getBackend, isGradEnabled, optim, tensor } from '../../src/index.js';
import { DEFAULT_READ_EVERY, Learner, NonFiniteLossError, Recorder } from '../../src/learner/index.js';
import { describeBackends } from '../helpers/backends.js';
import { EventLog, linearData, linearModel, mse } from './helpers.js';

const quiet = { progress: 'never' as const };
const absErr = (p: Tensor, t: Tensor): Tensor => p.sub(t).abs().mean();

describeBackends('Learner reads', (device) => {
  /** Run f, counting the backend's reads and every synchronous read (they all go through Tensor.dataSync). */
  async function counted<T>(f: () => Promise<T>): Promise<{ result: T; reads: number; syncReads: number }> {
    const read = vi.spyOn(getBackend(device), 'read');
    const sync = vi.spyOn(Tensor.prototype, 'dataSync');
    try {
      const result = await f();
      return { result, reads: read.mock.calls.length, syncReads: sync.mock.calls.length };
    } finally {
      read.mockRestore();
      sync.mockRestore();
    }
  }
  /** 10 training batches of 4 and 2 validation batches per epoch. */
  const learner = (opts: { readEvery?: number } = {}) =>
    new Learner(linearData({ nTrain: 40, nValid: 8, bs: 4, noise: 0.1 }), linearModel(), { lossFunc: mse, optFunc: optim.sgd(), metrics: [absErr], ...quiet, ...opts });

  it('fit reads nothing synchronously; the loss once per readEvery batches and at each epoch end, metrics once per pass', async () => {
    const learn = learner({ readEvery: 4 });
    const { reads, syncReads } = await counted(() => learn.fit(2, 0.05));
    expect(syncReads).toBe(0);
    // per epoch: losses after batches 4 and 8 and at the epoch end (ceil(10 / 4) = 3), valid loss + 1 metric = 2
    expect(reads).toBe(2 * (3 + 2));
    const r = learn.recorder;
    expect([r.batchLosses.length, r.losses.length, r.lrs.length, r.iters]).toEqual([20, 20, 20, [10, 20]]);
    expect(r.batchLosses.every(Number.isFinite)).toBe(true);
    expect(learn.smoothLoss).toBe(r.losses.at(-1));
  });

  it(`reads every ${DEFAULT_READ_EVERY} batches by default: here once per epoch`, async () => {
    const learn = learner();
    expect(learn.recorder.readEvery).toBe(DEFAULT_READ_EVERY);
    const { reads, syncReads } = await counted(() => learn.fit(1, 0.05));
    expect([reads, syncReads]).toEqual([1 + 2, 0]);
  });

  it('records the same per-batch values whatever readEvery is (the buffer is read in batch order)', async () => {
    const runs: Recorder[] = [];
    for (const readEvery of [1, 3, 16]) {
      const learn = learner({ readEvery });
      await learn.fit(2, 0.05);
      runs.push(learn.recorder);
    }
    for (const r of runs.slice(1)) {
      expect(r.batchLosses).toEqual(runs[0]!.batchLosses);
      expect(r.losses).toEqual(runs[0]!.losses);
      expect(r.lrs).toEqual(runs[0]!.lrs);
      expect(r.values.map((v) => [v.trainLoss, v.trainLossMean, v.validLoss, v.metrics])).toEqual(runs[0]!.values.map((v) => [v.trainLoss, v.trainLossMean, v.validLoss, v.metrics]));
    }
  });

  it('validate reads the valid loss and each metric once; predict reads its class once; neither synchronously', async () => {
    const learn = learner();
    const v = await counted(() => learn.validate());
    expect([v.reads, v.syncReads]).toEqual([2, 0]);
    expect(v.result).toHaveLength(2);
    const p = await counted(() => learn.predict(tensor([0.5], { dtype: 'float32' })));
    expect([p.reads, p.syncReads, p.result.decoded]).toEqual([1, 0, 0]); // w = b = 0: sigmoid(0) = 0.5, not > 0.5
  });

  it('readEvery Infinity reads once per epoch; one that is not a positive integer is rejected', async () => {
    const { reads } = await counted(() => learner({ readEvery: Infinity }).fit(2, 0.05));
    expect(reads).toBe(2 * (1 + 2));
    for (const bad of [0, -1, 2.5, NaN]) expect(() => learner({ readEvery: bad })).toThrow(/Recorder: readEvery must be a positive integer \(batches between loss reads\) or Infinity \(once per epoch\), got/);
  });

  /** A loss of 1 on every training batch but the `bad`-th (0-based), which is NaN. */
  const nanAt = (bad: number) => {
    let k = 0;
    return (p: Tensor, t: Tensor): Tensor => {
      const v = isGradEnabled() ? (k++ === bad ? NaN : 1) : 0.5;
      return mse(p, t).mul(0).add(v);
    };
  };

  it('TerminateOnNaN names the epoch, batch and lr of the first NaN when it reads it later; later losses are not recorded', async () => {
    const log = new EventLog();
    const learn = new Learner(linearData({ nTrain: 40, nValid: 8, bs: 4 }), linearModel(), { lossFunc: nanAt(5), optFunc: optim.sgd(), cbs: [log], readEvery: 4, ...quiet });
    const err = await learn.fit(3, 0.1).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    // batches 4..7 are read after batch 7: training ran 2 batches past the bad one
    expect((err as Error).message).toBe(
      'loss became NaN at epoch 0, batch 5 (lr 0.1): training stopped (seen when the losses were read, at epoch 0, batch 7). Try a lower learning rate or check the inputs for nan.',
    );
    expect(learn.recorder.batchLosses).toEqual([1, 1, 1, 1, 1]);
    expect(log.events.slice(-2)).toEqual(['afterCancelFit', 'afterFit']);
    expect(log.events.filter((e) => e === 'beforeBatch')).toHaveLength(8);
  });

  it('with readEvery 1 it stops at the bad batch itself', async () => {
    const learn = new Learner(linearData({ nTrain: 40, nValid: 8, bs: 4 }), linearModel(), { lossFunc: nanAt(12), optFunc: optim.sgd(), readEvery: 1, ...quiet });
    const err = await learn.fit(3, 0.1).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(/^loss became NaN at epoch 1, batch 2 \(lr 0\.1\): training stopped\. Try a lower/);
    expect(learn.recorder.batchLosses).toHaveLength(12);
    expect(learn.recorder.values).toHaveLength(1); // the first epoch was recorded
  });
});
