// Loading the wasm kernels (src/backend/wasm/loader.ts): the generated files and their manifest, the
// hash check at load, the errors of a damaged installed package (no build hint there), wasmBase, an
// app's own module, and the fetch path browsers take (served over http here).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { detectRelaxedSimd, fetchKernels, kernelFile, loadKernelsSync } from '../../src/backend/wasm/loader.js';
import { errors } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '../../src');
const generated = join(src, 'backend/wasm/generated');
const FILES = ['fastgrad-relaxed.wasm', 'fastgrad-simd.wasm', 'fastgrad-relaxed-st.wasm', 'fastgrad-simd-st.wasm'];
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
type Loader = typeof import('../../src/backend/wasm/loader.js');

let tmp: string;
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'fastgrad-wasm-load-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the loader at `root/<sub>/backend/wasm/` (as in a package), with the generated folder. */
async function loaderAt(root: string, sub: string, withAssembly = false): Promise<{ load: Loader; dir: string }> {
  const dir = join(root, sub, 'backend/wasm');
  mkdirSync(dir, { recursive: true });
  cpSync(join(src, 'backend/wasm/loader.ts'), join(dir, 'loader.ts'));
  cpSync(join(src, 'errors.ts'), join(root, sub, 'errors.ts'));
  cpSync(generated, join(dir, 'generated'), { recursive: true });
  if (withAssembly) mkdirSync(join(root, 'assembly'));
  return { load: (await import(pathToFileURL(join(dir, 'loader.ts')).href)) as Loader, dir };
}

describe('the generated kernels', () => {
  it('four builds (shared and -st, relaxed and plain SIMD) and a manifest with each size and sha256', () => {
    const m = JSON.parse(readFileSync(join(generated, 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string; sharedMemory: boolean }> };
    expect(Object.keys(m.files).sort()).toEqual([...FILES].sort());
    for (const f of FILES) {
      const b = readFileSync(join(generated, f));
      expect(m.files[f]).toMatchObject({ bytes: b.length, sha256: sha(b), sharedMemory: !f.endsWith('-st.wasm') });
    }
    expect(kernelFile('relaxed', true)).toBe('fastgrad-relaxed.wasm');
    expect(kernelFile('simd', false)).toBe('fastgrad-simd-st.wasm');
  });

  it('the -st builds import a plain memory, the others a shared one', () => {
    const relaxed = detectRelaxedSimd(); // (sets Node 20's V8 flag)
    for (const f of FILES.filter((f) => relaxed || !f.includes('relaxed'))) {
      const mod = new WebAssembly.Module(readFileSync(join(generated, f)));
      const shared = !f.endsWith('-st.wasm');
      const mem = (s: boolean): WebAssembly.Memory => new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: s });
      const inst = (s: boolean): WebAssembly.Instance => new WebAssembly.Instance(mod, { env: { memory: mem(s), abort: () => {} } });
      expect(() => inst(shared)).not.toThrow();
      expect(() => inst(!shared)).toThrow(WebAssembly.LinkError);
    }
  });
});

describe('loading in an installed package (no assembly/ folder)', () => {
  it('verifies the hash; a changed or missing file says the package is damaged and to reinstall, with no build hint', async () => {
    const { load, dir } = await loaderAt(join(tmp, 'installed'), 'dist');
    const ok = load.loadKernelsSync('fastgrad-simd-st.wasm');
    expect(ok).toMatchObject({ file: 'fastgrad-simd-st.wasm', verified: 'sha256' });
    expect(ok.module).toBeInstanceOf(WebAssembly.Module);

    const f = join(dir, 'generated/fastgrad-simd-st.wasm');
    const bytes = readFileSync(f);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(f, bytes);
    const changed = (): unknown => load.loadKernelsSync('fastgrad-simd-st.wasm');
    expect(changed).toThrow(/^wasm backend: .*fastgrad-simd-st\.wasm does not match manifest\.json \(\d+ bytes, sha256 [0-9a-f]{16}…; expected \d+ bytes, sha256 [0-9a-f]{16}…\); the fastgrad package is damaged: reinstall it/);
    expect(changed).toThrow((await import(pathToFileURL(join(tmp, 'installed/dist/errors.ts')).href)).BackendUnavailableError);

    rmSync(join(dir, 'generated/fastgrad-relaxed.wasm'));
    let msg = '';
    try {
      load.loadKernelsSync('fastgrad-relaxed.wasm');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/fastgrad-relaxed\.wasm is missing; the fastgrad package is damaged: reinstall it \(e\.g\. `rm -rf node_modules\/fastgrad && npm install`\)$/);
    expect(msg).not.toMatch(/build/);
  });

  it('a built copy inside a checkout (assembly/ present) advises `npm run build`', async () => {
    const { load, dir } = await loaderAt(join(tmp, 'repo'), 'dist', true);
    rmSync(join(dir, 'generated/manifest.json'));
    expect(() => load.loadKernelsSync('fastgrad-simd.wasm')).toThrow(/manifest\.json is missing; run `npm run build` in the fastgrad checkout/);
  });
});

describe('wasmBase and an app-compiled module', () => {
  it('wasmBase (a path on Node) loads from that folder; a damaged one names the folder', async () => {
    const base = join(tmp, 'assets');
    cpSync(generated, base, { recursive: true });
    const be = await createWasmBackend({ wasmBase: base, threads: 1 });
    expect(be.info).toMatchObject({ shared: true, threads: 1, verified: 'sha256' });
    rmSync(join(base, 'manifest.json'));
    expect(() => loadKernelsSync('fastgrad-simd.wasm', base)).toThrow(/manifest\.json is missing; the folder given as wasmBase \(.*assets\/\) must hold the \*\.wasm files and manifest\.json/);
  });

  it('opts.module: an app\'s own -st module runs single-threaded on a plain memory (found by the link error)', async () => {
    const module = new WebAssembly.Module(readFileSync(join(generated, 'fastgrad-simd-st.wasm')));
    const be = await createWasmBackend({ module });
    expect(be.info).toMatchObject({ shared: false, threads: 1, verified: 'none' });
    const s = be.fromArray(new Float32Array([1, 2, 3]));
    const out = be.alloc('float32', 3);
    be.binary('mul', { storage: s, shape: [3], strides: [1], offset: 0 }, 2, { storage: out, shape: [3], strides: [1], offset: 0 });
    expect(Array.from(be.readSync!(out))).toEqual([2, 4, 6]);
  });

  it('the -st build on Node (shared: false): memory growth keeps the values (a plain memory detaches its old buffer)', async () => {
    const be = await createWasmBackend({ shared: false, initialMiB: 2 });
    expect(be.info).toMatchObject({ shared: false, threads: 1, file: expect.stringMatching(/-st\.wasm$/) });
    const a = be.fromArray(Float32Array.from({ length: 1000 }, (_, i) => i));
    const big = be.alloc('float32', 4 << 20); // 16 MiB: the memory grows
    expect(be.stats().memoryBytes).toBeGreaterThan(16 << 20);
    expect(Array.from(be.readSync!(a)).slice(995)).toEqual([995, 996, 997, 998, 999]);
    be.free(big);
  });
});

describe('the fetch path (browsers), over http', () => {
  let server: Server, url: string;
  const served = (): string => join(tmp, 'served');
  beforeAll(async () => {
    cpSync(generated, served(), { recursive: true });
    server = createServer((req, res) => {
      try {
        const body = readFileSync(join(served(), decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/k\//, ''))));
        res.writeHead(200, { 'content-type': req.url!.endsWith('.wasm') ? 'application/wasm' : 'application/json' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/k`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches the manifest and the file from wasmBase, checks the sha256 (crypto.subtle), compiles', async () => {
    const k = await fetchKernels('fastgrad-relaxed-st.wasm', url); // no trailing slash: still a folder
    expect(k).toMatchObject({ file: 'fastgrad-relaxed-st.wasm', url: `${url}/fastgrad-relaxed-st.wasm`, verified: 'sha256' });
    expect(k.module).toBeInstanceOf(WebAssembly.Module);
  });

  it('a changed file, and a missing one (HTTP 404), are BackendUnavailableErrors that say where to put the files', async () => {
    const f = join(served(), 'fastgrad-simd-st.wasm'), b = readFileSync(f);
    b[100]! ^= 0xff;
    writeFileSync(f, b);
    await expect(fetchKernels('fastgrad-simd-st.wasm', url + '/')).rejects.toThrow(/fastgrad-simd-st\.wasm does not match manifest\.json .*; the folder given as wasmBase \(http:\/\/127\.0\.0\.1:\d+\/k\/\) must hold/);
    await expect(fetchKernels('fastgrad-nope.wasm', url)).rejects.toThrow(errors.BackendUnavailableError);
    await expect(fetchKernels('fastgrad-nope.wasm', url)).rejects.toThrow(/could not fetch http:\/\/127\.0\.0\.1:\d+\/k\/fastgrad-nope\.wasm \(HTTP 404/);
  });
});
