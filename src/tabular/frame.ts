// The lesson's data-frame steps on arquero tables, each named after its pandas original:
// df.isna().sum(), df.mode().iloc[0], df.fillna(...), df['LogFare'] = ..., pd.get_dummies(...).
import { FastgradError } from '../errors.js';
import type { Cell, DataFrame } from './csv.js';
import { arquero, asFrame, asTable } from './lib.js';

/** A column that is not there, or a value a step cannot take. */
type Derive = Parameters<ReturnType<typeof asTable>['derive']>[0];

export class ColumnError extends FastgradError {
  override name = 'ColumnError';
}

export const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/** Throw a ColumnError naming each absent column and listing the ones there are. */
export function checkColumns(df: DataFrame, cols: readonly string[], what = 'column'): void {
  const have = df.columnNames();
  const absent = cols.filter((c) => !have.includes(c));
  if (absent.length)
    throw new ColumnError(`${what} ${absent.map((c) => JSON.stringify(c)).join(', ')} not found; the table has: ${have.join(', ')}`);
}

/** pandas `df.isna().sum()`: missing values per column. */
export function countMissing(df: DataFrame): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of df.columnNames()) out[c] = Array.from(df.array(c) as ArrayLike<unknown>).filter(isMissing).length;
  return out;
}

/** Python's ordering for a mode tie: numbers numerically, text by code point, numbers before text. */
function cmp(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * pandas `df.mode().iloc[0]`: each column's most frequent present value; on a tie the smallest (pandas sorts
 * the modes). A column with no present value has mode `null`.
 */
export function modes(df: DataFrame, cols: readonly string[] = df.columnNames()): Record<string, Cell> {
  checkColumns(df, cols);
  const out: Record<string, Cell> = {};
  for (const c of cols) {
    const counts = asTable(df)
      .filter(arquero().escape((d: Record<string, Cell>) => !isMissing(d[c])))
      .groupby(c)
      .count({ as: '__n' })
      .objects() as Record<string, Cell>[];
    let best: Cell = null, n = 0;
    for (const row of counts) {
      const v = row[c]!, k = row.__n as number;
      if (k > n || (k === n && cmp(v, best) < 0)) [best, n] = [v, k];
    }
    out[c] = best;
  }
  return out;
}

/** pandas `df.fillna(values)`: missing values of each named column replaced by its value. */
export function fillMissing(df: DataFrame, values: Record<string, Cell>): DataFrame {
  checkColumns(df, Object.keys(values));
  const exprs: Record<string, unknown> = {};
  for (const [c, v] of Object.entries(values)) {
    if (v === null) continue;
    exprs[c] = arquero().escape((d: Record<string, Cell>) => (isMissing(d[c]) ? v : d[c]));
  }
  return Object.keys(exprs).length ? asFrame(asTable(df).derive(exprs as Derive)) : df;
}

/**
 * `df.fillna(df.mode().iloc[0])` restricted to `cols` (default all). Pass `fill` (e.g. the TRAIN modes) to fill
 * another table, such as test.csv, with the same values. Returns the filled table and the values used.
 */
export function fillMissingWithMode(
  df: DataFrame, cols: readonly string[] = df.columnNames(), fill?: Record<string, Cell>,
): { df: DataFrame; modes: Record<string, Cell> } {
  const m = fill ?? modes(df, cols);
  const used = Object.fromEntries(cols.map((c) => [c, m[c] ?? null]));
  return { df: fillMissing(df, used), modes: m };
}

/**
 * `df[name] = fn(row)`: add (or replace) a column computed row by row.
 * @example addColumn(df, 'LogFare', (r) => Math.log((r.Fare as number) + 1))
 */
export function addColumn(df: DataFrame, name: string, fn: (row: Record<string, Cell>) => Cell): DataFrame {
  return asFrame(asTable(df).derive({ [name]: arquero().escape((d: Record<string, Cell>) => fn(d)) } as Derive));
}

export interface DummiesOptions {
  /**
   * The dummy columns to produce, e.g. those made from the training table (`getDummies(train, ...).dummies`), so
   * that a test table gets the same set: absent categories give columns of zeros, unknown ones rows of zeros.
   */
  columns?: readonly string[];
}

/** A category's label: `1` for Pclass 1 (pandas writes `1.0` only for float columns, which we do not tell apart). */
const label = (v: Cell): string => String(v);

/**
 * `pd.get_dummies(df, columns=cols)`: drop each column and append one 0/1 column per category, named
 * `<col>_<value>` with the categories sorted (Sex_female, Sex_male, Pclass_1, ...). Missing values give all zeros.
 */
export function getDummies(df: DataFrame, cols: readonly string[], opts: DummiesOptions = {}): { df: DataFrame; dummies: string[] } {
  checkColumns(df, cols);
  const names: string[] = [];
  const data: Record<string, number[]> = {};
  for (const c of cols) {
    const values = Array.from(df.array(c) as ArrayLike<Cell>);
    let cats: string[];
    if (opts.columns) {
      cats = opts.columns.filter((n) => n.startsWith(`${c}_`)).map((n) => n.slice(c.length + 1));
    } else {
      const present = [...new Map(values.filter((v) => !isMissing(v)).map((v) => [label(v), v] as const)).values()];
      cats = present.sort(cmp).map(label);
    }
    const labels = values.map((v) => (isMissing(v) ? null : label(v)));
    for (const cat of cats) {
      const n = `${c}_${cat}`;
      names.push(n);
      data[n] = labels.map((l) => (l === cat ? 1 : 0));
    }
  }
  if (opts.columns) {
    const extra = opts.columns.filter((n) => !names.includes(n));
    if (extra.length) throw new ColumnError(`getDummies: columns ${extra.join(', ')} do not start with any of ${cols.map((c) => `${c}_`).join(', ')}`);
  }
  const rest = df.columnNames().filter((n) => !cols.includes(n));
  // Arrays follow the visible rows; a filtered or ordered table is materialised first so they line up.
  const t = asTable(df);
  const base = t.isFiltered() || t.isOrdered() ? t.reify() : t;
  return { df: asFrame(rest.length ? base.select(rest).assign(data) : arquero().table(data, names)), dummies: names };
}
