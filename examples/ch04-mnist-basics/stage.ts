// What every chapter 4 stage (pixel similarity now; the SGD loop and the Learner later) takes and returns.
// `fastgrad mnist` runs a list of these in order and writes their results to results.json.
import type { Mnist37 } from './data.js';

export interface StageResult {
  /** Stable id, e.g. 'pixel-similarity'. */
  name: string;
  /** Validation accuracy: the stage's headline number. */
  accuracy: number;
  /** The book's value for the same experiment (../shared/BOOK-VECTORS.md). */
  bookAccuracy: number;
  seconds: number;
  seed: number;
  /** Stage-specific numbers (per-class accuracies, distances, losses ...). */
  details?: Record<string, unknown>;
}

export interface StageContext {
  data: Mnist37;
  seed: number;
  /** Where the stage prints: console.log, or nothing with --quiet. */
  log: (line: string) => void;
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
