// fastbook chapter 4, "Creating an Optimizer" (end): the same loop with fastai's pieces, DataLoaders
// and a Learner with SGD, mnist_loss and batch_accuracy. Book: learn.fit(10, lr=1) → 0.9676.
// NOTE: the Learner's batch_accuracy is averaged weighted by batch size (fastai's AvgMetric), unlike the
// hand loop's validate_epoch, which takes the plain mean of per-batch accuracies.
//
//   npx tsx examples/ch04-mnist-basics/learner-linear.ts [--data ../shared/data/mnist] [--seed N] [--quick]
import { performance } from 'node:perf_hooks';
import { Learner, data, manualSeed, nn, optim, viz } from '../../node.js';
import { batch_accuracy, mnistLoaders, mnist_loss } from './sgd-loop.js';
import { type Stage, type StageContext, type StageResult, epochsNote, epochsFor, oursVsBook } from './stage.js';

const { DataLoaders } = data;

export const BOOK = { accuracy: 0.9676, epochs: 10 } as const;

/** What the Learner stages report: the final metric, per-epoch values, and the loss plot. */
export function learnerResult(name: string, learn: Learner, o: { bookAccuracy: number; seconds: number; seed: number; lr: number; title: string }): StageResult {
  const values = learn.recorder.values;
  const accuracies = values.map((v) => v.metrics.batch_accuracy ?? NaN);
  const accuracy = accuracies.at(-1) ?? NaN;
  return {
    name,
    accuracy,
    bookAccuracy: o.bookAccuracy,
    seconds: o.seconds,
    seed: o.seed,
    details: {
      epochs: values.length,
      lr: o.lr,
      batchSize: 256,
      accuracies,
      losses: values.map((v) => v.trainLoss),
      trainLossMean: values.map((v) => v.trainLossMean),
      validLosses: values.map((v) => v.validLoss),
      epochSeconds: values.map((v) => v.seconds),
      metric: 'batch_accuracy averaged over the validation set weighted by batch size (fastai AvgMetric)',
    },
    report: {
      plots: [{ title: `${o.title}: loss (learn.recorder.plot_loss())`, spec: viz.lossSpec(learn.recorder.lossData(), { title: `${name}: loss` }) }],
    },
  };
}

export async function learnerLinear(ctx: StageContext): Promise<StageResult> {
  const { data: d, seed, log } = ctx;
  const t0 = performance.now();
  const { dl, valid_dl } = mnistLoaders(d);
  const lr = 1;

  // dls = DataLoaders(dl, valid_dl)
  const dls = new DataLoaders(dl, valid_dl);
  // learn = Learner(dls, nn.Linear(28*28,1), opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy)
  manualSeed(seed);
  const learn = new Learner(dls, new nn.Linear(28 * 28, 1), {
    optFunc: optim.sgd(), lossFunc: mnist_loss, metrics: [batch_accuracy], progress: ctx.progress ?? 'always',
  });
  const epochs = epochsFor(ctx, BOOK.epochs, BOOK.epochs); // --quick keeps the 10: see basic-optim.ts
  log(`  manualSeed(${seed}); learn = Learner(dls, nn.Linear(28*28,1), opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy)`);
  const note = epochsNote(epochs, BOOK.epochs, ctx);
  if (note) log(`  ${note}`);
  log(`  learn.fit(${epochs}, lr=${lr})`);
  // learn.fit(10, lr=lr)
  await learn.fit(epochs, lr);

  const seconds = (performance.now() - t0) / 1000;
  const r = learnerResult('learner-linear', learn, { bookAccuracy: BOOK.accuracy, seconds, seed, lr, title: 'Learner, nn.Linear' });
  const rows: [string, number, number][] = [[`batch_accuracy after ${epochs} epochs`, r.accuracy, BOOK.accuracy]];
  oursVsBook('valid accuracy (weighted by batch size)', rows, 28).forEach((l) => log(`  ${l}`));
  log(`  ${seconds.toFixed(2)} s`);
  r.report!.tables = [{ title: 'Learner(dls, nn.Linear(28*28,1), SGD, mnist_loss, batch_accuracy).fit(10, 1)', columns: ['', 'ours', 'book'], rows }];
  return r;
}

export const learnerLinearStage: Stage = {
  name: 'learner-linear',
  title: 'Learner(dls, nn.Linear(28*28,1), opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy).fit(10, 1)',
  run: learnerLinear,
};

