// The Learner's event chain, callbacks and input checks, on every backend (training and metrics:
// training.test.ts; progress output: progress.test.ts; when the training path reads: reads.test.ts).
import { describe, expect, it } from 'vitest';
import { isGradEnabled, optim } from '../../src/index.js';
import {
  Callback, CancelBackwardException, CancelBatchException, CancelEpochException, CancelFitException, CancelStepException,
  CancelTrainException, CancelValidException, Learner,
} from '../../src/learner/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val } from '../helpers/read.js';
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
describeBackends('Learner', () => {
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
        expect(await val(model.weight)).toBe(0.5); // the only batch made no update
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
      // TerminateOnNaN checks each loss when the Recorder reads it (no afterBatch of its own)
      expect(lines).toContain('         - afterBatch         : [TrainEvalCallback, Recorder, ProgressCallback]');
      expect(lines).toContain('     - afterTrain         : [Recorder]'); // reads the epoch's last losses
      expect(lines).toContain('         - **CBs same as train batch**');
      expect(lines.slice(-3)).toEqual(['End Fit', ' - afterCancelFit     : []', ' - afterFit           : [Recorder]']);
      const printed: string[] = [];
      learn.showTrainingLoop((s) => printed.push(s));
      expect(printed).toEqual([text]);
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
});
