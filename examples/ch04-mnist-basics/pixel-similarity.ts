// fastbook chapter 4, "Pixel similarity" (the mean 3 and the mean 7), run on its own. The stage's code, written like the book's, is
// src/book/ch04/pixel-similarity.ts; `fastgrad mnist` runs it as stage 1 of 5.
//
//   npx tsx examples/ch04-mnist-basics/pixel-similarity.ts [--data ../shared/data/mnist] [--seed N] [--quick] [--epochs N]
import { pixelSimilarityStage } from '../../src/book/ch04/pixel-similarity.js';
import { runAlone } from './run-alone.js';

await runAlone(pixelSimilarityStage);
