#!/usr/bin/env node
// `npm run build` (also `prepare` and `prepack`): the wasm kernels, then dist/ = JavaScript + .d.ts of
// src/ (tsconfig.build.json) with the kernels copied to the same relative place, so the published
// package runs with plain node and needs no devDependency at run time.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// NOTE: as `prepare` (npm install in a checkout) a missing toolchain (an install without devDependencies)
// only warns, like build-wasm.mjs, so the install itself succeeds; `npm run build` and `prepack` fail.
const lenient = process.env.npm_lifecycle_event === 'prepare';
const give = (msg) => {
  console.error(`build: ${msg}`);
  process.exit(lenient ? 0 : 1);
};
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
const t0 = Date.now();

/** Newest mtime under `p` (a file or a folder). */
function newest(p) {
  if (!existsSync(p)) return Infinity;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((f) => newest(join(p, f))));
}
// NOTE: tsc runs with noEmitOnError after dist/ is removed, so dist/index.js exists only from a
// complete build, and its mtime is that build's time.
function upToDate() {
  const stamp = join(root, 'dist/index.js');
  if (!existsSync(stamp) || !existsSync(join(root, 'dist/backend/wasm/generated'))) return false;
  const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.mjs'];
  return Math.max(...inputs.map((p) => newest(join(root, p)))) < statSync(stamp).mtimeMs;
}

run([join(root, 'scripts/build-wasm.mjs')]);
const generated = join(root, 'src/backend/wasm/generated');
const wasm = existsSync(generated) ? readdirSync(generated).filter((f) => f.endsWith('.wasm')) : [];
// NOTE: build-wasm.mjs exits 0 without a compiler (so `npm install` never fails on it); a package
// built without kernels would silently run on the 10x slower reference backend, so refuse here.
if (wasm.length === 0) give(`no .wasm in ${generated}: install the devDependencies (npm ci) and run \`npm run build:wasm\``);

// Up to date? `npm pack` runs both prepack and prepare, and `npm ci` runs prepare: build once.
if (!process.argv.includes('--force') && upToDate()) {
  console.error('build: dist/ up to date');
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true }); // no stale modules from renamed files
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  give('the TypeScript compiler (devDependency `typescript`) is not installed: dist/ is not built; run `npm ci` first');
}
try {
  run([tsc, '-p', join(root, 'tsconfig.build.json')]);
} catch {
  give('tsc failed (its errors are above): dist/ is not built');
}
cpSync(generated, join(root, 'dist/backend/wasm/generated'), { recursive: true });
console.error(`build: dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s (${wasm.join(', ')})`);
