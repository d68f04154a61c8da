import { describe, expect, it } from 'vitest';
import { type Tensor, arange, isGradEnabled, manualSeed, nn, optim, tensor } from '../../src/index.js';
import { DataLoader, DataLoaders, zip } from '../../src/data/index.js';
import {
  Callback, CancelBackwardException, CancelBatchException, CancelEpochException, CancelFitException, CancelStepException,
  CancelTrainException, CancelValidException, Learner, NonFiniteLossError, ProgressCallback,
} from '../../src/learner/index.js';
import { EventLog, TRAIN_BATCH, Thrower, VALID_BATCH, linearData, linearModel, mse } from './helpers.js';

/** 4 train items in batches of 2 and 2 valid items in one batch: 2 train + 1 valid batches per epoch. */
const small = () => linearData({ nTrain: 4, nValid: 2, bs: 2 });
const quiet = { progress: 'never' as const };
const sgd = optim.sgd();

/** fastai's event sequence for one epoch with `nTrain` train and `nValid` valid batches. */
function epochEvents(nTrain = 2, nValid = 1): string[] {
  return [
    'beforeEpoch', 'beforeTrain', ...Array(nTrain).fill(TRAIN_BATCH).flat(), 'afterTrain',
    'beforeValidate', ...Array(nValid).fill(VALID_BATCH).flat(), 'afterValidate', 'afterEpoch',
  ];
}

describe('Learner events (fastai order)', () => {
  it('fires the fastai sequence for a 2-epoch fit with 2 train + 1 valid batches', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log], ...quiet });
    await learn.fit(2, 0.1);
    // fastai/learner.py: after_create at construction, then _do_fit → _do_epoch → _do_epoch_train/_validate → one_batch.
    expect(log.events).toEqual(['afterCreate', 'beforeFit', ...epochEvents(), ...epochEvents(), 'afterFit']);
  });

  it('CancelBatchException: afterCancelBatch then afterBatch; the step is skipped and the next batch runs', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('afterLoss', () => new CancelBatchException())], ...quiet });
    await learn.fit(1, 0.1);
    expect(log.events).toEqual([
      'afterCreate', 'beforeFit', 'beforeEpoch', 'beforeTrain',
      'beforeBatch', 'afterPred', 'afterLoss', 'afterCancelBatch', 'afterBatch',
      ...TRAIN_BATCH, 'afterTrain', 'beforeValidate', ...VALID_BATCH, 'afterValidate', 'afterEpoch', 'afterFit',
    ]);
  });

  it('CancelTrainException: afterCancelTrain, afterTrain, then validation still runs', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('beforeBatch', () => new CancelTrainException(), 1)], ...quiet });
    await learn.fit(1, 0.1);
    expect(log.events).toEqual([
      'afterCreate', 'beforeFit', 'beforeEpoch', 'beforeTrain', ...TRAIN_BATCH,
      'beforeBatch', 'afterCancelTrain', 'afterTrain', 'beforeValidate', ...VALID_BATCH, 'afterValidate', 'afterEpoch', 'afterFit',
    ]);
  });

  it('CancelValidException: afterCancelValidate, afterValidate, afterEpoch', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('beforeValidate', () => new CancelValidException())], ...quiet });
    await learn.fit(1, 0.1);
    expect(log.events.slice(-6)).toEqual(['afterTrain', 'beforeValidate', 'afterCancelValidate', 'afterValidate', 'afterEpoch', 'afterFit']);
    expect(learn.recorder.values[0]!.validLoss).toBeNull();
  });

  it('CancelEpochException: skips the rest of the epoch (validation too), afterCancelEpoch, afterEpoch, next epoch runs', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('afterTrain', () => new CancelEpochException())], ...quiet });
    await learn.fit(2, 0.1);
    const first = ['beforeEpoch', 'beforeTrain', ...TRAIN_BATCH, ...TRAIN_BATCH, 'afterTrain', 'afterCancelEpoch', 'afterEpoch'];
    expect(log.events).toEqual(['afterCreate', 'beforeFit', ...first, ...epochEvents(), 'afterFit']);
  });

  it('CancelFitException: afterCancelFit then afterFit; no more epochs; fit resolves', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('afterEpoch', () => new CancelFitException(), 0, 55)], ...quiet });
    await learn.fit(3, 0.1);
    expect(log.events).toEqual(['afterCreate', 'beforeFit', ...epochEvents(), 'afterCancelFit', 'afterFit']);
    expect(learn.recorder.values).toHaveLength(1);
  });

  it('CancelBackwardException / CancelStepException skip the backward pass / the update', async () => {
    for (const [event, Ex, cancelEvent] of [['beforeBackward', CancelBackwardException, 'afterCancelBackward'], ['beforeStep', CancelStepException, 'afterCancelStep']] as const) {
      const log = new EventLog();
      const model = linearModel(0.5, 0.5);
      const learn = new Learner(linearData({ nTrain: 2, nValid: 2, bs: 2 }), model, { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower(event, () => new Ex())], ...quiet });
      await learn.fit(1, 0.1);
      const after = event === 'beforeBackward' ? 'afterBackward' : 'afterStep';
      const i = log.events.indexOf(event);
      expect(log.events.slice(i, i + 3)).toEqual([event, cancelEvent, after]);
      expect(model.weight.item()).toBe(0.5); // the only batch made no update
    }
  });

  it('a cancel of another kind propagates past an inner phase (CancelFitException raised in beforeBatch)', async () => {
    const log = new EventLog();
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [log, new Thrower('beforeBatch', () => new CancelFitException())], ...quiet });
    await learn.fit(2, 0.1);
    expect(log.events).toEqual(['afterCreate', 'beforeFit', 'beforeEpoch', 'beforeTrain', 'beforeBatch', 'afterCancelFit', 'afterFit']);
  });
});

describe('Learner callbacks', () => {
  class Named extends Callback {
    constructor(readonly tag: string, order: number, readonly out: string[]) {
      super();
      this.order = order;
    }
    beforeFit(): void {
      this.out.push(this.tag);
    }
  }

  it('runs callbacks sorted by order (ties in the order they were added), defaults included', async () => {
    const out: string[] = [];
    const cbs = [new Named('c', 5, out), new Named('a', -20, out), new Named('b', 5, out), new Named('d', 55, out)];
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs, ...quiet });
    await learn.fit(1);
    expect(out).toEqual(['a', 'c', 'b', 'd']);
    expect(learn.orderedCbs().map((c) => c.constructor.name)).toEqual(['Named', 'TrainEvalCallback', 'TerminateOnNaN', 'Named', 'Named', 'Recorder', 'Named', 'ProgressCallback']);
  });

  it('runTrain / runValid only gate the per-batch events; run = false skips a callback until the end of fit', async () => {
    class Counter extends Callback {
      batches: boolean[] = [];
      epochs = 0;
      afterBatch(): void {
        this.batches.push(this.learn.training);
      }
      afterEpoch(): void {
        this.epochs++;
      }
    }
    const trainOnly = new Counter(), validOnly = new Counter();
    validOnly.runTrain = false;
    trainOnly.runValid = false;
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [trainOnly, validOnly], ...quiet });
    await learn.fit(2);
    expect(trainOnly.batches).toEqual([true, true, true, true]);
    expect(validOnly.batches).toEqual([false, false]);
    expect([trainOnly.epochs, validOnly.epochs]).toEqual([2, 2]);

    class Off extends Counter {
      beforeFit(): void {
        this.run = false;
      }
    }
    const off = new Off();
    await learn.fit(1, 0.1, { cbs: [off] });
    expect([off.batches.length, off.epochs, off.run]).toEqual([0, 0, true]);
    expect(learn.cbs).not.toContain(off); // fit's cbs are removed afterwards
  });

  it('an error inside a callback names the callback and the event', async () => {
    class Exploder extends Callback {
      afterLoss(): void {
        throw new Error('boom');
      }
    }
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, optFunc: sgd, cbs: [new Exploder()], ...quiet });
    await expect(learn.fit(1)).rejects.toThrow('boom (in callback Exploder, event afterLoss)');
    expect(isGradEnabled()).toBe(true);
  });

  it('afterCreate must be synchronous', () => {
    class AsyncCreate extends Callback {
      async afterCreate(): Promise<void> {}
    }
    expect(() => new Learner(small(), linearModel(), { lossFunc: mse, cbs: [new AsyncCreate()], ...quiet })).toThrow(/afterCreate returned a Promise/);
  });

  it('showTrainingLoop lists the callbacks of each event, indented like fastai', () => {
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, ...quiet });
    const text = learn.showTrainingLoop(null);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Start Fit');
    expect(lines[1]).toBe('   - beforeFit          : [TrainEvalCallback, Recorder, ProgressCallback]');
    expect(lines).toContain('      Start Batch Loop');
    expect(lines).toContain('         - afterBatch         : [TrainEvalCallback, TerminateOnNaN, Recorder, ProgressCallback]');
    expect(lines).toContain('         - **CBs same as train batch**');
    expect(lines.slice(-3)).toEqual(['End Fit', ' - afterCancelFit     : []', ' - afterFit           : []']);
    const printed: string[] = [];
    learn.showTrainingLoop((s) => printed.push(s));
    expect(printed).toEqual([text]);
  });
});

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
    expect(model.weight.item()).toBeCloseTo(2, 1);
    expect(model.bias!.item()).toBeCloseTo(1, 1);
  });

  it('hyper-parameters change through opt.setHyper between batches (a schedule callback)', async () => {
    const schedule = [0, 0.1, 0.05, 0.2];
    class Sched extends Callback {
      snapshots: number[][] = [];
      beforeBatch(): void {
        if (!this.learn.training) return;
        this.learn.opt!.setHyper('lr', schedule[this.learn.trainIter]!);
        this.snapshots.push([this.learn.model.parameters()[0]!.item()]);
      }
      afterStep(): void {
        this.snapshots.at(-1)!.push(this.learn.model.parameters()[0]!.item());
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
  const x = arange(5).float().unsqueeze(1);
  const y = tensor([[1], [0], [0], [0], [1]]);
  const uneven = () => new DataLoaders(new DataLoader(zip(x, y), { batchSize: 2 }), new DataLoader(zip(x, y), { batchSize: 2 }));
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
    expect(preds.tolist()).toEqual([[0], [1], [2], [3], [4]]);
    expect(preds.requiresGrad).toBe(false);
    expect(targs!.tolist()).toEqual(y.tolist());
    expect(modes).toEqual([false, false, false]);
    const withAct = await learn.getPreds(learn.dls.valid, { act: (t) => t.mul(10), withInput: true });
    expect(withAct.preds.tolist()).toEqual([[0], [10], [20], [30], [40]]);
    expect(withAct.inputs!.tolist()).toEqual(x.tolist());
    const lossFunc = Object.assign((p: Tensor, t: Tensor) => mse(p, t), { activation: (t: Tensor) => t.neg() });
    const learn2 = new Learner(uneven(), linearModel(1, 0), { lossFunc, ...quiet });
    expect((await learn2.getPreds()).preds.flatten().tolist()).toEqual([-0, -1, -2, -3, -4]);
  });

  it('getPreds on a loader without targets: preds only, afterLoss still fires', async () => {
    const log = new EventLog();
    const learn = new Learner(uneven(), linearModel(2, 0), { lossFunc: mse, cbs: [log], ...quiet });
    const { preds, targs } = await learn.getPreds(new DataLoader(x, { batchSize: 4 }));
    expect(preds.flatten().tolist()).toEqual([0, 2, 4, 6, 8]);
    expect(targs).toBeNull();
    expect(log.events.filter((e) => e === 'afterLoss')).toHaveLength(2);
  });

  it('predict runs one item in eval mode and decodes it', () => {
    const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Dropout(0.5));
    const learn = new Learner(uneven(), net, { lossFunc: mse, ...quiet });
    net.train();
    const item = tensor([0.5, -1]);
    const a = learn.predict(item), b = learn.predict(item);
    expect(a.raw.shape).toEqual([3]);
    expect(a.raw.tolist()).toEqual(b.raw.tolist()); // dropout off in eval mode
    expect(a.probs.sum().item()).toBeCloseTo(1, 6);
    expect(a.decoded).toBe(a.probs.argmax().item());
    expect(net.training).toBe(true);
    const single = new Learner(uneven(), linearModel(1, 0), { lossFunc: mse, ...quiet }).predict(tensor([3]).float());
    expect(single.decoded).toBe(1);
    expect(single.probs.item()).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
  });
});

describe('progress output', () => {
  const run = async (mode: 'auto' | 'always' | 'never', tty: boolean) => {
    const out: string[] = [];
    const learn = new Learner(small(), linearModel(), {
      lossFunc: mse, optFunc: sgd, metrics: [(p: Tensor, t: Tensor) => p.sub(t).abs().mean()],
      cbs: [new ProgressCallback(mode, (s) => out.push(s), { tty })],
    });
    await learn.fit(2, 0.1);
    return out.join('');
  };

  it("prints fastai's table (epoch train_loss valid_loss <metrics> time) in 'always' mode", async () => {
    const text = await run('always', false);
    const lines = text.split('\n');
    expect(lines[0]).toBe('epoch     train_loss  valid_loss  metric    time');
    expect(lines[1]).toMatch(/^0 {9}\d+\.\d{6} {2,}\d+\.\d{6} {2,}\d+\.\d{6} {2,}\d\d:\d\d$/);
    expect(lines[2]).toMatch(/^1 {9}/);
    expect(lines).toHaveLength(4); // header, 2 rows, trailing ''
    expect(text).not.toContain('\r');
  });

  it('draws a bar on a terminal and prints nothing in never / non-TTY auto mode', async () => {
    expect(await run('always', true)).toMatch(/\rtrain \|█+-*\| 1\/2/);
    expect(await run('auto', true)).toContain('train_loss');
    expect(await run('never', true)).toBe('');
    expect(await run('auto', false)).toBe('');
  });

  it('formats times as fastprogress does', async () => {
    const { formatTime } = await import('../../src/learner/index.js');
    expect([formatTime(0.4), formatTime(61.9), formatTime(3725)]).toEqual(['00:00', '01:01', '1:02:05']);
  });
});

describe('Learner input checks', () => {
  it('needs a loss function, loaders, and sane fit arguments', async () => {
    expect(() => new Learner(small(), linearModel(), {} as never)).toThrow(/lossFunc/);
    expect(() => new Learner({} as never, linearModel(), { lossFunc: mse })).toThrow(/train and a valid loader/);
    const learn = new Learner(small(), linearModel(), { lossFunc: mse, ...quiet });
    await expect(learn.fit(1.5)).rejects.toThrow(/nEpoch must be a non-negative integer, got 1.5/);
    await expect(learn.fit(1, -1)).rejects.toThrow(/lr must be a non-negative number/);
    expect(() => learn.addCb({} as never)).toThrow(/expected a Callback instance/);
  });
});
