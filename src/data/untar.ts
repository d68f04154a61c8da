// fastai's untar_data: download a dataset once into a cache, verify it, unpack it atomically, and
// return its path; later calls return the cached path without touching the network.
//
// Cache layout (cacheDir defaults to $FASTGRAD_HOME/data or ~/.fastgrad/data):
//   <cacheDir>/archive/<file>.tgz    downloaded archives (`.part` while downloading, `.bad` if a check failed)
//   <dest>/<stem>/                   the extracted folder (dest defaults to cacheDir); plain files go to <dest>/<file>
//   <cacheDir>/manifest.json         sha256 recorded on first download for files whose sha256 is not known
//
// Checksums: an entry's known size / fastai md5-of-first-MiB / sha256 are always checked. When no sha256
// is known (the fastai URLs publish none), the first successful download records the file's sha256 in
// manifest.json (trust on first use) and every later download or re-extraction of that URL must match it;
// delete the URL's line in manifest.json to accept a new upstream version.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FormatError } from '../errors.js';
import { DownloadError, type FetchLike, checkStats, downloadFile, hashFile, putAside } from './download.js';
import { type DatasetEntry, type DatasetEntryInput, datasetEntry, defaultCacheDir } from './urls.js';
import { lazySchema, validate } from './validate.js';

/** Unpacking failed; nothing was left at the destination. */
export class ExtractError extends DownloadError {
  override name = 'ExtractError';
}

export interface UntarOptions {
  /** Folder that receives the dataset folder (fastai's dest); default cacheDir. */
  dest?: string;
  /** Cache root; default `$FASTGRAD_HOME/data` or `~/.fastgrad/data`. */
  cacheDir?: string;
  /** The fetch to use (default: global fetch). */
  fetchImpl?: FetchLike;
  /** Download and extract again even when cached. */
  force?: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
}

const isFn = (v: unknown): boolean => typeof v === 'function';
const OptsSchema = lazySchema((z) => z.strictObject({
  dest: z.string().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  fetchImpl: z.custom<FetchLike>(isFn, 'expected a function').optional(),
  force: z.boolean().optional(),
  onProgress: z.custom<(r: number, t: number | undefined) => void>(isFn, 'expected a function').optional(),
}));

const ManifestSchema = lazySchema((z) => z.object({
  version: z.literal(1),
  files: z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative(), file: z.string(), recorded: z.string() })),
}));
interface Manifest {
  version: 1;
  files: Record<string, { sha256: string; size: number; file: string; recorded: string }>;
}

async function readManifest(path: string): Promise<Manifest> {
  if (!existsSync(path)) return { version: 1, files: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new FormatError(`download manifest ${path} is not valid JSON (${(err as Error).message}); delete it to start over`);
  }
  const r = ManifestSchema().safeParse(raw);
  if (!r.success) throw new FormatError(`download manifest ${path} is malformed (${r.error.issues[0]?.message} at ${r.error.issues[0]?.path.join('.')}); delete it to start over`);
  return r.data;
}

// Write beside, then rename: readers see the old or the new manifest, never half of one.
async function writeManifest(path: string, m: Manifest): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(m, null, 2) + '\n');
  await rename(tmp, path);
}

// Only plain files and folders are unpacked: links and devices in a downloaded archive are skipped.
const KEEP = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Unpack `archive` into `<parent>/<name>` atomically: extract into a hidden temporary folder beside it,
 * then rename. An archive holding a single top-level folder gives that folder (renamed to `name`), as
 * fastdownload does; otherwise the archive's contents become the folder. On failure nothing is left.
 */
export async function extractArchive(archive: string, parent: string, name: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  const target = join(parent, name);
  const tmp = await mkdtemp(join(parent, `.${name}.extract-`));
  try {
    // strict: every tar warning (bad entry, truncated data, `..` paths) is an error, not a skipped file.
    const { extract } = await import('tar'); // loaded only when an archive is unpacked
    await extract({ file: archive, cwd: tmp, strict: true, preserveOwner: false, filter: (_p, e) => !('type' in e) || KEEP.has(e.type) });
  } catch (err) {
    // NOTE: node-tar rejects at the first error while queued entries are still being written. Renaming
    // the folder away first makes those writes fail (tar never recreates its cwd), so the rm can finish.
    const trash = `${tmp}.trash`;
    await rename(tmp, trash).catch(() => {});
    await rm(trash, { recursive: true, force: true, maxRetries: 5 }).catch(() => {});
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  try {
    const top = await readdir(tmp);
    const inner = top.length === 1 && (await stat(join(tmp, top[0]!))).isDirectory() ? join(tmp, top[0]!) : tmp;
    const old = existsSync(target) ? `${tmp}.old` : null;
    if (old) await rename(target, old);
    try {
      await rename(inner, target);
    } catch (err) {
      if (old) await rename(old, target);
      throw err;
    }
    if (old) await rm(old, { recursive: true, force: true });
    return target;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * fastai `untar_data`: the local path of a dataset, downloading and extracting it on first use.
 * `source` is a registered name ('MNIST_SAMPLE'), a URL (`URLs.PETS` or any http(s) URL), or an entry
 * `{url, sha256?, size?, ...}`. Archives (.tgz/.tar.gz/.tar) give the extracted folder; other files the file.
 * @example const path = await untarData(URLs.MNIST_SAMPLE); // ~/.fastgrad/data/mnist_sample
 */
export async function untarData(source: string | DatasetEntryInput, opts: UntarOptions = {}): Promise<string> {
  const entry: DatasetEntry = datasetEntry(source);
  const o = validate(OptsSchema(), opts, 'untarData');
  const cacheDir = resolve(o.cacheDir ?? defaultCacheDir());
  const parent = resolve(o.dest ?? cacheDir);
  const isArchive = entry.archive !== 'none';
  const file = isArchive ? join(cacheDir, 'archive', entry.fileName) : join(parent, entry.fileName);
  const target = isArchive ? join(parent, entry.stem) : file;
  if (!o.force && existsSync(target)) return target; // cached: no network, no hashing

  await mkdir(cacheDir, { recursive: true });
  const manifestPath = join(cacheDir, 'manifest.json');
  const manifest = await readManifest(manifestPath);
  const recorded = manifest.files[entry.url]?.sha256;
  const expect = { size: entry.size, md5First1M: entry.md5First1M, sha256: entry.sha256 ?? recorded };
  const known = expect.sha256 !== undefined || expect.md5First1M !== undefined;

  if (o.force) await rm(file + '.part', { force: true });
  let stats = null;
  if (!o.force && existsSync(file)) {
    // A complete file from an earlier run (or placed by hand): use it if it passes the checks.
    const s = await hashFile(file);
    if (checkStats(s, expect).length === 0) stats = s;
    else await putAside(file, file);
  }
  stats ??= await downloadFile(entry.url, file, { fetchImpl: o.fetchImpl, expect, onProgress: o.onProgress });

  if (isArchive) {
    try {
      await extractArchive(file, parent, entry.stem);
    } catch (err) {
      // An archive only trusted on first use and unreadable is most likely corrupt: keep it aside.
      const kept = known ? file : await putAside(file, file);
      throw new ExtractError(`could not extract ${kept} (from ${entry.url}) into ${target}: ${(err as Error).message}. Nothing was left at ${target}`, entry.url);
    }
  }
  if (!recorded && !entry.sha256) {
    const m = await readManifest(manifestPath); // re-read: another process may have written meanwhile
    m.files[entry.url] = { sha256: stats.sha256, size: stats.size, file: basename(file), recorded: new Date().toISOString() };
    await writeManifest(manifestPath, m);
  }
  return target;
}
