// fastbook chapter 4, "Adding a Nonlinearity" (simple_net trained by the Learner), run on its own. The stage's code, written like the book's, is
// src/book/ch04/simple-net.ts; `fastgrad mnist` runs it as stage 5 of 5.
//
//   npx tsx examples/ch04-mnist-basics/simple-net.ts [--data ../shared/data/mnist] [--seed N] [--quick] [--epochs N]
import { simpleNetStage } from '../../src/book/ch04/simple-net.js';
import { runAlone } from './run-alone.js';

await runAlone(simpleNetStage);
