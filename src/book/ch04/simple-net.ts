// fastbook chapter 4, "Adding a Nonlinearity": two linear layers with a ReLU between them, trained by
// the Learner. Book: learn.fit(40, 0.1) → learn.recorder.values[-1][2] = 0.9828.
//
//   npx tsx examples/ch04-mnist-basics/simple-net.ts [--data ../shared/data/mnist] [--seed N] [--quick]
import { performance } from 'node:perf_hooks';
import { Learner, data, manualSeed, nn, optim } from '../../node.js';
import { learnerResult } from './learner-linear.js';
import { batch_accuracy, mnistLoaders, mnist_loss } from './sgd-loop.js';
import { type Stage, type StageContext, type StageResult, epochsFor, epochsNote, oursVsBook } from './stage.js';

const { DataLoaders } = data;

export const BOOK = { accuracy: 0.9828, epochs: 40 } as const;

export async function simpleNet(ctx: StageContext): Promise<StageResult> {
  const { data: d, seed, log } = ctx;
  const t0 = performance.now();
  const { dl, valid_dl } = mnistLoaders(d);
  const dls = new DataLoaders(dl, valid_dl);

  // simple_net = nn.Sequential(
  //     nn.Linear(28*28,30),
  //     nn.ReLU(),
  //     nn.Linear(30,1)
  // )
  manualSeed(seed);
  const simple_net = new nn.Sequential(
    new nn.Linear(28 * 28, 30),
    new nn.ReLU(),
    new nn.Linear(30, 1),
  );
  // learn = Learner(dls, simple_net, opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy)
  const learn = new Learner(dls, simple_net, {
    optFunc: optim.sgd(), lossFunc: mnist_loss, metrics: [batch_accuracy], progress: ctx.progress ?? 'always',
  });
  log(`  manualSeed(${seed}); simple_net =`);
  String(simple_net).split('\n').forEach((l) => log(`    ${l}`));
  const epochs = epochsFor(ctx, BOOK.epochs, 10);
  const note = epochsNote(epochs, BOOK.epochs, ctx);
  if (note) log(`  ${note}`);
  log(`  learn.fit(${epochs}, 0.1)`);
  // learn.fit(40, 0.1)
  await learn.fit(epochs, 0.1);

  const seconds = (performance.now() - t0) / 1000;
  const r = learnerResult('simple-net', learn, { bookAccuracy: BOOK.accuracy, seconds, seed, lr: 0.1, title: 'Learner, simple_net' });
  // learn.recorder.values[-1][2]
  const rows: [string, number, number][] = [[`recorder.values[-1][2] (${epochs} epochs)`, r.accuracy, BOOK.accuracy]];
  oursVsBook('valid batch_accuracy (weighted by batch size)', rows, 30).forEach((l) => log(`  ${l}`));
  log(`  ${seconds.toFixed(2)} s`);
  r.report!.tables = [{ title: 'simple_net (784-30-ReLU-1), Learner.fit(40, 0.1)', columns: ['', 'ours', 'book'], rows }];
  return r;
}

export const simpleNetStage: Stage = {
  name: 'simple-net',
  title: 'simple_net = nn.Sequential(nn.Linear(28*28,30), nn.ReLU(), nn.Linear(30,1)); Learner(...).fit(40, 0.1)',
  run: simpleNet,
};

