// fastbook chapter 4, "Creating an Optimizer" (nn.Linear with BasicOptim, then optim.SGD), run on its own. The stage's code, written like the book's, is
// src/book/ch04/basic-optim.ts; `fastgrad mnist` runs it as stage 3 of 5.
//
//   npx tsx examples/ch04-mnist-basics/basic-optim.ts [--data ../shared/data/mnist] [--seed N] [--quick] [--epochs N]
import { basicOptimStage } from '../../src/book/ch04/basic-optim.js';
import { runAlone } from './run-alone.js';

await runAlone(basicOptimStage);
