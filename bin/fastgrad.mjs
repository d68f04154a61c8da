#!/usr/bin/env node
// Launcher for `npx fastgrad ...`: runs the built CLI, dist/cli/main.js (plain JavaScript: no tsx, no
// TypeScript at run time). In a source checkout `npm run build` makes dist/; `npm start` runs the sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error(`fastgrad: ${fileURLToPath(main)} is missing: run \`npm run build\` in the fastgrad folder`);
  process.exit(1);
}
await import(main.href);
