// CSV → an arquero table of typed columns, like pandas.read_csv: a column whose every present value is a
// decimal number becomes numeric (number | null), any other column stays text (string | null).
// The file is treated as hostile: size-limited, rectangular (ragged rows are an error), nothing evaluated.
import { readFileSync, statSync } from 'node:fs';
import { FormatError } from '../errors.js';
import { arquero, asFrame, csvParse } from './lib.js';

export type Cell = number | string | boolean | null;
/**
 * A table of named, typed columns; missing values are `null`. At run time it is an arquero table
 * (https://idl.uw.edu/arquero), but only these methods are fastgrad's API: the tabular functions take
 * and return DataFrames.
 */
export interface DataFrame {
  numRows(): number;
  numCols(): number;
  columnNames(): string[];
  /** The values of column `name`, in row order. */
  array(name: string): ArrayLike<Cell>;
  /** The value of column `name` at `row` (default 0), as `df[name].iloc[row]`. */
  get(name: string, row?: number): Cell;
  /** The rows as plain objects (`df.to_dict('records')`); `limit` caps how many. */
  objects(opts?: { limit?: number }): Record<string, Cell>[];
  /** Print the first rows as a table on the console (`limit` default 10). */
  print(opts?: { limit?: number }): this;
}

/** pandas' default `na_values`: these fields (and empty ones) become missing. */
export const PANDAS_NA: readonly string[] = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
];

export interface CsvOptions {
  /** Fields read as missing (default PANDAS_NA). */
  naValues?: readonly string[];
  /** Refuse inputs larger than this many bytes (default 256 MiB). */
  maxBytes?: number;
  /** Columns kept as text even when they look numeric (e.g. zip codes). */
  text?: readonly string[];
}

// Plain decimals only: no hex, no 'Infinity', no blanks (Number() would accept those).
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Read a CSV file, or CSV text: a string containing a line break is parsed as CSV text, any other string is a path.
 * @example const df = readCsv('data/titanic/train.csv'); df.numRows() // 891
 */
export function readCsv(source: string | Uint8Array, opts: CsvOptions = {}): DataFrame {
  const maxBytes = opts.maxBytes ?? 256 * 2 ** 20;
  if (typeof source === 'string' && !/[\r\n]/.test(source)) {
    let size: number;
    try {
      const st = statSync(source);
      if (!st.isFile()) throw new FormatError('not a file'); // replaced just below
      size = st.size;
    } catch {
      throw new FormatError(`readCsv: no file at ${JSON.stringify(source)} (a string without a line break is read as a path)`);
    }
    if (size > maxBytes) throw new FormatError(`readCsv: ${source} is ${size} bytes, over the ${maxBytes}-byte limit (raise opts.maxBytes)`);
    return parseCsv(readFileSync(source, 'utf8'), opts, source);
  }
  const text = typeof source === 'string' ? source : new TextDecoder('utf-8', { fatal: false }).decode(source);
  return parseCsv(text, opts);
}

/** Parse CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into typed columns. */
export function parseCsv(text: string, opts: CsvOptions = {}, name = 'CSV'): DataFrame {
  const maxBytes = opts.maxBytes ?? 256 * 2 ** 20;
  if (text.length > maxBytes) throw new FormatError(`readCsv: ${name} has ${text.length} characters, over the ${maxBytes} limit (raise opts.maxBytes)`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = csvParse().parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof csvParse().CsvError) throw new FormatError(`readCsv: ${name} is not valid CSV: ${err.message}`);
    throw err;
  }
  if (records.length === 0) throw new FormatError(`readCsv: ${name} is empty: expected a header row`);
  const header = records[0]!.record;
  const seen = new Set<string>();
  for (const [i, h] of header.entries()) {
    if (h === '') throw new FormatError(`readCsv: ${name}: header column ${i + 1} has no name`);
    if (seen.has(h)) throw new FormatError(`readCsv: ${name}: column name ${JSON.stringify(h)} appears twice in the header`);
    seen.add(h);
  }
  const rows = records.slice(1);
  for (const [r, { record, info }] of rows.entries()) {
    if (record.length !== header.length)
      throw new FormatError(`readCsv: ${name}: row ${r + 1} (line ${info.lines}) has ${record.length} fields, expected ${header.length} like the header`);
  }
  const na = new Set(opts.naValues ?? PANDAS_NA);
  const keepText = new Set(opts.text ?? []);
  const columns: Record<string, Cell[]> = {};
  header.forEach((h, j) => {
    const raw = rows.map(({ record }) => (na.has(record[j]!) ? null : record[j]!));
    const numeric = !keepText.has(h) && raw.some((v) => v !== null) && raw.every((v) => v === null || NUMBER.test(v.trim()));
    columns[h] = numeric ? raw.map((v) => (v === null ? null : Number(v))) : raw;
  });
  return asFrame(arquero().table(columns, header));
}
