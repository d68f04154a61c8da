// The core entry in a browser: esbuild bundles a small training script (fixtures/train.ts) for
// platform 'browser' with its defaults (no Node built-in may be needed), a local server serves it with
// the .wasm kernels, and headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core, which
// downloads no browser) runs it twice: without cross-origin isolation (no SharedArrayBuffer: the wasm
// backend runs single-threaded) and with COOP/COEP headers (crossOriginIsolated: its worker pool).
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from './fixtures/train.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const WASM_DIR = join(repo, 'src/backend/wasm/generated');
const HEAVY = ['sharp', 'vega', 'vega-lite', 'arquero', 'tar', 'csv-parse', 'mnist', 'zod', 'commander'];

const skipReason = !existsSync(CHROMIUM)
  ? ` (skipped: no ${CHROMIUM}; apt-get install chromium)`
  : '';

let bundle = '';
let metafile: Metafile;
let bundleErrors: string[] = [];

async function bundleApp(): Promise<void> {
  try {
    const r = await build({
      entryPoints: [join(repo, 'test/browser/fixtures/train.ts')],
      bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, metafile: true, logLevel: 'silent',
    });
    bundle = r.outputFiles[0]!.text;
    metafile = r.metafile;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    bundleErrors = errors.length ? errors.map((x) => `${x.text} (${x.location ? `${x.location.file}:${x.location.line}` : '?'})`) : [String(e)];
  }
}

/** A static server for the page, the bundle and the kernels; `isolated` adds the COOP/COEP headers. */
function serve(isolated: boolean): Promise<{ server: Server; url: string }> {
  const html = '<!doctype html><meta charset="utf-8"><title>fastgrad</title><link rel="icon" href="data:,"><script type="module" src="./app.js"></script>';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    // The kernels sit at ./wasm/ (the wasmBase the page passes) and at ./generated/ (beside the bundle's
    // import.meta.url, where the loader looks by default).
    const wasm = /^\/(?:wasm|generated)\/([\w.-]+\.(wasm|json))$/.exec(path);
    if (path === '/') res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
    else if (path === '/app.js') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(bundle);
    else if (wasm && existsSync(join(WASM_DIR, wasm[1]!))) res.writeHead(200, { ...headers, 'Content-Type': wasm[2] === 'json' ? 'application/json' : 'application/wasm' }).end(readFileSync(join(WASM_DIR, wasm[1]!)));
    else res.writeHead(404, headers).end();
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    ok({ server, url: `http://127.0.0.1:${addr.port}/` });
  }));
}

/** Open the page in a fresh headless Chromium profile; wait for the script's result. */
async function runPage(isolated: boolean): Promise<{ result: PageResult; log: string[] }> {
  if (!bundle) throw new Error(`no bundle to run (esbuild failed: ${bundleErrors.join('; ')})`);
  const { server, url } = await serve(isolated);
  const profile = mkdtempSync(join(tmpdir(), 'fastgrad-chromium-'));
  const log: string[] = [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { fastgradResult?: unknown }).fastgradResult !== undefined, null, { timeout: 90_000 });
    const result = (await page.evaluate(() => (globalThis as { fastgradResult?: unknown }).fastgradResult)) as PageResult;
    return { result, log };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function expectTrained(r: PageResult, log: string[]): void {
  expect(r.error, `the page failed:\n${r.error}\n${log.join('\n')}`).toBeUndefined();
  expect(r.device).toBe('wasm');
  expect(r.losses).toHaveLength(30);
  expect(r.losses.every(Number.isFinite)).toBe(true);
  expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 4);
  expect(r.learnerLosses).toHaveLength(3);
  expect(r.learnerLosses.at(-1)!).toBeLessThan(r.learnerLosses[0]!);
  expect(r.matmulDiff).toBeLessThan(1e-3);
}

describe.skipIf(skipReason !== '')(`the core entry in a browser (esbuild + headless Chromium)${skipReason}`, () => {
  beforeAll(bundleApp, 60_000);

  it("bundles with esbuild's defaults for platform 'browser': no Node built-in, no Node-only or heavy package", () => {
    expect(bundleErrors).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    const builtins = inputs.filter((p) => p.startsWith('node:') || builtinModules.includes(p));
    const heavy = inputs.filter((p) => HEAVY.some((h) => p.includes(`node_modules/${h}/`)));
    expect(builtins).toEqual([]);
    expect(heavy).toEqual([]);
    expect(inputs.some((p) => p.endsWith('src/index.ts'))).toBe(true);
    expect(readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThan(0);
  });

  it('trains on wasm in a page without cross-origin isolation (single-threaded)', async () => {
    const { result, log } = await runPage(false);
    expectTrained(result, log);
    expect(result.isolated).toBe(false);
  }, 120_000);

  it('trains on wasm in a cross-origin isolated page (COOP/COEP), with its worker pool', async () => {
    const { result, log } = await runPage(true);
    expectTrained(result, log);
    expect(result.isolated).toBe(true);
    expect(result.threads).toBeGreaterThan(1);
  }, 120_000);
});

