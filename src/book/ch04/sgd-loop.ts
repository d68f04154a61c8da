// fastbook chapter 4, "The MNIST Loss Function" to "Putting It All Together": a linear model
// (784 weights and a bias) trained by hand with stochastic gradient descent, lr 1, batches of 256.
// Book: 1 epoch, then 20 more printing the validation accuracy each time, ending at 0.9696
// (an earlier run of the notebook: 0.9765). The runs in the book are not seeded.
//
//   npx tsx examples/ch04-mnist-basics/sgd-loop.ts [--data ../shared/data/mnist] [--seed N] [--quick]
import { performance } from 'node:perf_hooks';
import { type Tensor, cat, data, keep, manualSeed, randn, stack, tensor, where } from '../../node.js';
import type { Mnist37 } from './data.js';
import { type Stage, type StageContext, type StageResult, epochsFor, epochsNote, f4, oursVsBook } from './stage.js';

const { DataLoader, zip, first } = data;
/** A DataLoader of `[xb, yb]` batches. */
export type Batches = data.DataLoader<[Tensor, Tensor], [Tensor, Tensor]>;

/** The book's printed values (../shared/BOOK-VECTORS.md). */
export const BOOK = {
  /** The untrained linear model (`init_params`, std 1) on the training set: about half right. */
  randomTrainAccuracy: 0.49,
  /** validate_epoch after 1 + 20 epochs. */
  accuracy: 0.9696,
  earlierRun: 0.9765,
  epochs: 20,
} as const;

/** A model, as the book's functions take it: a batch of inputs to a batch of predictions. */
export type Model = (xb: Tensor) => Tensor;

export interface MnistTensors {
  train_x: Tensor;
  train_y: Tensor;
  valid_x: Tensor;
  valid_y: Tensor;
}

const tensorsCache = new WeakMap<Mnist37, MnistTensors>();

/**
 * The book's training and validation tensors: each image a row of 784 pixels / 255; the label 1 for a 3
 * and 0 for a 7. Built once per data set (stages 3 to 5 reuse them, as the notebook reuses its variables).
 */
export function mnistTensors(d: Mnist37): MnistTensors {
  const cached = tensorsCache.get(d);
  if (cached) return cached;
  // stacked_threes = torch.stack(three_tensors).float()/255
  const stacked_threes = stack(d.train.threes).float().div(255);
  const stacked_sevens = stack(d.train.sevens).float().div(255);
  // train_x = torch.cat([stacked_threes, stacked_sevens]).view(-1, 28*28)
  const train_x = cat([stacked_threes, stacked_sevens]).view(-1, 28 * 28);
  // train_y = tensor([1]*len(threes) + [0]*len(sevens)).unsqueeze(1)
  const train_y = tensor([...Array(d.train.threes.length).fill(1), ...Array(d.train.sevens.length).fill(0)]).unsqueeze(1);
  // valid_x = torch.cat([valid_3_tens, valid_7_tens]).view(-1, 28*28)
  const valid_3_tens = stack(d.valid.threes).float().div(255);
  const valid_7_tens = stack(d.valid.sevens).float().div(255);
  const valid_x = cat([valid_3_tens, valid_7_tens]).view(-1, 28 * 28);
  const valid_y = tensor([...Array(d.valid.threes.length).fill(1), ...Array(d.valid.sevens.length).fill(0)]).unsqueeze(1);
  const t = { train_x, train_y, valid_x, valid_y };
  tensorsCache.set(d, keep(t)); // a cache: no scope may free it
  return t;
}

/** `dset = list(zip(train_x,train_y))`, the same for valid, and the two unshuffled loaders of 256 the book uses. */
export function mnistLoaders(d: Mnist37): { dl: Batches; valid_dl: Batches } {
  const { train_x, train_y, valid_x, valid_y } = mnistTensors(d);
  const dset = zip(train_x, train_y);
  const valid_dset = zip(valid_x, valid_y);
  const dl = new DataLoader(dset, { batchSize: 256 });
  const valid_dl = new DataLoader(valid_dset, { batchSize: 256 });
  return { dl, valid_dl };
}

// def mnist_loss(predictions, targets):
//     predictions = predictions.sigmoid()
//     return torch.where(targets==1, 1-predictions, predictions).mean()
export function mnist_loss(predictions: Tensor, targets: Tensor): Tensor {
  predictions = predictions.sigmoid();
  return where(targets.eq(1), predictions.rsub(1), predictions).mean();
}

// def batch_accuracy(xb, yb):
//     preds = xb.sigmoid()
//     correct = (preds>0.5) == yb
//     return correct.float().mean()
export function batch_accuracy(xb: Tensor, yb: Tensor): Tensor {
  const preds = xb.sigmoid();
  const correct = preds.gt(0.5).eq(yb);
  return correct.float().mean();
}

// def calc_grad(xb, yb, model):
//     preds = model(xb)
//     loss = mnist_loss(preds, yb)
//     loss.backward()
/** The book's calc_grad; it also returns the loss (the book's returns nothing) so the report can plot it. */
export function calc_grad(xb: Tensor, yb: Tensor, model: Model): Tensor {
  const preds = model(xb);
  const loss = mnist_loss(preds, yb);
  loss.backward();
  return loss;
}

// def validate_epoch(model):
//     accs = [batch_accuracy(model(xb), yb) for xb,yb in valid_dl]
//     return round(torch.stack(accs).mean().item(), 4)
/** The unweighted mean of the per-batch accuracies (the last, smaller batch counts as much as a full one), to 4 decimals. */
export function validate_epoch(model: Model, valid_dl: Iterable<[Tensor, Tensor]>): number {
  const accs = [...valid_dl].map(([xb, yb]) => batch_accuracy(model(xb), yb));
  return round(stack(accs).mean().item(), 4);
}

/** Python's `round(x, 4)`. */
export const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Prints numbers the way the book's `print(validate_epoch(model), end=' ')` does, ten to a line. */
export function epochPrinter(log: (line: string) => void): { print(x: number): void; flush(): void } {
  let line: number[] = [];
  const flush = () => {
    if (line.length) log(`  ${line.map(String).join(' ')}`);
    line = [];
  };
  return {
    print(x) {
      line.push(x);
      if (line.length === 10) flush();
    },
    flush,
  };
}

export async function sgdLoop(ctx: StageContext): Promise<StageResult> {
  const { data: d, seed, log } = ctx;
  const t0 = performance.now();
  const { train_x, train_y } = mnistTensors(d);
  const { dl, valid_dl } = mnistLoaders(d);

  // def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()
  const init_params = (size: number[], std = 1.0): Tensor => randn(size).mul(std).requiresGrad_();
  manualSeed(seed);
  const weights = init_params([28 * 28, 1]);
  const bias = init_params([1]);
  log(`  manualSeed(${seed}); weights = init_params((28*28,1)); bias = init_params(1)`);

  // def linear1(xb): return xb@weights + bias
  const linear1: Model = (xb) => xb.matmul(weights).add(bias);

  // corrects = (preds>0.0).float() == train_y; corrects.float().mean().item()
  const preds = linear1(train_x);
  const corrects = preds.gt(0.0).float().eq(train_y);
  const randomAccuracy = corrects.float().mean().item();

  const [xb, yb] = first(dl);
  log(`  train_x ${JSON.stringify(train_x.shape)}, train_y ${JSON.stringify(train_y.shape)}; first(dl): xb ${JSON.stringify(xb.shape)}, yb ${JSON.stringify(yb.shape)}`);

  // def train_epoch(model, lr, params):
  //     for xb,yb in dl:
  //         calc_grad(xb, yb, model)
  //         for p in params:
  //             p.data -= p.grad*lr
  //             p.grad.zero_()
  /** One pass over dl; returns the mean of its batch losses (the book's returns nothing). */
  function train_epoch(model: Model, lr: number, params: Tensor[]): number {
    let total = 0;
    for (const [xb, yb] of dl) {
      total += calc_grad(xb, yb, model).item();
      for (const p of params) {
        p.data.sub_(p.grad!.mul(lr));
        p.grad!.zero_();
      }
    }
    return total / dl.length;
  }

  const lr = 1;
  const params = [weights, bias];
  const nMore = epochsFor(ctx, BOOK.epochs, 5);
  const note = epochsNote(nMore, BOOK.epochs, ctx);
  if (note) log(`  ${note}`);
  const losses = [train_epoch(linear1, lr, params)];
  const accuracies = [validate_epoch(linear1, valid_dl)];
  log(`  lr = ${lr}; train_epoch(linear1, lr, params); validate_epoch(linear1) = ${accuracies[0]}`);
  log(`  for i in range(${nMore}): train_epoch(linear1, lr, params); print(validate_epoch(linear1), end=' ')`);
  const out = epochPrinter(log);
  for (let i = 0; i < nMore; i++) {
    losses.push(train_epoch(linear1, lr, params));
    accuracies.push(validate_epoch(linear1, valid_dl));
    out.print(accuracies.at(-1)!);
  }
  out.flush();

  const accuracy = accuracies.at(-1)!;
  const seconds = (performance.now() - t0) / 1000;
  const rows: [string, number, number][] = [
    ['untrained model, train set', randomAccuracy, BOOK.randomTrainAccuracy],
    [`after 1 + ${nMore} epochs`, accuracy, BOOK.accuracy],
  ];
  oursVsBook('accuracy (validate_epoch: mean of batch accuracies)', rows, 26).forEach((l) => log(`  ${l}`));
  log(`  (book: ≈${BOOK.randomTrainAccuracy} untrained; ${f4(BOOK.accuracy)} after 1 + 20 epochs, ${f4(BOOK.earlierRun)} in an earlier run; unseeded)`);
  log(`  ${seconds.toFixed(2)} s`);

  return {
    name: 'sgd-loop',
    accuracy,
    bookAccuracy: BOOK.accuracy,
    seconds,
    seed,
    details: {
      epochs: 1 + nMore,
      lr,
      batchSize: 256,
      accuracies,
      losses,
      randomTrainAccuracy: randomAccuracy,
      bookRandomTrainAccuracy: BOOK.randomTrainAccuracy,
      bookEarlierRun: BOOK.earlierRun,
      metric: 'validate_epoch: unweighted mean of per-batch accuracies, rounded to 4 decimals',
    },
    report: {
      tables: [{ title: 'Hand-written SGD loop (linear1, mnist_loss, lr 1, bs 256)', columns: ['', 'ours', 'book'], rows }],
    },
  };
}

export const sgdLoopStage: Stage = {
  name: 'sgd-loop',
  title: 'the SGD loop by hand: linear1 = xb@weights + bias, mnist_loss, calc_grad, train_epoch (lr 1, bs 256)',
  run: sgdLoop,
};

