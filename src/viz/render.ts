// Headless rendering: Vega-Lite → Vega → SVG string (no canvas needed), then SVG → PNG through
// sharp (librsvg; text uses the fonts fontconfig finds, see the note on renderPng).
// NOTE: vega, vega-lite and sharp cost about 0.5 s to import, so they load on the first render, not
// when `fastgrad/node` is imported.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as Vega from 'vega';
import { FastgradError } from '../errors.js';
import type { TopLevelSpec } from '../plot/specs.js';

// Plots carry their data inline; refusing loads keeps a spec from reading files or the network.
// Vega swallows loader errors (it logs and renders empty data), so the refusal is kept and rethrown.
function offlineLoader(vega: typeof Vega): { loader: Vega.Loader; refused: () => FastgradError | null } {
  const loader = vega.loader();
  let refused: FastgradError | null = null;
  loader.sanitize = async (uri: string) => {
    refused ??= new FastgradError(`this renderer takes inline data only (spec asked to load ${JSON.stringify(uri)}): put the values in data.values`);
    throw refused;
  };
  return { loader, refused: () => refused };
}

/** A Vega-Lite spec as an SVG document string (`view.toSVG()` with the headless 'none' renderer). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  let vgSpec: Vega.Spec;
  try {
    vgSpec = compile(spec).spec;
  } catch (e) {
    throw new FastgradError(`spec: Vega-Lite could not compile it: ${(e as Error).message}`);
  }
  const { loader, refused } = offlineLoader(vega);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader, logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    const err = refused();
    if (err) throw err;
    return svg;
  } finally {
    view.finalize();
  }
}

export interface PngOpts {
  /** Pixels per SVG unit: 2 gives a 720-pixel-wide PNG from a 360-wide SVG. */
  scale?: number;
}

/**
 * An SVG string as PNG bytes, rasterised at `scale` (as vector, so text stays sharp).
 * NOTE: librsvg draws text with the system's fonts through fontconfig; on a machine with no
 * fonts at all (bare containers) the PNG is still valid but its text is missing. The SVG and
 * the HTML report are unaffected because the browser supplies fonts.
 */
export async function svgToPng(svg: string, opts: PngOpts = {}): Promise<Uint8Array> {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new FastgradError(`scale: expected a number in (0, 16], got ${scale}`);
  const { default: sharp } = await import('sharp');
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/** A Vega-Lite spec as PNG bytes; the image is the SVG's width and height times `scale`. */
export async function renderPng(spec: TopLevelSpec, opts: PngOpts = {}): Promise<Uint8Array> {
  return svgToPng(await renderSvg(spec), opts);
}

/** Write through a temporary file and rename, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Render a spec to `path` as .svg or .png (chosen by the extension), atomically; returns the path. */
export async function savePlot(spec: TopLevelSpec, path: string, opts: PngOpts = {}): Promise<string> {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') await writeFileAtomic(path, await renderSvg(spec));
  else if (ext === '.png') await writeFileAtomic(path, await renderPng(spec, opts));
  else throw new FastgradError(`path: expected a file name ending in .svg or .png, got ${JSON.stringify(path)}`);
  return path;
}
