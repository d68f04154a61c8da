// fastbook chapter 4, "The MNIST Loss Function" (SGD by hand: init_params, linear1, train_epoch), run on its own. The stage's code, written like the book's, is
// src/book/ch04/sgd-loop.ts; `fastgrad mnist` runs it as stage 2 of 5.
//
//   npx tsx examples/ch04-mnist-basics/sgd-loop.ts [--data ../shared/data/mnist] [--seed N] [--quick] [--epochs N]
import { sgdLoopStage } from '../../src/book/ch04/sgd-loop.js';
import { runAlone } from './run-alone.js';

await runAlone(sgdLoopStage);
