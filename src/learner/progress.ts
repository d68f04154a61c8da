// Progress output: fastai's ProgressCallback printing through fastprogress' console bar — the table
// header at beforeFit, one row per epoch, and (on a terminal) a bar while an epoch runs.
import { FastgradError } from '../errors.js';
import { Callback } from './callback.js';

/** 'auto' (or true): the table always, the bar on a terminal; 'never' (or false): nothing; 'always': as 'auto'. */
export type ProgressMode = 'auto' | 'always' | 'never';

export interface ProgressOpts {
  /** Whether the output is a terminal (the bar redraws with '\r'); default: stdout is a TTY and $CI is unset. */
  tty?: boolean;
}

/** fastprogress' format_time: `mm:ss`, or `h:mm:ss` past an hour. */
export function formatTime(seconds: number): string {
  const t = Math.floor(seconds);
  const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${p2(m)}:${p2(s)}` : `${p2(m)}:${p2(s)}`;
}

/**
 * As fastai, the epoch table is written wherever the output goes (a terminal, a log, CI); the bar, which
 * redraws with '\r', only on a terminal. 'never' (or `false`) writes nothing; 'always' is kept as a
 * synonym of 'auto'. `write` receives every piece of output (default: process.stdout; console.log in a page). The bar moves
 * with the batches; the numbers in the table come from the Recorder, which reads them once per epoch.
 *
 * The table is fastprogress' console table: names padded to 8, joined by two spaces; each cell padded to
 * its name's width + 2; floats with 6 decimals. NOTE: trailing spaces are trimmed and a cell wider than its
 * name keeps one space before the next (fastprogress lets them touch).
 */
/** process.stdout in Node; in a page (no stdout) each line goes to console.log. */
function defaultWrite(s: string): void {
  const out = typeof process !== 'undefined' ? process.stdout : undefined;
  if (out) out.write(s);
  else if (s.endsWith('\n')) console.log(s.slice(0, -1));
}

export class ProgressCallback extends Callback {
  override batchScoped = true;
  override order = 60;
  private names: string[] = [];
  private barShown = false;
  private readonly tty: boolean;
  readonly mode: ProgressMode;
  constructor(
    mode: ProgressMode | boolean = 'auto',
    private readonly write: (s: string) => void = defaultWrite,
    opts: ProgressOpts = {},
  ) {
    super();
    if (typeof mode !== 'boolean' && !['auto', 'always', 'never'].includes(mode))
      throw new FastgradError(`ProgressCallback: mode must be 'auto', 'always', 'never' or a boolean, got ${JSON.stringify(mode)}`);
    this.mode = mode === true ? 'auto' : mode === false ? 'never' : mode;
    this.tty = opts.tty ?? (typeof process !== 'undefined' && !!process.stdout?.isTTY && !process.env.CI);
  }
  private get show(): boolean {
    return this.mode !== 'never';
  }
  beforeFit(): void {
    if (!this.show) return;
    this.names = this.learn.recorder.metricNames.map((n) => n.padEnd(8));
    this.line(this.names.join('  '));
  }
  afterBatch(): void {
    if (!this.show || !this.tty) return;
    const l = this.learn;
    const w = 30, done = Math.round(((l.iter + 1) / Math.max(l.nIter, 1)) * w);
    this.write(`\r${l.training ? 'train' : 'valid'} |${'█'.repeat(done)}${'-'.repeat(w - done)}| ${l.iter + 1}/${l.nIter}`);
    this.barShown = true;
  }
  afterEpoch(): void {
    if (!this.show) return;
    const v = this.learn.recorder.values.at(-1);
    if (!v) return;
    const cells = [String(v.epoch), fmt(v.trainLoss), fmt(v.validLoss), ...Object.values(v.metrics).map(fmt), formatTime(v.seconds)];
    this.line(cells.map((c, i) => c + ' '.repeat(Math.max(1, 2 + (this.names[i]?.length ?? c.length) - c.length))).join(''));
  }
  /** One full line, first wiping the bar on a terminal. */
  private line(s: string): void {
    if (this.barShown) this.write('\r' + ' '.repeat(60) + '\r');
    this.barShown = false;
    this.write(s.trimEnd() + '\n');
  }
}

const fmt = (v: number | null): string => (v === null ? '' : v.toFixed(6));
