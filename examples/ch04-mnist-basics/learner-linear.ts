// fastbook chapter 4, "Creating an Optimizer" (the Learner with a linear model), run on its own. The stage's code, written like the book's, is
// src/book/ch04/learner-linear.ts; `fastgrad mnist` runs it as stage 4 of 5.
//
//   npx tsx examples/ch04-mnist-basics/learner-linear.ts [--data ../shared/data/mnist] [--seed N] [--quick] [--epochs N]
import { learnerLinearStage } from '../../src/book/ch04/learner-linear.js';
import { runAlone } from './run-alone.js';

await runAlone(learnerLinearStage);
