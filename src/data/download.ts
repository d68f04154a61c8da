// Resumable, verified file download. Bytes go to `<file>.part` (resumed with an HTTP Range request when
// the server supports it), the finished file is checked (size, fastai's md5 of the first MiB, sha256),
// and only then renamed into place, so `<file>` either does not exist or is complete and verified.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FastgradError } from '../errors.js';

/** A failed download; `url` says which. */
export class DownloadError extends FastgradError {
  override name = 'DownloadError';
  constructor(message: string, readonly url: string) {
    super(message);
  }
}
/** The host could not be reached (offline, DNS failure, refused or reset connection). */
export class NetworkError extends DownloadError {
  override name = 'NetworkError';
  constructor(message: string, url: string, readonly code: string) {
    super(message, url);
  }
}
/** The server answered with an HTTP error status. */
export class HttpError extends DownloadError {
  override name = 'HttpError';
  constructor(message: string, url: string, readonly status: number) {
    super(message, url);
  }
}
/** The file does not match its expected size or checksum; it was kept aside at `badPath`. */
export class ChecksumError extends DownloadError {
  override name = 'ChecksumError';
  constructor(message: string, url: string, readonly badPath: string) {
    super(message, url);
  }
}

export interface FileStats {
  size: number;
  sha256: string;
  /** md5 of the first MiB: fastai's download check. */
  md5First1M: string;
}
export interface Expected {
  size?: number;
  sha256?: string;
  md5First1M?: string;
}
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;
export interface DownloadOptions {
  fetchImpl?: FetchLike;
  expect?: Expected;
  /** Called as bytes arrive: bytes on disk so far and the total when the server says it. */
  onProgress?: (received: number, total: number | undefined) => void;
}

const MIB = 2 ** 20;

/** Size, sha256 and fastai's first-MiB md5 of a file, in one streaming pass. */
export async function hashFile(path: string): Promise<FileStats> {
  const sha = createHash('sha256'), md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    if (size < MIB) md5.update(chunk.subarray(0, MIB - size));
    sha.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: sha.digest('hex'), md5First1M: md5.digest('hex') };
}

/** The differences between a file's stats and what was expected, as readable lines (empty: it matches). */
export function checkStats(got: FileStats, expect: Expected): string[] {
  const bad: string[] = [];
  if (expect.size !== undefined && got.size !== expect.size) bad.push(`size: expected ${expect.size} bytes, got ${got.size}`);
  if (expect.md5First1M && got.md5First1M !== expect.md5First1M) bad.push(`md5 of the first MiB: expected ${expect.md5First1M}, got ${got.md5First1M}`);
  if (expect.sha256 && got.sha256 !== expect.sha256) bad.push(`sha256: expected ${expect.sha256}, got ${got.sha256}`);
  return bad;
}

/** Move a file that failed its check to `<file>.bad` (replacing an older one) and return that path. */
export async function putAside(path: string, finalPath: string): Promise<string> {
  const bad = finalPath + '.bad';
  await rm(bad, { force: true });
  await rename(path, bad);
  return bad;
}

// The system error code behind a failed fetch (undici puts it on `cause`, or on an AggregateError's members).
function errorCode(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const o = e as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof o.code === 'string' && /^[A-Z][A-Z_]+$/.test(o.code)) return o.code;
    e = o.cause ?? o.errors?.[0];
  }
  return err instanceof Error ? err.message : String(err);
}

const WHY: Record<string, string> = {
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENETUNREACH: 'network unreachable',
};

/** The offline message: what failed, where the file belongs, and how to put it there by hand. */
function networkError(url: string, file: string, err: unknown, partial: number): NetworkError {
  const code = errorCode(err);
  const what = partial > 0 ? `the download of ${url} was interrupted after ${partial} bytes` : `could not download ${url}`;
  const msg =
    `${what} (${code}${WHY[code] ? `: ${WHY[code]}` : ''}). Are you offline?\n` +
    (partial > 0 ? `The partial file ${file}.part is kept; calling again resumes it.\n` : '') +
    `To install the file by hand, fetch it on a machine with network access (e.g. curl -L -o '${file.split(/[\\/]/).pop()}' '${url}')\n` +
    `and copy it to ${file}\n(cache folder: ${dirname(file)}); the next call verifies it and uses it without the network.`;
  return new NetworkError(msg, url, code);
}

// Content-Range `bytes START-END/TOTAL` (206) or `bytes */TOTAL` (416); TOTAL may be '*'.
function contentRange(h: string | null): { start: number | undefined; total: number | undefined } | null {
  const m = h ? /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(h.trim()) : null;
  return m ? { start: m[1] === undefined ? undefined : Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) } : null;
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

/**
 * Download `url` to `file`: resume `<file>.part` with `Range: bytes=N-` when it exists (a server that
 * answers 200 instead of 206 gets a fresh download), verify against `expect`, then rename atomically.
 * A mismatch moves the bytes to `<file>.bad` and throws ChecksumError. Returns the file's stats.
 */
export async function downloadFile(url: string, file: string, opts: DownloadOptions = {}): Promise<FileStats> {
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((u, init) => fetch(u, init));
  const part = file + '.part';
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    const from = attempt === 0 ? await sizeOf(part) : 0;
    if (attempt > 0) await rm(part, { force: true });
    let res: Response;
    try {
      res = await fetchImpl(url, from > 0 ? { headers: { Range: `bytes=${from}-` } } : {});
    } catch (err) {
      throw networkError(url, file, err, 0);
    }
    if (from > 0 && res.status === 416) {
      // Nothing left to send: our .part is already whole (total === from) or is not a prefix of this file.
      await res.body?.cancel().catch(() => {});
      if (contentRange(res.headers.get('content-range'))?.total === from) break;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new HttpError(`HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''} while downloading ${url}`, url, res.status);
    }
    const cr = contentRange(res.headers.get('content-range'));
    const resumed = from > 0 && res.status === 206;
    if (resumed && cr?.start !== from) {
      await res.body?.cancel().catch(() => {});
      continue; // the server sent some other range: start over
    }
    const len = Number(res.headers.get('content-length') ?? NaN);
    const total = cr?.total ?? (Number.isFinite(len) ? len + (resumed ? from : 0) : undefined);
    await writeBody(res, part, resumed ? from : 0, total, url, file, opts.onProgress);
    break;
  }
  const stats = await hashFile(part);
  const bad = checkStats(stats, opts.expect ?? {});
  if (bad.length) {
    const badPath = await putAside(part, file);
    throw new ChecksumError(`checksum mismatch for ${url}: ${bad.join('; ')}. The downloaded bytes were kept at ${badPath}`, url, badPath);
  }
  await rename(part, file);
  return stats;
}

async function writeBody(
  res: Response, part: string, from: number, total: number | undefined, url: string, file: string,
  onProgress?: (received: number, total: number | undefined) => void,
): Promise<void> {
  const fh = await open(part, from > 0 ? 'a' : 'w');
  let got = from;
  try {
    if (!res.body) return;
    const reader = res.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw networkError(url, file, err, got);
      }
      if (chunk.done) break;
      await fh.write(chunk.value);
      got += chunk.value.length;
      onProgress?.(got, total);
    }
  } finally {
    await fh.close();
  }
}
