// Loading the kernels. Four builds sit in ./generated (scripts/build-wasm.mjs): relaxed-SIMD (fma) or
// plain SIMD, each on a shared memory (worker threads) or, with the `-st` suffix, on a plain memory for
// pages without cross-origin isolation. manifest.json beside them gives each file's size and sha256,
// checked before a binary is compiled: Node reads the files synchronously (node:fs and node:crypto
// through process.getBuiltinModule, so `import 'fastgrad'` can pick wasm without an await); a browser
// fetches them (crypto.subtle for the hash) from next to this module or from `wasmBase`.
// In a source checkout (the assembly/ folder exists) a missing or stale build is rebuilt on first use;
// anywhere else a missing or altered file means a damaged package.
import { BackendUnavailableError } from '../../errors.js';

/** The kernel exports (assembly/index.ts). Pointers are byte addresses, strides are in elements. */
export interface Kernels {
  fill(dt: number, po: number, meta: number, pv: number): number;
  copy(dtx: number, dto: number, px: number, po: number, meta: number): number;
  unary(op: number, dtx: number, dto: number, px: number, po: number, meta: number): number;
  binary(op: number, int: number, dta: number, dtb: number, dto: number, pa: number, pb: number, po: number, meta: number): number;
  where(dta: number, dtb: number, dto: number, pc: number, pa: number, pb: number, po: number, meta: number): number;
  clamp(dtx: number, dto: number, px: number, po: number, lo: number, hi: number, meta: number): number;
  reduce(op: number, dt: number, px: number, acc: number, count: number, meta: number, init: number): number;
  argReduce(isMax: number, dt: number, px: number, po: number, len: number, sAx: number, meta: number): number;
  cumsum(dt: number, dto: number, px: number, po: number, len: number, sx: number, so: number, meta: number): number;
  gather(dt: number, dti: number, px: number, pi: number, po: number, len: number, sAx: number, meta: number): number;
  scatterAdd(dt: number, dti: number, po: number, pi: number, ps: number, len: number, sAx: number, meta: number): number;
  sgemm(M: number, N: number, K: number, pa: number, sam: number, sak: number, pb: number, sbk: number, sbn: number, pc: number, scm: number, scn: number, beta: number, ws: number): void;
  matmul(dt: number, B: number, M: number, N: number, K: number, pa: number, sab: number, sam: number, sak: number, pb: number, sbb: number, sbk: number, sbn: number, pc: number, scb: number, scm: number, scn: number, ws: number): void;
  sgemmWorkspaceBytes(): number;
  sgemmPackB(N: number, K: number, pb: number, sbk: number, sbn: number, dst: number): void;
  sgemmPackedBytes(N: number, K: number): number;
  sgemmPrepacked(M: number, N: number, K: number, pa: number, sam: number, sak: number, bpk: number, pc: number, scm: number, scn: number, ws: number): void;
  conv2dForward(dt: number, px: number, pw: number, po: number, pp: number, n0: number, n1: number, col: number, ws: number): void;
  conv2dBackwardInput(dt: number, pg: number, pw: number, pi: number, pp: number, n0: number, n1: number, col: number, ws: number): void;
  conv2dBackwardWeight(dt: number, px: number, pg: number, pgw: number, pp: number, o0: number, o1: number, col: number, ws: number): void;
  sgdStep(n: number, pp: number, pg: number, pavg: number, lr: number, mom: number, useMom: number): void;
  adamStep(n: number, pp: number, pg: number, pavg: number, psqr: number, c: number, step: number): void;
  errValue(): number;
  setIterBase(p: number): void;
  iterBytes(): number;
  heapBase(): number;
  maxDims(): number;
  relaxedSimd(): number;
}

export type Variant = 'relaxed' | 'simd';

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd,
  0x85, 0x02, 0x0b,
]);
// (module (func (param v128) (result v128) local.get 0))
const SIMD_PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x20, 0, 0x0b]);

export const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * A Node built-in module, synchronously (process.getBuiltinModule: Node >= 20.16 / 22.3), or null (a
 * browser, or an older Node). NOTE: never `import('node:...')`: bundlers would pull it into a page.
 */
export function nodeBuiltin<T>(name: string): T | null {
  const get = isNode ? (process as unknown as { getBuiltinModule?: (n: string) => unknown }).getBuiltinModule : undefined;
  if (typeof get !== 'function') return null;
  try {
    return (get.call(process, name) as T) ?? null;
  } catch {
    return null;
  }
}

/** Whether the engine validates relaxed SIMD, enabling V8's flag on Node 20 when needed. */
export function detectRelaxedSimd(): boolean {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  nodeBuiltin<typeof import('node:v8')>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_PROBE);
}

export function hasSimd(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

/** The generated file of a build: `shared` = shared memory + threads, else the single-threaded build. */
export function kernelFile(variant: Variant, shared: boolean): string {
  return `fastgrad-${variant}${shared ? '' : '-st'}.wasm`;
}

export const MANIFEST = 'manifest.json';

/** A compiled kernel module and where it came from. */
export interface LoadedKernels {
  module: WebAssembly.Module;
  file: string;
  url: string;
  /** How the bytes were checked against manifest.json ('none': a module the app compiled itself). */
  verified: 'sha256' | 'size' | 'none';
}

interface ManifestEntry {
  bytes: number;
  sha256: string;
}

// NOTE: one literal `new URL('./generated/<file>', import.meta.url)` per file, so bundlers that turn
// that pattern into assets (Vite, webpack 5, Parcel) emit the files and rewrite their URLs.
const DEFAULT_URLS: Record<string, () => URL> = {
  'manifest.json': () => new URL('./generated/manifest.json', import.meta.url),
  'fastgrad-relaxed.wasm': () => new URL('./generated/fastgrad-relaxed.wasm', import.meta.url),
  'fastgrad-simd.wasm': () => new URL('./generated/fastgrad-simd.wasm', import.meta.url),
  'fastgrad-relaxed-st.wasm': () => new URL('./generated/fastgrad-relaxed-st.wasm', import.meta.url),
  'fastgrad-simd-st.wasm': () => new URL('./generated/fastgrad-simd-st.wasm', import.meta.url),
};

/** The URL of a generated file: in the folder `base` when given (resolved against `against`), else next to this module. */
function fileUrl(name: string, base: string | URL | undefined, against: string): URL {
  if (base === undefined) return DEFAULT_URLS[name]!();
  let b = base instanceof URL ? base.href : base;
  if (!b.endsWith('/')) b += '/'; // a folder, whether or not it was written with its slash
  return new URL(name, new URL(b, against));
}

/** What a failure to load should advise, from where the files were looked for. */
type Place = 'source' | 'repo' | 'installed' | 'custom';

function advice(place: Place, where: string): string {
  switch (place) {
    case 'source':
      return 'run `npm run build:wasm` (it needs the devDependency assemblyscript)';
    case 'repo':
      return 'run `npm run build` in the fastgrad checkout (it builds the kernels and copies them next to the built code)';
    case 'custom':
      return `the folder given as wasmBase (${where}) must hold the *.wasm files and manifest.json of this version of fastgrad (its backend/wasm/generated folder)`;
    case 'installed':
      return isNode
        ? 'the fastgrad package is damaged: reinstall it (e.g. `rm -rf node_modules/fastgrad && npm install`)'
        : `serve fastgrad's backend/wasm/generated folder (*.wasm and manifest.json) at ${where}, or tell fastgrad where it is: registerWasmBackend({ wasmBase: '/path/to/folder/' })`;
  }
}

function unavailable(detail: string, place: Place, where: string, cause?: unknown): BackendUnavailableError {
  return new BackendUnavailableError(`wasm backend: ${detail}; ${advice(place, where)}`, cause === undefined ? undefined : { cause });
}

function entryOf(manifest: unknown, file: string): ManifestEntry | null {
  const e = (manifest as { files?: Record<string, ManifestEntry> } | null)?.files?.[file];
  return e && typeof e.bytes === 'number' && typeof e.sha256 === 'string' ? e : null;
}

/** Why `bytes` do not match the manifest entry (null when they do). */
function mismatch(file: string, bytes: number, sha: string | null, e: ManifestEntry): string | null {
  if (bytes === e.bytes && (sha === null || sha === e.sha256)) return null;
  const got = sha === null ? `${bytes} bytes` : `${bytes} bytes, sha256 ${sha.slice(0, 16)}…`;
  return `${file} does not match ${MANIFEST} (${got}; expected ${e.bytes} bytes, sha256 ${e.sha256.slice(0, 16)}…)`;
}

// ---------------- Node: synchronous ----------------

interface NodeFs {
  fs: typeof import('node:fs');
  url: typeof import('node:url');
  crypto: typeof import('node:crypto');
}

function nodeFs(): NodeFs {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs'), url = nodeBuiltin<typeof import('node:url')>('node:url');
  const crypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');
  if (!fs || !url || !crypto) throw new BackendUnavailableError('wasm backend: Node needs process.getBuiltinModule (Node >= 20.16 or >= 22.3) to load its kernels; upgrade Node');
  return { fs, url, crypto };
}

/**
 * Node: read, verify and compile a generated file, synchronously (`new WebAssembly.Module` has no size
 * limit outside browsers' main threads; ~50 KB take a few ms). `wasmBase`: a folder (path or file URL)
 * holding the files instead of ./generated. In a source checkout a missing or stale build is made first.
 */
export function loadKernelsSync(file: string, wasmBase?: string | URL): LoadedKernels {
  const { fs, url, crypto } = nodeFs();
  // a path, unless it starts with a URL scheme (of 2+ letters: `C:\\` is a Windows path)
  const base = typeof wasmBase === 'string' && !/^[a-z][a-z0-9+.-]+:/i.test(wasmBase) ? url.pathToFileURL(wasmBase + '/') : wasmBase;
  const at = fileUrl(file, base, url.pathToFileURL(process.cwd() + '/').href);
  const manUrl = fileUrl(MANIFEST, base, at.href);
  const path = url.fileURLToPath(at), manPath = url.fileURLToPath(manUrl);
  const root = new URL('../../../', import.meta.url);
  const repo = fs.existsSync(url.fileURLToPath(new URL('assembly/', root)));
  const source = repo && base === undefined && manUrl.href === new URL('src/backend/wasm/generated/manifest.json', root).href;
  const place: Place = base !== undefined ? 'custom' : source ? 'source' : repo ? 'repo' : 'installed';
  const where = url.fileURLToPath(new URL('.', manUrl));
  const read = (): { bytes: Uint8Array<ArrayBuffer> } | { problem: string } => {
    if (!fs.existsSync(manPath)) return { problem: `${manPath} is missing` };
    if (!fs.existsSync(path)) return { problem: `${path} is missing` };
    let entry: ManifestEntry | null;
    try {
      entry = entryOf(JSON.parse(fs.readFileSync(manPath, 'utf8')), file);
    } catch (e) {
      return { problem: `${manPath} is unreadable (${e instanceof Error ? e.message : String(e)})` };
    }
    if (!entry) return { problem: `${manPath} does not list ${file}` };
    const bytes = new Uint8Array(fs.readFileSync(path));
    const bad = mismatch(path, bytes.length, crypto.createHash('sha256').update(bytes).digest('hex'), entry);
    return bad ? { problem: bad } : { bytes };
  };
  if (source && stale(fs, url, root, manPath)) buildSource(fs, url, root);
  let r = read();
  // NOTE: a mismatch in a source checkout can be a concurrent build between its renames: build/re-read once
  if ('problem' in r && source) {
    buildSource(fs, url, root);
    r = read();
  }
  if ('problem' in r) throw unavailable(r.problem, place, where);
  return { module: new WebAssembly.Module(r.bytes), file, url: at.href, verified: 'sha256' };
}

/** Whether a source of the kernels (assembly/*.ts, the build script) is newer than the manifest. */
function stale(fs: typeof import('node:fs'), url: typeof import('node:url'), root: URL, manPath: string): boolean {
  if (!fs.existsSync(manPath)) return true;
  const built = fs.statSync(manPath).mtimeMs;
  const src = url.fileURLToPath(new URL('assembly/', root));
  const files = fs.readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => src + f);
  files.push(url.fileURLToPath(new URL('scripts/build-wasm.mjs', root)));
  return files.some((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs > built);
}

function buildSource(fs: typeof import('node:fs'), url: typeof import('node:url'), root: URL): void {
  const script = url.fileURLToPath(new URL('scripts/build-wasm.mjs', root));
  const cp = nodeBuiltin<typeof import('node:child_process')>('node:child_process');
  if (!cp || !fs.existsSync(script)) return; // the read that follows reports what is missing
  try {
    cp.execFileSync(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    /* the read that follows reports what is missing */
  }
}

// ---------------- browsers (and any engine with fetch): asynchronous ----------------

async function fetchBytes(u: URL, place: Place, where: string): Promise<Uint8Array<ArrayBuffer>> {
  let res: Response;
  try {
    res = await fetch(u);
  } catch (e) {
    throw unavailable(`could not fetch ${u.href} (${e instanceof Error ? e.message : String(e)})`, place, where, e);
  }
  if (!res.ok) throw unavailable(`could not fetch ${u.href} (HTTP ${res.status} ${res.statusText})`, place, where);
  return new Uint8Array(await res.arrayBuffer());
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | null> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return null; // NOTE: crypto.subtle exists only in secure contexts (https, localhost)
  const d = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetch, verify and compile a generated file: from the folder `wasmBase` (a URL, or a path resolved
 * against the page) when given, else from next to this module. Where crypto.subtle is missing (a page
 * served over plain http), only the size is checked.
 */
export async function fetchKernels(file: string, wasmBase?: string | URL): Promise<LoadedKernels> {
  const page = (globalThis as { location?: { href: string } }).location?.href ?? import.meta.url;
  const at = fileUrl(file, wasmBase, page), manUrl = fileUrl(MANIFEST, wasmBase, page);
  const place: Place = wasmBase === undefined ? 'installed' : 'custom';
  const where = new URL('.', manUrl).href;
  const [man, bytes] = await Promise.all([fetchBytes(manUrl, place, where), fetchBytes(at, place, where)]);
  let entry: ManifestEntry | null;
  try {
    entry = entryOf(JSON.parse(new TextDecoder().decode(man)), file);
  } catch (e) {
    throw unavailable(`${manUrl.href} is not the kernels' manifest (${e instanceof Error ? e.message : String(e)})`, place, where, e);
  }
  if (!entry) throw unavailable(`${manUrl.href} does not list ${file}`, place, where);
  const sha = await sha256Hex(bytes);
  const bad = mismatch(at.href, bytes.length, sha, entry);
  if (bad) throw unavailable(bad, place, where);
  return { module: await WebAssembly.compile(bytes), file, url: at.href, verified: sha === null ? 'size' : 'sha256' };
}
