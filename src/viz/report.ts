// The report folder of a run: results.json (machine-readable), index.html (one self-contained
// page: tables, inline SVG plots, and the Vega-Lite specs as JSON for the web app), and a PNG per plot.
import { join } from 'node:path';
import { FastgradError } from '../errors.js';
import type { TopLevelSpec } from '../plot/specs.js';
import { type Listable, type Num, toNum } from '../plot/values.js';
import { renderSvg, svgToPng, writeFileAtomic } from './render.js';

export interface Stage {
  name: string;
  accuracy?: Num;
  bookAccuracy?: Num;
  errorRate?: Num;
  bookErrorRate?: Num;
  seconds: Num;
  seed: Num;
}
type Cell = string | number | boolean | null;
export interface Table {
  title: string;
  columns: readonly string[];
  /** Rows of cells, or a 2-D tensor. */
  rows: readonly (readonly Cell[])[] | Listable;
}
export interface ReportData {
  title: string;
  stages: readonly Stage[];
  tables?: readonly Table[];
  plots?: readonly { title: string; spec: TopLevelSpec }[];
  /** Free text shown under the title (paragraphs split on blank lines). */
  notes?: string;
}
export interface ReportResult {
  dir: string;
  resultsPath: string;
  htmlPath: string;
  pngPaths: string[];
}
interface StageOut { name: string; accuracy?: number; bookAccuracy?: number; errorRate?: number; bookErrorRate?: number; seconds: number; seed: number }

const OPTIONAL = ['accuracy', 'bookAccuracy', 'errorRate', 'bookErrorRate'] as const;
const HEAD: Record<keyof StageOut, string> = {
  name: 'stage', accuracy: 'accuracy', bookAccuracy: 'book accuracy', errorRate: 'error rate', bookErrorRate: 'book error rate', seconds: 'seconds', seed: 'seed',
};

function normStage(s: Stage, i: number): StageOut {
  const at = `stages[${i}]`;
  if (typeof s?.name !== 'string' || s.name === '') throw new FastgradError(`${at}.name: expected a non-empty string`);
  const out: StageOut = { name: s.name, seconds: toNum(s.seconds, `${at}.seconds`), seed: toNum(s.seed, `${at}.seed`) };
  if (!(out.seconds >= 0)) throw new FastgradError(`${at}.seconds: expected a time >= 0, got ${out.seconds}`);
  if (!Number.isInteger(out.seed)) throw new FastgradError(`${at}.seed: expected an integer, got ${out.seed}`);
  for (const k of OPTIONAL) if (s[k] !== undefined) out[k] = toNum(s[k], `${at}.${k}`);
  return out;
}

function normRows(t: Table, i: number): Cell[][] {
  const raw: unknown = 'tolist' in t.rows && typeof t.rows.tolist === 'function' ? t.rows.tolist() : t.rows;
  if (!Array.isArray(raw) || !raw.every((r) => Array.isArray(r) && r.length === t.columns.length))
    throw new FastgradError(`tables[${i}].rows: expected rows of ${t.columns.length} cells (one per column) or a 2-D tensor`);
  return (raw as Cell[][]).map((r) => r.map((c) => (typeof c === 'number' && !Number.isFinite(c) ? null : c)));
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmt = (c: Cell | undefined): string =>
  c === undefined || c === null ? '' : typeof c === 'number' && !Number.isInteger(c) ? String(Number(c.toPrecision(5))) : String(c);
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'plot';
// JSON inside <script> must not contain "</script>" or "<!--": escaping '<' is enough.
// Vega numbers clip paths/gradients per process (clip1, ...); scope them per plot so inline SVGs
// from different runs or vega-embed on the same page cannot capture each other's references.
const scopeIds = (svg: string, p: string): string =>
  svg.replace(/\bid="([^"]+)"/g, `id="${p}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${p}-$1)`).replace(/href="#([^"]+)"/g, `href="#${p}-$1"`);
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

function htmlTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const th = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${esc(fmt(c))}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs.join('\n')}\n</tbody></table>`;
}

/**
 * Write `results.json`, `index.html` and one PNG per plot into `dir` (created if missing); each
 * file is written atomically. Numbers may be given as one-element tensors.
 * @example await writeReport('runs/mnist', {title: 'MNIST 3 vs 7', stages: [{name: 'pixel similarity', accuracy: 0.95, bookAccuracy: 0.9511, seconds: 1.2, seed: 42}]});
 */
export async function writeReport(dir: string, data: ReportData): Promise<ReportResult> {
  if (typeof data?.title !== 'string') throw new FastgradError('title: expected a string');
  if (!Array.isArray(data.stages)) throw new FastgradError('stages: expected an array of {name, accuracy?, seconds, seed}');
  const stages = data.stages.map(normStage);
  const tables = (data.tables ?? []).map((t, i) => ({ title: t.title, columns: [...t.columns], rows: normRows(t, i) }));
  const plots: { title: string; file: string; svg: string; spec: TopLevelSpec }[] = [];
  for (const [i, p] of (data.plots ?? []).entries()) {
    const svg = await renderSvg(p.spec);
    const file = `plot-${i + 1}-${slug(p.title)}.png`;
    await writeFileAtomic(join(dir, file), await svgToPng(svg, { scale: 2 }));
    plots.push({ title: p.title, file, svg, spec: p.spec });
  }

  const createdAt = new Date().toISOString();
  const results = {
    title: data.title, createdAt, node: process.version, platform: `${process.platform}-${process.arch}`,
    stages, tables, plots: plots.map((p) => ({ title: p.title, png: p.file })), notes: data.notes ?? null,
  };
  const resultsPath = join(dir, 'results.json');
  await writeFileAtomic(resultsPath, JSON.stringify(results, null, 2) + '\n');

  // Only the stage columns that some stage has.
  const cols = (['name', ...OPTIONAL, 'seconds', 'seed'] as const).filter((k) => stages.some((s) => s[k] !== undefined));
  const stageRows = stages.map((s) => cols.map((k) => (k === 'seconds' ? Number(s.seconds.toFixed(2)) : s[k] ?? null)));
  const notes = (data.notes ?? '').split(/\n\s*\n/).filter((p) => p.trim()).map((p) => `<p>${esc(p.trim())}</p>`);
  const body = [
    `<h1>${esc(data.title)}</h1>`, ...notes,
    `<h2>Stages</h2>`, htmlTable(cols.map((k) => HEAD[k]), stageRows),
    ...tables.flatMap((t) => [`<h2>${esc(t.title)}</h2>`, htmlTable(t.columns, t.rows)]),
    ...plots.map((p, i) =>
      `<figure><figcaption>${esc(p.title)}</figcaption>\n${scopeIds(p.svg, `plot${i + 1}`)}\n` +
      `<script type="application/json" class="vega-lite-spec" id="spec-${i + 1}">${scriptJson(p.spec)}</script></figure>`),
    `<footer>written ${esc(createdAt)} by fastgrad · node ${esc(process.version)}</footer>`,
  ];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;padding:.25em .8em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}
svg{max-width:100%;height:auto}footer{color:#888;font-size:12px;margin-top:3em}
</style></head>
<body>
${body.join('\n')}
</body></html>
`;
  const htmlPath = join(dir, 'index.html');
  await writeFileAtomic(htmlPath, html);
  return { dir, resultsPath, htmlPath, pngPaths: plots.map((p) => join(dir, p.file)) };
}
