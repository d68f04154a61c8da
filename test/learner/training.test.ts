// Learner training, metrics, validate, getPreds and predict on every backend, reading values with
// awaited reads (so the suite runs on the async-only backend too).
import { describe, expect, it } from 'vitest';
import { type Tensor, arange, isGradEnabled, manualSeed, nn, optim, tensor } from '../../src/index.js';
import { DataLoader, DataLoaders, zip } from '../../src/data/index.js';
import { Callback, Learner, NonFiniteLossError } from '../../src/learner/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val, vals } from '../helpers/read.js';
import { EventLog, linearData, linearModel, mse } from './helpers.js';

/** 4 train items in batches of 2 and 2 valid items in one batch: 2 train + 1 valid batches per epoch. */
const small = () => linearData({ nTrain: 4, nValid: 2, bs: 2 });
const quiet = { progress: 'never' as const };
const sgd = optim.sgd();

describeBackends('Learner', () => {
  describe('Learner training', () => {
    it('trains a tiny regression with the default optimizer (fastai Adam)', async () => {
      manualSeed(1);
      const model = new nn.Linear(1, 1);
      const learn = new Learner(linearData({ nTrain: 64, nValid: 16, bs: 16, noise: 0.01 }), model, { lossFunc: mse, lr: 0.1, ...quiet });
      await learn.fit(30);
      expect(learn.opt).toBeInstanceOf(optim.Adam);
      const v = learn.recorder.values;
      expect(v.at(-1)!.validLoss!).toBeLessThan(0.01);
      expect(v.at(-1)!.validLoss!).toBeLessThan(v[0]!.validLoss! / 10);
      expect(await val(model.weight)).toBeCloseTo(2, 1);
      expect(await val(model.bias!)).toBeCloseTo(1, 1);
    });

    it('hyper-parameters change through opt.setHyper between batches (a schedule callback)', async () => {
      const schedule = [0, 0.1, 0.05, 0.2];
      class Sched extends Callback {
        snapshots: number[][] = [];
        async beforeBatch(): Promise<void> {
          if (!this.learn.training) return;
          this.learn.opt!.setHyper('lr', schedule[this.learn.trainIter]!);
          this.snapshots.push([await val(this.learn.model.parameters()[0]!)]);
        }
        async afterStep(): Promise<void> {
          this.snapshots.at(-1)!.push(await val(this.learn.model.parameters()[0]!));
        }
      }
      const sched = new Sched();
      const learn = new Learner(small(), linearModel(0.5, 0), { lossFunc: mse, optFunc: sgd, cbs: [sched], ...quiet });
      await learn.fit(2, 0.1);
      expect(learn.recorder.lrs).toEqual(schedule);
      expect(learn.opt!.paramGroups[0]!.hypers.lr).toBe(0.2);
      expect(sched.snapshots[0]![0]).toBe(sched.snapshots[0]![1]); // lr 0: no change
      expect(sched.snapshots[1]![0]).not.toBe(sched.snapshots[1]![1]);
    });

    it('fit(n, lr, {wd}) sets the optimizer hypers; resetOpt makes a new optimizer', async () => {
      const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, wd: 0.1, ...quiet });
      await learn.fit(1, 0.05);
      const opt = learn.opt!;
      expect(opt.paramGroups[0]!.hypers).toMatchObject({ lr: 0.05, wd: 0.1 });
      await learn.fit(1, 0.01, { wd: 0 });
      expect(learn.opt).toBe(opt);
      expect(opt.paramGroups[0]!.hypers).toMatchObject({ lr: 0.01, wd: 0 });
      await learn.fit(1, undefined, { resetOpt: true });
      expect(learn.opt).not.toBe(opt);
      expect(learn.opt!.lr).toBe(1e-3);
    });

    it('gradients are nulled between steps; learn.loss is detached; the last batch is released after fit', async () => {
      class Probe extends Callback {
        before: (Tensor | null)[][] = [];
        after: (Tensor | null)[][] = [];
        lossRequiresGrad: boolean[] = [];
        afterLoss(): void {
          if (this.learn.training) this.lossRequiresGrad.push(this.learn.loss!.requiresGrad, this.learn.lossGrad!.requiresGrad);
        }
        beforeBackward(): void {
          this.before.push(this.learn.model.parameters().map((p) => p.grad));
        }
        afterBackward(): void {
          this.after.push(this.learn.model.parameters().map((p) => p.grad));
        }
      }
      const probe = new Probe();
      const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [probe], ...quiet });
      await learn.fit(2, 0.1);
      expect(probe.before).toHaveLength(4);
      expect(probe.before.flat().every((g) => g === null)).toBe(true);
      expect(probe.after.flat().every((g) => g !== null)).toBe(true);
      expect(learn.model.parameters().every((p) => p.grad === null)).toBe(true);
      expect(probe.lossRequiresGrad).toEqual([false, true, false, true, false, true, false, true]);
      expect([learn.pred, learn.loss, learn.lossGrad, learn.dl, learn.xb.length]).toEqual([null, null, null, null, 0]);
    });

    it('validation runs in eval mode without grad; training in train mode with grad', async () => {
      const seen: string[] = [];
      class Mode extends nn.Module {
        lin = linearModel(1, 0);
        forward(x: Tensor): Tensor {
          seen.push(`${this.training ? 'train' : 'eval'}:${isGradEnabled() ? 'grad' : 'nograd'}`);
          return this.lin.call(x);
        }
      }
      const learn = new Learner(small(), new Mode(), { lossFunc: mse, optFunc: sgd, ...quiet });
      await learn.fit(1);
      expect(seen).toEqual(['train:grad', 'train:grad', 'eval:nograd']);
    });

    it('stops with NonFiniteLossError naming epoch, batch and lr when the loss becomes nan/inf (lr far too high)', async () => {
      const log = new EventLog();
      const learn = new Learner(linearData({ nTrain: 64, nValid: 8, bs: 8 }), linearModel(1, 1), { lossFunc: mse, optFunc: sgd, cbs: [log], ...quiet });
      const err = await learn.fit(5, 1e6).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteLossError);
      expect((err as Error).message).toMatch(/^loss became (NaN|Infinity) at epoch \d+, batch \d+ \(lr 1000000\): training stopped/);
      expect(log.events.slice(-2)).toEqual(['afterCancelFit', 'afterFit']);
      expect(learn.recorder.losses.every(Number.isFinite)).toBe(true); // order −9: the bad batch is not recorded
      expect(isGradEnabled()).toBe(true);
    });
  });

  describe('Learner metrics, validate, getPreds, predict', () => {
    // 5 valid items in batches of 2, 2, 1: a plain mean of batch means would be wrong.
    // made in each test, on the suite's device
    const x = () => arange(5).float().unsqueeze(1);
    const y = () => tensor([[1], [0], [0], [0], [1]]);
    const uneven = () => new DataLoaders(new DataLoader(zip(x(), y()), { batchSize: 2 }), new DataLoader(zip(x(), y()), { batchSize: 2 }));
    const targMean = (_p: Tensor, t: Tensor): Tensor => t.float().mean();

    it('averages metrics and the valid loss by batch size (uneven last batch)', async () => {
      const learn = new Learner(uneven(), linearModel(0, 0), { lossFunc: mse, optFunc: sgd, metrics: [targMean], ...quiet });
      const [loss, m] = await learn.validate();
      expect(m).toBeCloseTo(2 / 5, 6); // batch means 0.5, 0, 1 would average to 0.5
      expect(loss).toBeCloseTo(2 / 5, 6); // pred 0: squared error 1 on two of five items
      expect(learn.metrics[0]!.name).toBe('targ_mean');
    });

    it('validate keeps the training history and returns [valid_loss, ...metrics]', async () => {
      const learn = new Learner(uneven(), linearModel(0, 0), { lossFunc: mse, optFunc: sgd, metrics: [targMean], ...quiet });
      await learn.fit(2, 0.01);
      const values = [...learn.recorder.values], losses = [...learn.recorder.losses];
      const res = await learn.validate();
      expect(res).toEqual(learn.recorder.lastValid);
      expect(res[0]).toBeCloseTo(values[1]!.validLoss!, 6);
      expect(learn.recorder.values).toEqual(values);
      expect(learn.recorder.losses).toEqual(losses);
    });

    it('getPreds keeps item order, runs in eval mode without grad, applies act', async () => {
      const modes: boolean[] = [];
      class Spy extends nn.Module {
        lin = linearModel(1, 0);
        forward(t: Tensor): Tensor {
          modes.push(this.training);
          return this.lin.call(t);
        }
      }
      const learn = new Learner(uneven(), new Spy(), { lossFunc: mse, optFunc: sgd, ...quiet });
      learn.model.train();
      const { preds, targs } = await learn.getPreds();
      expect(await vals(preds)).toEqual([[0], [1], [2], [3], [4]]);
      expect(preds.requiresGrad).toBe(false);
      expect(await vals(targs!)).toEqual([[1], [0], [0], [0], [1]]);
      expect(modes).toEqual([false, false, false]);
      const withAct = await learn.getPreds(learn.dls.valid, { act: (t) => t.mul(10), withInput: true });
      expect(await vals(withAct.preds)).toEqual([[0], [10], [20], [30], [40]]);
      expect(await vals(withAct.inputs!)).toEqual([[0], [1], [2], [3], [4]]);
      const lossFunc = Object.assign((p: Tensor, t: Tensor) => mse(p, t), { activation: (t: Tensor) => t.neg() });
      const learn2 = new Learner(uneven(), linearModel(1, 0), { lossFunc, ...quiet });
      expect(await vals((await learn2.getPreds()).preds.flatten())).toEqual([-0, -1, -2, -3, -4]);
    });

    it('getPreds on a loader without targets: preds only, afterLoss still fires', async () => {
      const log = new EventLog();
      const learn = new Learner(uneven(), linearModel(2, 0), { lossFunc: mse, cbs: [log], ...quiet });
      const { preds, targs } = await learn.getPreds(new DataLoader(x(), { batchSize: 4 }));
      expect(await vals(preds.flatten())).toEqual([0, 2, 4, 6, 8]);
      expect(targs).toBeNull();
      expect(log.events.filter((e) => e === 'afterLoss')).toHaveLength(2);
    });

    it('predict runs one item in eval mode and decodes it (awaited: the class is read asynchronously)', async () => {
      const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Dropout(0.5));
      const learn = new Learner(uneven(), net, { lossFunc: mse, ...quiet });
      net.train();
      const item = tensor([0.5, -1]);
      const a = await learn.predict(item), b = await learn.predict(item);
      expect(a.raw.shape).toEqual([3]);
      expect(await vals(a.raw)).toEqual(await vals(b.raw)); // dropout off in eval mode
      expect(await val(a.probs.sum())).toBeCloseTo(1, 6);
      expect(a.decoded).toBe(await val(a.probs.argmax()));
      expect(net.training).toBe(true);
      const single = await new Learner(uneven(), linearModel(1, 0), { lossFunc: mse, ...quiet }).predict(tensor([3]).float());
      expect(single.decoded).toBe(1);
      expect(await val(single.probs)).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    });
  });
});
