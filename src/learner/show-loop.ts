// The text of `learn.showTrainingLoop()`: fastai's `_loop` outline (fastai/learner.py), with the
// backward/step cancel events fastgrad's loop also fires.
import type { Event } from './callback.js';

const LOOP: readonly (Event | `Start ${string}` | `End ${string}` | '**CBs same as train batch**')[] = [
  'Start Fit', 'beforeFit',
  'Start Epoch Loop', 'beforeEpoch',
  'Start Train', 'beforeTrain',
  'Start Batch Loop', 'beforeBatch', 'afterPred', 'afterLoss', 'beforeBackward', 'afterCancelBackward', 'afterBackward',
  'beforeStep', 'afterCancelStep', 'afterStep', 'afterCancelBatch', 'afterBatch', 'End Batch Loop',
  'End Train', 'afterCancelTrain', 'afterTrain',
  'Start Valid', 'beforeValidate', 'Start Batch Loop', '**CBs same as train batch**', 'End Batch Loop',
  'End Valid', 'afterCancelValidate', 'afterValidate',
  'End Epoch Loop', 'afterCancelEpoch', 'afterEpoch',
  'End Fit', 'afterCancelFit', 'afterFit',
];

/** One line per loop step: `Start X` / `End X` indent, events list the callbacks (by class name) that handle them. */
export function trainingLoop(cbsFor: (event: Event) => string[]): string {
  const lines: string[] = [];
  let indent = 0;
  for (const s of LOOP) {
    if (s.startsWith('Start ')) {
      lines.push(' '.repeat(indent) + s);
      indent += 2;
    } else if (s.startsWith('End ')) {
      indent -= 2;
      lines.push(' '.repeat(indent) + s);
    } else if (s.startsWith('**')) lines.push(`${' '.repeat(indent)} - ${s}`);
    else lines.push(`${' '.repeat(indent)} - ${s.padEnd(19)}: [${cbsFor(s as Event).join(', ')}]`);
  }
  return lines.join('\n');
}
