// untarData against a loopback HTTP server (127.0.0.1 only; global fetch is guarded so that no other
// host can be reached). Fixtures are built here with node-tar; ../shared/data is served when present.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChecksumError, ExtractError, HttpError, NetworkError, URLs, datasetEntry, defaultCacheDir, registerDataset, untarData,
} from '../../src/data/node.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sharedData = resolve(repoRoot, '../shared/data');
const hasShared = existsSync(join(sharedData, 'titanic', 'train.csv'));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const work = mkdtempSync(join(tmpdir(), 'fastgrad-dl-'));
const routes = new Map<string, Buffer>(); // path → body
const noRange = new Set<string>(); // paths whose server ignores Range (answers 200)
const cutOnce = new Set<string>(); // paths whose next response breaks off halfway
const seen: { path: string; range: string | undefined }[] = [];
let server: Server;
let base = '';
let cache = '';
const realFetch = globalThis.fetch;

function serve(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  seen.push({ path, range: req.headers.range });
  let body = routes.get(path);
  if (!body && hasShared && path.startsWith('/shared/')) {
    const f = resolve(sharedData, path.slice('/shared/'.length));
    if (f.startsWith(sharedData + sep) && existsSync(f)) body = readFileSync(f);
  }
  if (!body) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  if (cutOnce.delete(path)) {
    res.writeHead(200, { 'Content-Length': body.length });
    // Give the client time to take the headers and some bytes before the connection drops.
    return void res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.destroy(), 150));
  }
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m && !noRange.has(path)) {
    const start = Number(m[1]);
    if (start >= body.length) return void res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': body.length - start });
    return void res.end(body.subarray(start));
  }
  res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': noRange.has(path) ? 'none' : 'bytes' }).end(body);
}

// Random (incompressible) files, so a truncated .tgz still holds some whole entries before it breaks.
async function makeTgz(name: string, files: Record<string, number | string>, top: string | null): Promise<Buffer> {
  const src = mkdtempSync(join(work, 'src-'));
  const root = top ? join(src, top) : src;
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), typeof content === 'string' ? content : Buffer.from(Array.from({ length: content }, (_, i) => (i * 2654435761) >>> 24)));
  }
  const out = join(work, name);
  await tarCreate({ gzip: true, file: out, cwd: src, portable: true }, top ? [top] : Object.keys(files).map((f) => f.split('/')[0]!));
  return readFileSync(out);
}

let fixture: Buffer;
async function makeEvilTgz(): Promise<Buffer> {
  const src = mkdtempSync(join(work, 'evil-'));
  mkdirSync(join(src, 'inner'));
  writeFileSync(join(src, 'evil.txt'), 'escaped');
  await tarCreate({ gzip: true, file: join(src, 'evil.tgz'), cwd: join(src, 'inner'), preservePaths: true }, ['../evil.txt']);
  return readFileSync(join(src, 'evil.tgz'));
}
beforeAll(async () => {
  // Any fetch to a host other than 127.0.0.1 fails the test instead of leaving the machine.
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const host = new URL(input instanceof Request ? input.url : String(input)).hostname;
    if (host !== '127.0.0.1') throw new Error(`test tried to reach ${host}`);
    return realFetch(input, init);
  }) as typeof fetch;
  fixture = await makeTgz('fixture.tgz', { 'a.txt': 'hello\n', 'sub/b.bin': 200_000, 'sub/c.bin': 150_000 }, 'fixture');
  routes.set('/fixture.tgz', fixture);
  routes.set('/flat.tgz', await makeTgz('flat.tgz', { 'x.txt': 'x', 'y.txt': 'y' }, null));
  routes.set('/notes.csv', Buffer.from('a,b\r\n1,2\r\n'));
  const big = await makeTgz('big.tgz', Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.bin`, 100_000])), 'big');
  routes.set('/broken.tgz', big.subarray(0, Math.floor(big.length * 0.6)));
  routes.set('/evil.tgz', await makeEvilTgz());
  server = createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  cache = mkdtempSync(join(work, 'cache-'));
  seen.length = 0;
});

const fixtureEntry = () => ({ url: `${base}/fixture.tgz`, sha256: sha256(fixture), size: fixture.length });
const listing = (dir: string) => readdirSync(dir).sort();

describe('untarData over a loopback server', () => {
  it('downloads, checks the sha256, extracts the single top folder and returns its path', async () => {
    let last: [number, number | undefined] = [0, 0];
    const path = await untarData(fixtureEntry(), { cacheDir: cache, onProgress: (r, t) => (last = [r, t]) });
    expect(last).toEqual([fixture.length, fixture.length]);
    expect(path).toBe(join(cache, 'fixture'));
    expect(readFileSync(join(path, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(path, 'sub', 'b.bin')).length).toBe(200_000);
    expect(listing(join(cache, 'archive'))).toEqual(['fixture.tgz']); // no .part left
    expect(listing(cache)).toEqual(['archive', 'fixture']); // known sha256: nothing recorded
    expect(seen.length).toBe(1);
  });

  it('a second call returns the cached path with zero requests; force downloads again', async () => {
    const first = await untarData(fixtureEntry(), { cacheDir: cache });
    seen.length = 0;
    expect(await untarData(fixtureEntry(), { cacheDir: cache })).toBe(first);
    expect(seen.length).toBe(0);
    expect(await untarData(fixtureEntry(), { cacheDir: cache, force: true })).toBe(first);
    expect(seen.length).toBe(1);
  });

  it('an archive without the extracted folder is re-extracted without the network', async () => {
    const path = await untarData(fixtureEntry(), { cacheDir: cache });
    rmSync(path, { recursive: true });
    seen.length = 0;
    expect(existsSync(join(await untarData(fixtureEntry(), { cacheDir: cache }), 'a.txt'))).toBe(true);
    expect(seen.length).toBe(0);
  });

  it('resumes a truncated .part with a Range request', async () => {
    mkdirSync(join(cache, 'archive'));
    writeFileSync(join(cache, 'archive', 'fixture.tgz.part'), fixture.subarray(0, 1000));
    const path = await untarData(fixtureEntry(), { cacheDir: cache });
    expect(seen).toEqual([{ path: '/fixture.tgz', range: 'bytes=1000-' }]);
    expect(readFileSync(join(path, 'sub', 'c.bin')).length).toBe(150_000);
  });

  it('a connection lost mid-download keeps the .part and the next call resumes it', async () => {
    cutOnce.add('/fixture.tgz');
    const err = await untarData(fixtureEntry(), { cacheDir: cache }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect(String(err)).toMatch(/interrupted after \d+ bytes.*\.part is kept; calling again resumes it/s);
    const kept = readFileSync(join(cache, 'archive', 'fixture.tgz.part')).length;
    expect(kept).toBeGreaterThan(0);
    await untarData(fixtureEntry(), { cacheDir: cache });
    expect(seen.at(-1)).toEqual({ path: '/fixture.tgz', range: `bytes=${kept}-` });
  });

  it('starts over when the server ignores Range, and finishes a .part that is already whole', async () => {
    routes.set('/norange.tgz', fixture);
    noRange.add('/norange.tgz');
    mkdirSync(join(cache, 'archive'));
    writeFileSync(join(cache, 'archive', 'norange.tgz.part'), fixture.subarray(0, 1000));
    const e = { url: `${base}/norange.tgz`, sha256: sha256(fixture) };
    expect(existsSync(join(await untarData(e, { cacheDir: cache }), 'a.txt'))).toBe(true);
    writeFileSync(join(cache, 'archive', 'fixture.tgz.part'), fixture); // whole: the server answers 416
    await untarData(fixtureEntry(), { cacheDir: cache });
    expect(seen.at(-1)).toEqual({ path: '/fixture.tgz', range: `bytes=${fixture.length}-` });
  });

  it('a checksum mismatch names expected and actual, keeps the bytes as .bad and leaves no folder', async () => {
    const e = { ...fixtureEntry(), sha256: '0'.repeat(64) };
    const err = await untarData(e, { cacheDir: cache }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(String(err)).toContain(`sha256: expected ${'0'.repeat(64)}, got ${sha256(fixture)}`);
    expect(listing(join(cache, 'archive'))).toEqual(['fixture.tgz.bad']);
    expect(existsSync(join(cache, 'fixture'))).toBe(false);
  });

  it('records the sha256 of an unknown file on first download and holds later downloads to it', async () => {
    routes.set('/tofu.tgz', fixture);
    const url = `${base}/tofu.tgz`;
    await untarData(url, { cacheDir: cache });
    const manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8'));
    expect(manifest.files[url]).toMatchObject({ sha256: sha256(fixture), size: fixture.length, file: 'tofu.tgz' });
    routes.set('/tofu.tgz', routes.get('/flat.tgz')!); // upstream changed
    const err = await untarData(url, { cacheDir: cache, force: true }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(String(err)).toContain(`expected ${sha256(fixture)}`);
    expect(existsSync(join(cache, 'tofu', 'a.txt'))).toBe(true); // the old, verified copy is untouched
  });

  it('an archive with no single top folder becomes the folder itself', async () => {
    const path = await untarData(`${base}/flat.tgz`, { cacheDir: cache, dest: join(cache, 'elsewhere') });
    expect(path).toBe(join(cache, 'elsewhere', 'flat'));
    expect(listing(path)).toEqual(['x.txt', 'y.txt']);
  });

  it('a failed extraction leaves no partial folder and keeps an unverified archive aside', async () => {
    const err = await untarData(`${base}/broken.tgz`, { cacheDir: cache }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ExtractError);
    expect(String(err)).toMatch(/could not extract .*broken\.tgz.*Nothing was left/s);
    expect(listing(cache)).toEqual(['archive']); // no broken/, no .broken.extract-*, no manifest entry
    expect(listing(join(cache, 'archive'))).toEqual(['broken.tgz.bad']);
  });

  it('refuses an archive entry that climbs out with ../', async () => {
    const err = await untarData(`${base}/evil.tgz`, { cacheDir: join(cache, 'c') }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ExtractError);
    expect(String(err)).toMatch(/contains '\.\.'/);
    expect(listing(cache)).toEqual(['c']); // no evil.txt beside the cache
    expect(listing(join(cache, 'c'))).toEqual(['archive']);
  });

  it('plain files are downloaded as they are (no extraction)', async () => {
    const body = routes.get('/notes.csv')!;
    const path = await untarData({ url: `${base}/notes.csv`, sha256: sha256(body) }, { cacheDir: cache });
    expect(path).toBe(join(cache, 'notes.csv'));
    expect(readFileSync(path)).toEqual(body);
  });

  it.skipIf(!hasShared)(`serves ../shared/data/titanic/train.csv through a registry entry with its sha256${hasShared ? '' : ' (skipped: ../shared/data absent)'}`, async () => {
    const sha = '7d118fef8b6ccf7f81111877bc388536f7b1e498a655e3d649d19aaa010e9f6f';
    registerDataset({ name: 'TITANIC_LOOPBACK', url: `${base}/shared/titanic/train.csv`, sha256: sha, size: 61194 });
    const path = await untarData('TITANIC_LOOPBACK', { cacheDir: cache });
    expect(path).toBe(join(cache, 'train.csv'));
    expect(sha256(readFileSync(path))).toBe(sha);
    expect(readFileSync(path, 'utf8').split('\r\n')[0]).toBe('PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked');
  });
});

describe('download errors', () => {
  it('HTTP 404 names the status and the URL', async () => {
    const err = await untarData(`${base}/missing.tgz`, { cacheDir: cache }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(404);
    expect(String(err)).toContain(`HTTP 404 Not Found while downloading ${base}/missing.tgz`);
  });

  it('a refused connection names the URL, the cache path and how to place the file by hand', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const url = `http://127.0.0.1:${port}/data.tgz`;
    const err = await untarData(url, { cacheDir: cache }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNREFUSED');
    const msg = String(err);
    expect(msg).toContain(`could not download ${url} (ECONNREFUSED: connection refused)`);
    expect(msg).toContain(`copy it to ${join(cache, 'archive', 'data.tgz')}`);
    expect(msg).toContain('by hand');
  });

  it('the fastai registry: MNIST_SAMPLE is checked against fastai size and md5 (served here by a stand-in)', async () => {
    expect(URLs.MNIST_SAMPLE).toBe('https://s3.amazonaws.com/fast-ai-sample/mnist_sample.tgz');
    expect(datasetEntry(URLs.PETS)).toMatchObject({ name: 'PETS', size: 811706944, stem: 'oxford-iiit-pet', archive: 'tgz' });
    routes.set('/fast-ai-sample/mnist_sample.tgz', fixture);
    const toLoopback = (u: string, init?: RequestInit) => fetch(u.replace('https://s3.amazonaws.com', base), init);
    const err = await untarData('MNIST_SAMPLE', { cacheDir: cache, fetchImpl: toLoopback }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(String(err)).toContain(`size: expected 3214948 bytes, got ${fixture.length}`);
    expect(String(err)).toContain('md5 of the first MiB: expected 2dbc7ec6f9259b583af0072c55816a88');
    expect(seen.map((s) => s.path)).toEqual(['/fast-ai-sample/mnist_sample.tgz']);
  });

  it('validates entries, names and options', async () => {
    expect(() => registerDataset({ url: 'ftp://example.invalid/x.tgz' })).toThrow(/option 'url': expected an http\(s\) URL/);
    expect(() => registerDataset({ url: `${base}/x.tgz`, sha256: 'abc' })).toThrow(/option 'sha256': expected 64 hex digits/);
    expect(() => datasetEntry(`${base}/..%2F..%2Fetc`)).toThrow(/cannot take a safe file name/);
    expect(() => datasetEntry('NOT_A_DATASET')).toThrow(/neither a registered dataset \(MNIST_SAMPLE, MNIST, PETS/);
    await expect(untarData(fixtureEntry(), { forse: true } as never)).rejects.toThrow(/untarData: invalid options: Unrecognized key.*forse/);
    writeFileSync(join(cache, 'manifest.json'), '{"version": 2}');
    await expect(untarData(`${base}/flat.tgz`, { cacheDir: cache })).rejects.toThrow(/manifest .* is malformed/);
  });

  it('the cache lives under FASTGRAD_HOME when set, else ~/.fastgrad/data', () => {
    expect(defaultCacheDir({ FASTGRAD_HOME: '/srv/fg' })).toBe(join('/srv/fg', 'data'));
    expect(defaultCacheDir({})).toMatch(/[\\/]\.fastgrad[\\/]data$/);
  });
});
