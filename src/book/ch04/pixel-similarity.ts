// fastbook chapter 4, "First Try: Pixel Similarity": the ideal 3 and the ideal 7 are the mean images
// of the training 3s and 7s; a validation image is a 3 if it is closer (mean absolute difference) to
// the ideal 3. Book: 3s 0.9168, 7s 0.9854, mean 0.9511 on MNIST_SAMPLE (exact).
//
//   npx tsx examples/ch04-mnist-basics/pixel-similarity.ts [--data ../shared/data/mnist]
import { performance } from 'node:perf_hooks';
import { type Tensor, stack, viz } from '../../node.js';
import { type Stage, type StageContext, type StageResult, oursVsBook } from './stage.js';

/** The book's printed values (../shared/BOOK-VECTORS.md). */
export const BOOK = {
  accuracy3s: 0.9168,
  accuracy7s: 0.9854,
  accuracy: 0.9511,
  /** a_3 = stacked_threes[1] (train/3/10000.png): distances to the mean 3 and the mean 7. */
  a3: { l1To3: 0.1114, rmseTo3: 0.2021, l1To7: 0.1586, rmseTo7: 0.3021 },
} as const;

// The book's helpers, as written there.
/** `def mnist_distance(a,b): return (a-b).abs().mean((-1,-2))`: broadcasts a [N,28,28] batch against one image. */
export const mnist_distance = (a: Tensor, b: Tensor): Tensor => a.sub(b).abs().mean([-1, -2]);

export function pixelSimilarity({ data, seed, log }: StageContext): StageResult {
  const t0 = performance.now();

  // three_tensors = [tensor(Image.open(o)) for o in threes]  (done by the loader: uint8 [28, 28] each)
  const three_tensors = data.train.threes;
  const seven_tensors = data.train.sevens;

  // stacked_threes = torch.stack(three_tensors).float()/255
  const stacked_threes = stack(three_tensors).float().div(255);
  const stacked_sevens = stack(seven_tensors).float().div(255);

  // mean3 = stacked_threes.mean(0): the "ideal" 3
  const mean3 = stacked_threes.mean(0);
  const mean7 = stacked_sevens.mean(0);

  // im3_t = tensor(im3); df = pd.DataFrame(im3_t[4:15,4:22]); df.style.background_gradient('Greys')
  //   (im3 = threes[1], the same image as a_3 below; raw pixel values 0..255)
  const im3_t = three_tensors[1]!;
  const df = im3_t.get('4:15', '4:22');

  // a_3 = stacked_threes[1]  (the book's sample 3: train/3/10000.png on MNIST_SAMPLE)
  const a_3 = stacked_threes.get(1);
  const dist_3_abs = a_3.sub(mean3).abs().mean().item();
  const dist_3_sqr = a_3.sub(mean3).pow(2).mean().sqrt().item();
  const dist_7_abs = a_3.sub(mean7).abs().mean().item();
  const dist_7_sqr = a_3.sub(mean7).pow(2).mean().sqrt().item();

  // valid_3_tens = torch.stack([tensor(Image.open(o)) for o in (path/'valid'/'3').ls()]).float()/255
  const valid_3_tens = stack(data.valid.threes).float().div(255);
  const valid_7_tens = stack(data.valid.sevens).float().div(255);

  // def is_3(x): return mnist_distance(x,mean3) < mnist_distance(x,mean7)
  const is_3 = (x: Tensor): Tensor => mnist_distance(x, mean3).lt(mnist_distance(x, mean7));

  // accuracy_3s =      is_3(valid_3_tens).float() .mean()
  // accuracy_7s = (1 - is_3(valid_7_tens).float()).mean()
  const accuracy_3s = is_3(valid_3_tens).float().mean();
  const accuracy_7s = is_3(valid_7_tens).float().rsub(1).mean();
  const accuracy = accuracy_3s.add(accuracy_7s).div(2);

  const acc3 = accuracy_3s.item();
  const acc7 = accuracy_7s.item();
  const acc = accuracy.item();
  const seconds = (performance.now() - t0) / 1000;

  const id = data.trainThreeIds[1];
  const which = data.source.kind === 'mnist-sample-idx' ? `train/3/${id}.png` : `npm mnist 3 #${id}`;
  const indent = (lines: string[]) => lines.forEach((l) => log(`  ${l}`));
  log(`  means of ${stacked_threes.shape[0]} training 3s and ${stacked_sevens.shape[0]} training 7s`);
  indent(oursVsBook(`distances of a_3 = stacked_threes[1] (${which})`, [
    ['L1   to mean 3', dist_3_abs, BOOK.a3.l1To3],
    ['RMSE to mean 3', dist_3_sqr, BOOK.a3.rmseTo3],
    ['L1   to mean 7', dist_7_abs, BOOK.a3.l1To7],
    ['RMSE to mean 7', dist_7_sqr, BOOK.a3.rmseTo7],
  ]));
  indent(oursVsBook('valid accuracy', [
    [`3s (${valid_3_tens.shape[0]} images)`, acc3, BOOK.accuracy3s],
    [`7s (${valid_7_tens.shape[0]} images)`, acc7, BOOK.accuracy7s],
    ['mean', acc, BOOK.accuracy],
  ]));
  if (!data.source.exact) log('  (the book used MNIST_SAMPLE, these are other images: --data <MNIST folder> gives its exact numbers)');
  log(`  ${seconds.toFixed(2)} s`);

  return {
    name: 'pixel-similarity',
    accuracy: acc,
    bookAccuracy: BOOK.accuracy,
    seconds,
    seed,
    details: {
      accuracy3s: acc3,
      accuracy7s: acc7,
      bookAccuracy3s: BOOK.accuracy3s,
      bookAccuracy7s: BOOK.accuracy7s,
      a3: { image: which, l1To3: dist_3_abs, rmseTo3: dist_3_sqr, l1To7: dist_7_abs, rmseTo7: dist_7_sqr },
      bookA3: BOOK.a3,
    },
    report: {
      tables: [{
        title: 'Pixel similarity (valid accuracy)',
        columns: ['', 'ours', 'book'],
        rows: [
          [`3s (${valid_3_tens.shape[0]} images)`, acc3, BOOK.accuracy3s],
          [`7s (${valid_7_tens.shape[0]} images)`, acc7, BOOK.accuracy7s],
          ['mean', acc, BOOK.accuracy],
          [`a_3 (${which}): L1 to mean 3`, dist_3_abs, BOOK.a3.l1To3],
          ['a_3: RMSE to mean 3', dist_3_sqr, BOOK.a3.rmseTo3],
          ['a_3: L1 to mean 7', dist_7_abs, BOOK.a3.l1To7],
          ['a_3: RMSE to mean 7', dist_7_sqr, BOOK.a3.rmseTo7],
        ],
      }],
      plots: [
        { title: 'show_image(mean3): the ideal 3', spec: viz.imageSpec(mean3, { title: 'mean3' }) },
        { title: 'show_image(mean7): the ideal 7', spec: viz.imageSpec(mean7, { title: 'mean7' }) },
        {
          title: `im3_t[4:15,4:22] (${which}) as df.style.background_gradient('Greys')`,
          spec: viz.heatTableSpec(df, { title: `${which}, rows 4..14, cols 4..21`, rowOffset: 4, colOffset: 4 }),
        },
      ],
    },
  };
}

export const pixelSimilarityStage: Stage = {
  name: 'pixel-similarity',
  title: 'pixel similarity: is_3(x) = mnist_distance(x, mean3) < mnist_distance(x, mean7)',
  run: pixelSimilarity,
};
