// arquero and csv-parse, loaded on first use: together they cost ~250 ms of import time, which a user
// of `fastgrad/node` who never reads a CSV should not pay. Both are synchronous APIs, so they come
// through require (arquero is ESM: Node's require(esm), hence engines >= 20.19).
// NOTE: their types stay here: DataFrame (csv.ts) is fastgrad's own interface, because arquero's
// declarations fail a user's `tsc --strict` without skipLibCheck.
import { createRequire } from 'node:module';
import type * as Arquero from 'arquero';
import type * as CsvSync from 'csv-parse/sync';
import type { DataFrame } from './csv.js';

const require = createRequire(import.meta.url);
let aq: typeof Arquero | undefined;
let csv: typeof CsvSync | undefined;

export const arquero = (): typeof Arquero => (aq ??= require('arquero') as typeof Arquero);
export const csvParse = (): typeof CsvSync => (csv ??= require('csv-parse/sync') as typeof CsvSync);

/** The arquero table behind a DataFrame (every DataFrame fastgrad hands out is one). */
export const asTable = (df: DataFrame): Arquero.ColumnTable => df as unknown as Arquero.ColumnTable;
/** An arquero table as fastgrad's DataFrame. */
export const asFrame = (t: Arquero.ColumnTable): DataFrame => t as unknown as DataFrame;
