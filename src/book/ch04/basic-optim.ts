// fastbook chapter 4, "Creating an Optimizer": the same linear model as PyTorch's nn.Linear, and the
// update step moved into a small optimizer class written here (BasicOptim). Book: train_model(linear_model, 20)
// → 0.9785. The book then swaps in fastai's SGD for BasicOptim; with the same seed it must give the same numbers.
//
//   npx tsx examples/ch04-mnist-basics/basic-optim.ts [--data ../shared/data/mnist] [--seed N] [--quick]
import { performance } from 'node:perf_hooks';
import { type Tensor, manualSeed, nn, optim } from '../../node.js';
import { type Model, calc_grad, epochPrinter, mnistLoaders, validate_epoch } from './sgd-loop.js';
import { type Stage, type StageContext, type StageResult, epochsFor, epochsNote, oursVsBook } from './stage.js';

export const BOOK = { accuracy: 0.9785, epochs: 20 } as const;

// class BasicOptim:
//     def __init__(self,params,lr): self.params,self.lr = list(params),lr
//     def step(self, *args, **kwargs):
//         for p in self.params: p.data -= p.grad.data * self.lr
//     def zero_grad(self, *args, **kwargs):
//         for p in self.params: p.grad = None
export class BasicOptim {
  params: Tensor[];
  lr: number;
  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    this.lr = lr;
  }
  step(): void {
    for (const p of this.params) p.data.sub_(p.grad!.data.mul(this.lr));
  }
  /** zero_grad (camelCase, as fastgrad's optimizers, so `opt` can be either). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

export async function basicOptim(ctx: StageContext): Promise<StageResult> {
  const { data: d, seed, log } = ctx;
  const t0 = performance.now();
  const { dl, valid_dl } = mnistLoaders(d);
  const lr = 1;

  // linear_model = nn.Linear(28*28,1)
  manualSeed(seed);
  let linear_model = new nn.Linear(28 * 28, 1);
  const [w, b] = linear_model.parameters();
  log(`  manualSeed(${seed}); linear_model = nn.Linear(28*28,1): w ${JSON.stringify(w!.shape)}, b ${JSON.stringify(b!.shape)}`);

  // opt = BasicOptim(linear_model.parameters(), lr)
  let opt: { step(): void; zeroGrad(): void } = new BasicOptim(linear_model.parameters(), lr);

  // def train_epoch(model):
  //     for xb,yb in dl:
  //         calc_grad(xb, yb, model)
  //         opt.step()
  //         opt.zero_grad()
  /** Returns the mean batch loss (the book's returns nothing). */
  function train_epoch(model: Model): number {
    let total = 0;
    for (const [xb, yb] of dl) {
      total += calc_grad(xb, yb, model).item();
      opt.step();
      opt.zeroGrad();
    }
    return total / dl.length;
  }

  // def train_model(model, epochs):
  //     for i in range(epochs):
  //         train_epoch(model)
  //         print(validate_epoch(model), end=' ')
  function train_model(model: Model, epochs: number): { accuracies: number[]; losses: number[] } {
    const accuracies: number[] = [], losses: number[] = [];
    const out = epochPrinter(log);
    for (let i = 0; i < epochs; i++) {
      losses.push(train_epoch(model));
      accuracies.push(validate_epoch(model, valid_dl));
      out.print(accuracies.at(-1)!);
    }
    out.flush();
    return { accuracies, losses };
  }

  const model: Model = (xb) => linear_model.call(xb); // the book calls the module: linear_model(xb)
  log(`  validate_epoch(linear_model) before training = ${validate_epoch(model, valid_dl)}`);
  // NOTE: --quick keeps the book's 20: from nn.Linear's init with lr 1 the loss first saturates (every image
  // called a 3) and takes about 60 steps to recover; on the bundled digits an epoch is only 7 steps.
  const epochs = epochsFor(ctx, BOOK.epochs, BOOK.epochs);
  const note = epochsNote(epochs, BOOK.epochs, ctx);
  if (note) log(`  ${note}`);
  log(`  train_model(linear_model, ${epochs}) with BasicOptim:`);
  const { accuracies, losses } = train_model(model, epochs);
  const accuracy = accuracies.at(-1) ?? validate_epoch(model, valid_dl);

  // linear_model = nn.Linear(28*28,1); opt = SGD(linear_model.parameters(), lr); train_model(linear_model, 20)
  manualSeed(seed);
  linear_model = new nn.Linear(28 * 28, 1);
  opt = new optim.SGD(linear_model.parameters(), { lr });
  log(`  the same with fastai's SGD: manualSeed(${seed}); opt = SGD(linear_model.parameters(), lr):`);
  const withSgd = train_model(model, epochs);
  const same = withSgd.accuracies.every((a, i) => a === accuracies[i]);
  log(`  ${same ? 'identical to BasicOptim, epoch by epoch' : 'DIFFERS from BasicOptim'}`);

  const seconds = (performance.now() - t0) / 1000;
  const rows: [string, number, number][] = [
    [`BasicOptim, ${epochs} epochs`, accuracy, BOOK.accuracy],
    [`optim.SGD, ${epochs} epochs`, withSgd.accuracies.at(-1) ?? accuracy, BOOK.accuracy],
  ];
  oursVsBook('accuracy (validate_epoch)', rows, 24).forEach((l) => log(`  ${l}`));
  log(`  ${seconds.toFixed(2)} s`);

  return {
    name: 'basic-optim',
    accuracy,
    bookAccuracy: BOOK.accuracy,
    seconds,
    seed,
    details: { epochs, lr, batchSize: 256, accuracies, losses, sgdAccuracies: withSgd.accuracies, sgdMatchesBasicOptim: same },
    report: { tables: [{ title: 'nn.Linear(28*28,1) + BasicOptim (lr 1, bs 256)', columns: ['', 'ours', 'book'], rows }] },
  };
}

export const basicOptimStage: Stage = {
  name: 'basic-optim',
  title: 'nn.Linear(28*28,1) with a BasicOptim written here, train_model(linear_model, 20); then fastai SGD',
  run: basicOptim,
};

