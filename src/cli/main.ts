// Entry point of the `fastgrad` command: `npm start` (= `fastgrad mnist`), `npx fastgrad mnist --data DIR`.
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  console.error(`fastgrad: error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
