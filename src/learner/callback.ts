// Callback events and cancellation, as fastai/callback/core.py: the training loop is a fixed chain of
// events; everything else (train/eval switching, recording, progress, schedules) is a callback.
import type { Learner } from './learner.js';

export const EVENTS = [
  'afterCreate', 'beforeFit', 'beforeEpoch', 'beforeTrain', 'beforeBatch', 'afterPred', 'afterLoss',
  'beforeBackward', 'afterCancelBackward', 'afterBackward', 'beforeStep', 'afterCancelStep', 'afterStep', 'afterCancelBatch', 'afterBatch',
  'afterCancelTrain', 'afterTrain', 'beforeValidate', 'afterCancelValidate', 'afterValidate',
  'afterCancelEpoch', 'afterEpoch', 'afterCancelFit', 'afterFit',
] as const;
export type Event = (typeof EVENTS)[number];

/** Raised by a callback to skip the rest of the current phase (fastai's Cancel*Exception). */
export class CancelException extends Error {
  override name = 'CancelException';
}
export class CancelBatchException extends CancelException { override name = 'CancelBatchException'; }
export class CancelTrainException extends CancelException { override name = 'CancelTrainException'; }
export class CancelValidException extends CancelException { override name = 'CancelValidException'; }
export class CancelEpochException extends CancelException { override name = 'CancelEpochException'; }
export class CancelStepException extends CancelException { override name = 'CancelStepException'; }
export class CancelBackwardException extends CancelException { override name = 'CancelBackwardException'; }
export class CancelFitException extends CancelException { override name = 'CancelFitException'; }

type Handler = () => void | Promise<void>;

/**
 * Base class: override the events you need. `order` sorts callbacks (lower runs first); `runTrain` /
 * `runValid` = false skip a callback during that phase.
 */
export class Callback {
  order = 0;
  runTrain = true;
  runValid = true;
  /** Set when the callback is added to a Learner. */
  learn!: Learner;

  get name(): string {
    const n = this.constructor.name.replace(/Callback$/, '');
    return n.charAt(0).toLowerCase() + n.slice(1);
  }

  /** Run one event handler if defined and allowed in the current phase (errors name cb and event). */
  async run(event: Event): Promise<void> {
    const h = (this as Partial<Record<Event, Handler>>)[event];
    if (!h) return;
    const training = this.learn?.training ?? true;
    if ((training && !this.runTrain) || (!training && !this.runValid)) return;
    try {
      await h.call(this);
    } catch (e) {
      if (e instanceof CancelException) throw e;
      if (e instanceof Error && !e.message.includes('(in callback ')) e.message = `${e.message} (in callback ${this.constructor.name}.${event})`;
      throw e;
    }
  }
}
