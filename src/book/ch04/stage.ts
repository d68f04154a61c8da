// What every chapter 4 stage (pixel similarity, the hand SGD loop, BasicOptim, the Learner) takes and returns.
// `fastgrad mnist` runs a list of these in order, writes their results to results.json and their
// tables and plots to the HTML report.
import { ArgumentError } from '../../errors.js';
import type { viz } from '../../node.js';
import type { Mnist37 } from './data.js';

/** What a stage adds to the HTML report (viz.writeReport); not written to results.json. */
export interface StageReport {
  tables?: viz.Table[];
  plots?: { title: string; spec: viz.TopLevelSpec }[];
}

export interface StageResult {
  /** Stable id, e.g. 'pixel-similarity'. */
  name: string;
  /** Validation accuracy: the stage's headline number. */
  accuracy: number;
  /** The book's value for the same experiment (../shared/BOOK-VECTORS.md). */
  bookAccuracy: number;
  seconds: number;
  seed: number;
  /**
   * Stage-specific numbers (per-class accuracies, distances ...). Training stages put their per-epoch
   * validation accuracies in `accuracies` and their per-epoch losses in `losses`.
   */
  details?: Record<string, unknown>;
  /** Tables and plots for the HTML report. */
  report?: StageReport;
}

export interface StageContext {
  data: Mnist37;
  seed: number;
  /** Where the stage prints: console.log, or nothing with --quiet. */
  log: (line: string) => void;
  /** --quick: fewer epochs than the book (each training stage says how many). */
  quick?: boolean;
  /** Epochs to train instead of the book's (or --quick's) count: for tests at small scale. */
  epochs?: number;
  /** The Learner's progress output: 'always' prints fastai's table (the bar only on a TTY); 'never' for --quiet. */
  progress?: 'auto' | 'always' | 'never';
}

/** A training stage's epoch count: `ctx.epochs`, else `quick` under --quick, else the book's. */
export function epochsFor(ctx: StageContext, book: number, quick: number): number {
  if (ctx.epochs !== undefined) {
    if (!Number.isInteger(ctx.epochs) || ctx.epochs < 0) throw new ArgumentError(`epochs must be a non-negative integer, got ${ctx.epochs}`);
    return ctx.epochs;
  }
  return ctx.quick ? quick : book;
}

/** The line a training stage prints when it runs fewer epochs than the book. */
export function epochsNote(n: number, book: number, ctx: StageContext): string | null {
  if (n === book) return null;
  return ctx.epochs === undefined && ctx.quick ? `--quick: ${n} epochs instead of the book's ${book}` : `${n} epochs instead of the book's ${book}`;
}

export interface Stage {
  name: string;
  /** One line shown before the stage runs. */
  title: string;
  run(ctx: StageContext): StageResult | Promise<StageResult>;
}

/** `0.91683` → `'0.9168'`: the book prints 4 decimals. */
export const f4 = (x: number): string => x.toFixed(4);

/**
 * A titled `ours | book` table, rows indented under the title:
 * ```
 * valid accuracy        ours | book
 *   3s (1010)         0.9168 | 0.9168
 * ```
 */
export function oursVsBook(title: string, rows: readonly (readonly [string, number, number])[], labelWidth = 16): string[] {
  const head = `${'ours'.padStart(6)} | book`;
  const w = Math.max(labelWidth, ...rows.map((r) => r[0].length));
  const lines = title.length <= w + 2 ? [`${title.padEnd(w + 2)}  ${head}`] : [title, `${''.padEnd(w + 2)}  ${head}`];
  for (const [label, ours, book] of rows) lines.push(`  ${label.padEnd(w)}  ${f4(ours)} | ${f4(book)}`);
  return lines;
}
