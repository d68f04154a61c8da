// The dataset URL registry (fastai's `URLs`) and the cache location. Entries are validated with zod:
// a registry entry decides file names on disk and which checksums guard a download, so it is input
// to be checked, not trusted.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FastgradError } from '../errors.js';
import { lazySchema, validate } from './validate.js';

/** fastai's dataset URLs (fastai.data.external.URLs); pass one, or its name, to `untarData`. */
export const URLs = {
  MNIST_SAMPLE: 'https://s3.amazonaws.com/fast-ai-sample/mnist_sample.tgz',
  MNIST: 'https://s3.amazonaws.com/fast-ai-imageclas/mnist_png.tgz',
  PETS: 'https://s3.amazonaws.com/fast-ai-imageclas/oxford-iiit-pet.tgz',
} as const;

// A file name we are willing to create: no separators, no leading dot (no `..`, no hidden files).
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

const EntrySchema = lazySchema((z) => z.strictObject({
  /** http(s) URL of the file. */
  url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }),
  /** Registry key, e.g. 'MNIST_SAMPLE'. */
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -').optional(),
  /** Exact size in bytes, when known. */
  size: z.number().int().nonnegative().optional(),
  /** sha256 of the whole file, when known; otherwise recorded on first download (see untarData). */
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits').transform((s) => s.toLowerCase()).optional(),
  /** fastai's check: md5 of the file's first MiB (fastai download_checks.py), when known. */
  md5First1M: z.string().regex(/^[0-9a-fA-F]{32}$/, 'expected 32 hex digits').transform((s) => s.toLowerCase()).optional(),
  /** How to unpack it: tgz/tar archives are extracted to a folder, 'none' files are kept as they are. */
  archive: z.enum(['tgz', 'tar', 'none']).optional(),
  /** Name on disk (default: the URL's last path segment). */
  fileName: z.string().regex(SAFE_NAME, 'expected a plain file name (letters, digits, . _ + -; no leading dot)').optional(),
}));

/** A registry entry as given (parseEntry checks it and fills in the rest). */
export interface DatasetEntryInput {
  url: string;
  name?: string;
  size?: number;
  sha256?: string;
  md5First1M?: string;
  archive?: 'tgz' | 'tar' | 'none';
  fileName?: string;
}
export interface DatasetEntry {
  url: string;
  name?: string;
  size?: number;
  sha256?: string;
  md5First1M?: string;
  archive: 'tgz' | 'tar' | 'none';
  fileName: string;
  /** Folder name of an extracted archive (file name minus .tgz/.tar.gz/.tar), or the file name. */
  stem: string;
}

const ARCHIVE_EXT = /\.(tgz|tar\.gz|tar)$/i;

/** Validate an entry and fill in what the URL implies (file name, archive kind, extracted folder name). */
export function parseEntry(input: unknown): DatasetEntry {
  const e = validate(EntrySchema(), input, 'dataset entry');
  let fileName = e.fileName;
  if (!fileName) {
    const last = new URL(e.url).pathname.split('/').pop() ?? '';
    let decoded = '';
    try {
      decoded = decodeURIComponent(last);
    } catch {
      /* an invalid escape: reported below */
    }
    if (!SAFE_NAME.test(decoded))
      throw new FastgradError(`dataset entry: cannot take a safe file name from the URL ${e.url} (got '${last}'); pass fileName`);
    fileName = decoded;
  }
  const ext = ARCHIVE_EXT.exec(fileName)?.[1]?.toLowerCase();
  const archive = e.archive ?? (ext === 'tar' ? 'tar' : ext ? 'tgz' : 'none');
  const stem = archive === 'none' ? fileName : fileName.replace(ARCHIVE_EXT, '');
  if (!SAFE_NAME.test(stem) || stem === 'archive' || stem === 'manifest.json')
    throw new FastgradError(`dataset entry: the name '${stem}' from ${fileName} is not usable (empty, hidden, or one the cache itself uses: 'archive', 'manifest.json'); pass another fileName`);
  return { ...e, archive, fileName, stem };
}

// fastai's checks (size, md5 of the first MiB) from fastai/data/download_checks.py. Their sha256 is not
// published; untarData records it on first download.
const BUILTIN: DatasetEntryInput[] = [
  { name: 'MNIST_SAMPLE', url: URLs.MNIST_SAMPLE, size: 3214948, md5First1M: '2dbc7ec6f9259b583af0072c55816a88' },
  { name: 'MNIST', url: URLs.MNIST, size: 15683414, md5First1M: '03639f83c4e3d19e0a3a53a8a997c487' },
  { name: 'PETS', url: URLs.PETS, size: 811706944, md5First1M: 'e4db5c768afd933bb91f5f594d7417a4' },
];

// Filled on first use, so importing this module validates nothing (and loads no zod).
let registryMap: Map<string, DatasetEntry> | null = null;
function registry(): Map<string, DatasetEntry> {
  if (!registryMap) {
    registryMap = new Map();
    for (const e of BUILTIN) add(registryMap, parseEntry(e));
  }
  return registryMap;
}
function add(r: Map<string, DatasetEntry>, e: DatasetEntry): void {
  if (e.name) r.set(e.name, e);
  r.set(e.url, e);
}

/** Add (or replace) a registry entry, found afterwards by its name or URL. Returns the validated entry. */
export function registerDataset(input: DatasetEntryInput): DatasetEntry {
  const e = parseEntry(input);
  add(registry(), e);
  return e;
}

/** The registry entry for a name or URL; an unregistered URL gets an entry with no known checksum. */
export function datasetEntry(source: string | DatasetEntryInput): DatasetEntry {
  if (typeof source !== 'string') return parseEntry(source);
  const hit = registry().get(source);
  if (hit) return hit;
  if (!/^https?:\/\//i.test(source))
    throw new FastgradError(`untarData: '${source}' is neither a registered dataset (${[...registry()].filter(([k, e]) => k === e.name).map(([k]) => k).join(', ')}) nor an http(s) URL`);
  return parseEntry({ url: source });
}

/** Cache root: `$FASTGRAD_HOME/data` when FASTGRAD_HOME is set, else `~/.fastgrad/data` (as fastai's FASTAI_HOME). */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.FASTGRAD_HOME ? join(env.FASTGRAD_HOME, 'data') : join(homedir(), '.fastgrad', 'data');
}
