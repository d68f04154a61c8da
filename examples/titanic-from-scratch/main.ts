// The course22 lesson "Linear model and neural net from scratch" on Kaggle's Titanic files, step by step.
// Run: npx tsx examples/titanic-from-scratch/main.ts --data DIR [--out DIR] [--seed 442] [--split-seed 42]
// (the same as `npx fastgrad titanic ...`; DIR holds train.csv and test.csv, default $FASTGRAD_DATA).
import { buildProgram } from '../../src/cli/program.js';

try {
  await buildProgram().parseAsync(['titanic', ...process.argv.slice(2)], { from: 'user' });
} catch (err) {
  console.error(`titanic: error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
