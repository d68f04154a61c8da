// Run one chapter 4 stage as a script: `npx tsx examples/ch04-mnist-basics/<stage>.ts [--data DIR] [--seed N] [--quick] [--epochs N]`.
import { pathToFileURL } from 'node:url';
import { loadMnist37 } from '../../src/book/ch04/data.js';
import type { Stage } from '../../src/book/ch04/stage.js';

/** True when the module at `metaUrl` is the script node was started with. */
export const isMain = (metaUrl: string): boolean => !!process.argv[1] && metaUrl === pathToFileURL(process.argv[1]).href;

export async function runAlone(stage: Stage): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const seed = Number(arg('--seed') ?? 42);
  const epochs = arg('--epochs');
  const data = loadMnist37({ data: arg('--data'), seed });
  console.log(`data: ${data.source.description}`);
  console.log(`seed: ${seed}`);
  console.log(stage.title);
  const r = await stage.run({
    data, seed, log: (l) => console.log(l), quick: process.argv.includes('--quick'),
    epochs: epochs === undefined ? undefined : Number(epochs), progress: 'always',
  });
  console.log(`${r.name}: accuracy ${r.accuracy.toFixed(4)} (book ${r.bookAccuracy.toFixed(4)}) in ${r.seconds.toFixed(2)} s`);
}
