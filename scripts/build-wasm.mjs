#!/usr/bin/env node
// Build the wasm backend's kernels (assembly/*.ts, AssemblyScript) into src/backend/wasm/generated/:
//   fastgrad-relaxed.wasm     SIMD + relaxed-SIMD fma, importing a shared memory (worker threads)
//   fastgrad-simd.wasm        plain SIMD, shared memory
//   fastgrad-relaxed-st.wasm  the same kernels on a non-shared memory, no threads feature: for pages
//   fastgrad-simd-st.wasm     without cross-origin isolation (no SharedArrayBuffer), single-threaded
//   manifest.json             each file's size and sha256; the loader checks a binary against it
// Run by `npm run build:wasm`, by `prepare`, and by `npm run build` (which copies the whole folder
// into dist/backend/wasm/generated/); in a source checkout the backend also runs it on first use when
// the files are missing or stale. Plain JSON, not a module, so neither tsc nor the dist build has to
// know about it and a damaged copy is found at load (not when a module graph fails to link).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src/backend/wasm/generated');
const entry = join(root, 'assembly/index.ts');
const MANIFEST = 'manifest.json';
const shared = ['--sharedMemory'];
const variants = {
  relaxed: { features: 'simd,relaxed-simd,threads', flags: shared },
  simd: { features: 'simd,threads', flags: shared },
  'relaxed-st': { features: 'simd,relaxed-simd', flags: [] },
  'simd-st': { features: 'simd', flags: [] },
};
const fileOf = (v) => `fastgrad-${v}.wasm`;
const outputs = [...Object.keys(variants).map(fileOf), MANIFEST].map((f) => join(outDir, f));

// up to date? (skip the ~20 s compile on every `npm install`; --force rebuilds)
// the kernels' op codes come from the one primitive table (src/backend/ops.ts): regenerate them first
execFileSync(process.execPath, [join(root, 'scripts/gen-opcodes.mjs')], { stdio: 'inherit' });
const sources = [fileURLToPath(import.meta.url), ...readdirSync(join(root, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'assembly', f))];
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!process.argv.includes('--force') && outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest) && manifestComplete()) {
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

const common = [entry, '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '32', '--maximumMemory', '65536', '--noExportMemory'];
mkdirSync(outDir, { recursive: true });
const t0 = Date.now();
const files = {};
for (const [name, { features, flags }] of Object.entries(variants)) {
  let binary = null;
  const { error, stderr } = await asc.main([...common, ...flags, '--enable', features, '--outFile', 'out.wasm'], {
    writeFile(file, contents) {
      if (file.endsWith('.wasm')) binary = contents;
    },
  });
  if (error || !binary) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name} failed: ${error?.message ?? 'no output'}`);
    process.exit(1);
  }
  writeAtomic(join(outDir, fileOf(name)), binary);
  files[fileOf(name)] = { bytes: binary.length, sha256: createHash('sha256').update(binary).digest('hex'), features: features.split(','), sharedMemory: flags.length > 0 };
}
// NOTE: written last, so a reader that finds a new manifest also finds the binaries it describes
// (a reader between the renames sees an old manifest; the loader rebuilds/re-reads once on a mismatch).
writeAtomic(join(outDir, MANIFEST), JSON.stringify({ generator: 'scripts/build-wasm.mjs', files }, null, 2) + '\n');
console.error(`build-wasm: built ${Object.keys(variants).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${outDir}`);

/** Atomic: concurrent builders (parallel test workers) never see half a file. */
function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

function manifestComplete() {
  try {
    const m = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8'));
    return Object.keys(variants).every((v) => m.files?.[fileOf(v)]?.sha256);
  } catch {
    return false;
  }
}
