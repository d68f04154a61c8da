// Callback events and cancellation, as fastai/callback/core.py: the training loop is a fixed chain of
// events; everything else (train/eval switching, recording, progress, schedules) is a callback.
import { FastgradError } from '../errors.js';
import type { Learner } from './learner.js';

/** Every event, in the order fastai declares them (`_events` in fastai/callback/core.py). */
export const EVENTS = [
  'afterCreate', 'beforeFit', 'beforeEpoch', 'beforeTrain', 'beforeBatch', 'afterPred', 'afterLoss',
  'beforeBackward', 'afterCancelBackward', 'afterBackward', 'beforeStep', 'afterCancelStep', 'afterStep', 'afterCancelBatch', 'afterBatch',
  'afterCancelTrain', 'afterTrain', 'beforeValidate', 'afterCancelValidate', 'afterValidate',
  'afterCancelEpoch', 'afterEpoch', 'afterCancelFit', 'afterFit',
] as const;
export type Event = (typeof EVENTS)[number];

/** The per-batch events: only these respect `runTrain` / `runValid` (fastai's `_inner_loop`). */
export const INNER_LOOP: ReadonlySet<Event> = new Set<Event>([
  'beforeBatch', 'afterPred', 'afterLoss', 'beforeBackward', 'afterCancelBackward', 'afterBackward',
  'beforeStep', 'afterCancelStep', 'afterStep', 'afterCancelBatch', 'afterBatch',
]);

/** Raised by a callback to skip the rest of the current phase (fastai's Cancel*Exception). */
export class CancelException extends Error {
  override name = 'CancelException';
}
/** Skip the rest of this batch; `afterCancelBatch` then `afterBatch` run. */
export class CancelBatchException extends CancelException { override name = 'CancelBatchException'; }
/** Skip the rest of the training phase of this epoch; validation still runs. */
export class CancelTrainException extends CancelException { override name = 'CancelTrainException'; }
/** Skip the rest of the validation phase of this epoch. */
export class CancelValidException extends CancelException { override name = 'CancelValidException'; }
/** Skip the rest of this epoch (its validation too); the next epoch starts. */
export class CancelEpochException extends CancelException { override name = 'CancelEpochException'; }
/** Skip the optimizer step of this batch. */
export class CancelStepException extends CancelException { override name = 'CancelStepException'; }
/** Skip the backward pass of this batch. */
export class CancelBackwardException extends CancelException { override name = 'CancelBackwardException'; }
/**
 * Stop training; `afterCancelFit` then `afterFit` run and `fit` returns. With `{cause: err}`, `fit`
 * rethrows `err` after `afterFit` (how TerminateOnNaN reports a nan loss).
 */
export class CancelFitException extends CancelException { override name = 'CancelFitException'; }

type Handler = () => void | Promise<void>;

/**
 * Base class: override the events you need. `order` sorts callbacks (lower runs first); `runTrain` /
 * `runValid` = false skip a callback's per-batch events in that phase; `run` = false skips all its
 * events until the end of the current fit (fastai's `Callback.run`).
 */
export class Callback {
  order = 0;
  runTrain = true;
  runValid = true;
  run = true;
  /**
   * Whether this callback's batch events run inside the Learner's per-batch memory scope (Note
   * [Per-batch scope] in learner.ts): tensors it creates then are freed when the batch ends unless it
   * stores them in its own fields. Default false: a callback's tensors are left to the GC, and so are
   * the batch tensors it sees, so it may keep them anywhere. The built-in callbacks set it.
   */
  batchScoped = false;
  /** Set when the callback is added to a Learner. */
  learn!: Learner;

  /** fastai's `Callback.name`: the class name in camelCase without 'Callback' (ProgressCallback → progress). */
  get name(): string {
    const n = this.constructor.name.replace(/Callback$/, '');
    return n.charAt(0).toLowerCase() + n.slice(1);
  }

  /** True when this callback defines a handler for `event` (what `showTrainingLoop` lists). */
  handles(event: Event): boolean {
    return typeof (this as unknown as Partial<Record<Event, Handler>>)[event] === 'function';
  }

  /** Run one event's handler if defined and allowed now (fastai's `Callback.__call__`); errors name the callback and event. */
  async call(event: Event): Promise<void> {
    const h = (this as unknown as Partial<Record<Event, Handler>>)[event];
    if (h && this.run && this.allowed(event)) {
      try {
        await h.call(this);
      } catch (e) {
        throw this.wrap(e, event);
      }
    }
    if (event === 'afterFit') this.run = true;
  }

  /** `afterCreate` runs inside the Learner constructor, so its handler must be synchronous. */
  callSync(event: Event): void {
    const h = (this as unknown as Partial<Record<Event, Handler>>)[event];
    if (!h || !this.run) return;
    let r: unknown;
    try {
      r = h.call(this);
    } catch (e) {
      throw this.wrap(e, event);
    }
    if (r instanceof Promise) throw new FastgradError(`${this.constructor.name}.${event} returned a Promise: ${event} runs in the Learner constructor and must be synchronous`);
  }

  private allowed(event: Event): boolean {
    if (!INNER_LOOP.has(event)) return true;
    const training = this.learn?.training ?? true;
    return training ? this.runTrain : this.runValid;
  }

  private wrap(e: unknown, event: Event): unknown {
    if (e instanceof CancelException) return e;
    if (e instanceof Error && !e.message.includes('(in callback ')) e.message = `${e.message} (in callback ${this.constructor.name}, event ${event})`;
    return e;
  }
}
