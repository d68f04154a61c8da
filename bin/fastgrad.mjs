#!/usr/bin/env node
// Launcher for `npx fastgrad ...`: registers tsx's loader in this process, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
