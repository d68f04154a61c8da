#!/usr/bin/env node
// Build the wasm backend's kernels (assembly/*.ts, AssemblyScript) into src/backend/wasm/generated/:
// fastgrad-relaxed.wasm (SIMD + relaxed-SIMD fma) and fastgrad-simd.wasm (plain SIMD fallback), both
// importing one shared memory so worker threads can run on it. Run by `npm run build:wasm` and the
// `prepare` hook; the backend also runs it on first use when the files are missing or stale.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src/backend/wasm/generated');
const entry = join(root, 'assembly/index.ts');
const variants = { relaxed: ['--enable', 'simd,relaxed-simd,threads'], simd: ['--enable', 'simd,threads'] };
const outputs = Object.keys(variants).map((v) => join(outDir, `fastgrad-${v}.wasm`));

// up to date? (skip the ~10 s compile on every `npm install`; --force rebuilds)
const sources = [fileURLToPath(import.meta.url), ...readdirSync(join(root, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'assembly', f))];
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!process.argv.includes('--force') && outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest)) {
  console.error('build-wasm: up to date');
  process.exit(0);
}

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  // NOTE: not fatal, so an install without devDependencies still succeeds; the wasm backend then
  // reports the missing build when it is initialised.
  console.error('build-wasm: the AssemblyScript compiler (devDependency `assemblyscript`) is not installed; the wasm backend is not built:', e.message);
  process.exit(0);
}

const common = [
  entry, '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--sharedMemory',
  '--initialMemory', '32', '--maximumMemory', '65536', '--noExportMemory',
];
mkdirSync(outDir, { recursive: true });
const t0 = Date.now();
for (const [name, flags] of Object.entries(variants)) {
  const out = join(outDir, `fastgrad-${name}.wasm`);
  const tmp = `${out}.${process.pid}.tmp`;
  let binary = null;
  const { error, stderr } = await asc.main([...common, ...flags, '--outFile', 'out.wasm'], {
    writeFile(file, contents) {
      if (file.endsWith('.wasm')) binary = contents;
    },
  });
  if (error || !binary) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name} failed: ${error?.message ?? 'no output'}`);
    process.exit(1);
  }
  writeFileSync(tmp, binary);
  renameSync(tmp, out); // atomic: concurrent builders (parallel test workers) never see half a file
}
console.error(`build-wasm: built ${Object.keys(variants).join(' + ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${outDir}`);
