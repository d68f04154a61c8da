// The dependency check of src/: no import cycle between files, no import of a higher layer (DESIGN.md:
// backend ← tensor ← autograd/ops ← nn/optim ← data ← learner ← vision/tabular ← io/viz ← book ← cli),
// and the core entry (src/index.ts) reaches no Node built-in and no Node-only or heavy dependency through
// its static imports, so bundlers take it for the browser as it is. Imports are read with a regex: every
// `import ... from`, `export ... from` and `import('...')` of src/**/*.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Layer rank by the first path segment under src/ (a folder, or a top-level file). */
const LAYERS: Record<string, number> = {
  // leaves that import nothing of fastgrad but each other: usable from every layer
  'errors.ts': 0, plot: 0,
  backend: 1, tensor: 2, autograd: 3, ops: 3, nn: 4, optim: 4, data: 5, learner: 6, vision: 7, tabular: 7, io: 8, viz: 8,
  // the public barrels: above every library layer; book/ and cli/ use the library through them, as a user would
  'index.ts': 9, 'node.ts': 9,
  book: 10, cli: 11,
};
/** Files ranked apart from their folder. */
const FILE_LAYERS: Record<string, number> = {
  // The dtype table: plain data with no imports, that the backends implement as much as tensors use it.
  'src/tensor/dtype.ts': 0,
};

/**
 * Known exceptions, each a `from -> to` edge (a glob `*` matches one path segment) that other engineers
 * are removing now; both the cycle and the layer checks ignore them. An entry that no longer matches any
 * import fails the last test: delete it then, so the check stays strict.
 */
const KNOWN: readonly { edge: string; why: string }[] = [
];

/** Packages the core entry must not load at import time: Node-only, or heavy enough to load lazily. */
const HEAVY = ['sharp', 'vega', 'vega-lite', 'arquero', 'tar', 'csv-parse', 'mnist', 'zod', 'commander'];

interface Edge {
  from: string;
  to: string;
  kind: 'static' | 'type' | 'dynamic';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [relative(root, p)] : [];
  });
}

// `import x from '…'`, `import type {…} from '…'`, `export {…} from '…'`, `export * as n from '…'`,
// `import '…'`, and `import('…')`. Comments are stripped first so commented-out code does not count.
const STATIC = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const stripComments = (s: string): string => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

function importsOf(file: string): { spec: string; kind: Edge['kind'] }[] {
  const src = stripComments(readFileSync(join(root, file), 'utf8'));
  const out: { spec: string; kind: Edge['kind'] }[] = [];
  for (const m of src.matchAll(STATIC)) out.push({ spec: m[3]!, kind: m[2] ? 'type' : 'static' });
  for (const m of src.matchAll(DYNAMIC)) out.push({ spec: m[1]!, kind: 'dynamic' });
  return out;
}

const files = sourceFiles(join(root, 'src'));
const edges: Edge[] = [];
const external = new Map<string, { spec: string; kind: Edge['kind'] }[]>(); // file → bare specifiers
for (const from of files) {
  for (const { spec, kind } of importsOf(from)) {
    if (spec.startsWith('.')) edges.push({ from, to: relative(root, resolve(root, dirname(from), spec)).replace(/\.js$/, '.ts'), kind });
    else external.set(from, [...(external.get(from) ?? []), { spec, kind }]);
  }
}

const globRe = (g: string): RegExp => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`);
const knownRes = KNOWN.map((k) => {
  const [a, b] = k.edge.split(' -> ') as [string, string];
  return { ...k, from: globRe(a), to: globRe(b) };
});
const isKnown = (e: Edge): boolean => knownRes.some((k) => k.from.test(e.from) && k.to.test(e.to));

function rank(file: string): number {
  if (file in FILE_LAYERS) return FILE_LAYERS[file]!;
  const top = file.split('/')[1]!;
  const r = LAYERS[top];
  if (r === undefined) throw new Error(`${file}: src/${top} has no layer in test/package/imports.test.ts: add it to LAYERS`);
  return r;
}

/** Every elementary cycle's first occurrence, as a path a → b → ... → a (DFS over the file graph). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (v: string): void => {
    state.set(v, 1);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (state.get(w) === 1) found.push([...stack.slice(stack.indexOf(w)), w]);
      else if (!state.has(w)) visit(w);
    }
    stack.pop();
    state.set(v, 2);
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return found;
}

const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);
const packageOf = (spec: string): string => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

describe('src/ imports', () => {
  it('every relative import names an existing src/ file', () => {
    const missing = edges.filter((e) => !files.includes(e.to)).map((e) => `${e.from} -> ${e.to}`);
    expect(missing).toEqual([]);
  });

  it('no import cycle between files (type-only imports are erased at run time and do not count)', () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const e of edges) if (e.kind !== 'type' && !isKnown(e)) graph.get(e.from)!.push(e.to);
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('no import of a higher layer (type-only and lazy imports included)', () => {
    const upward = edges.filter((e) => rank(e.to) > rank(e.from) && !isKnown(e)).map((e) => `${e.from} -> ${e.to}${e.kind === 'static' ? '' : ` (${e.kind})`}`);
    expect(upward).toEqual([]);
  });

  it('the core entry (src/index.ts) reaches no Node built-in and no Node-only or heavy package through static imports', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (f: string, via: string[]): void => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const { spec, kind } of external.get(f) ?? [])
        if (kind === 'static' && (isBuiltin(spec) || HEAVY.includes(packageOf(spec)))) bad.push(`${spec} (${[...via, f].join(' -> ')})`);
      for (const e of edges) if (e.from === f && e.kind === 'static') walk(e.to, [...via, f]);
    };
    walk('src/index.ts', []);
    expect(seen.size).toBeGreaterThan(40); // the walk really followed the barrel
    expect(bad).toEqual([]);
  });

  it('every module above the ops layer that reaches Tensor also reaches ops/register.ts (its methods work when imported alone)', () => {
    // Note [Tensor impl] in src/tensor/impl.ts: the Tensor methods run the ops through a table that
    // src/ops/register.ts fills at import; a module that can be imported alone and use tensors loads it.
    const reaches = (from: string): Set<string> => {
      const seen = new Set<string>();
      const walk = (f: string): void => {
        if (seen.has(f)) return;
        seen.add(f);
        for (const e of edges) if (e.from === f && e.kind === 'static') walk(e.to);
      };
      walk(from);
      return seen;
    };
    const ops = LAYERS.ops!;
    const missing = files.filter((f) => rank(f) > ops).filter((f) => {
      const r = reaches(f);
      return r.has('src/tensor/tensor.ts') && !r.has('src/ops/register.ts');
    });
    expect(missing).toEqual([]);
  });

  it('the known exceptions still exist (delete an entry of KNOWN once its import is gone)', () => {
    const stale = knownRes.filter((k) => !edges.some((e) => k.from.test(e.from) && k.to.test(e.to))).map((k) => k.edge);
    expect(stale).toEqual([]);
  });
});
