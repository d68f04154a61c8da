// The book's `show_preds(preds, ax)` as a Vega-Lite panel: the measured speeds as blue points, the
// predictions as red points, y limited to (-300, 100); four panels in a row as `plt.subplots(1,4,figsize=(12,3))`.
import type { viz } from '../../src/index.js';

type Spec = viz.TopLevelSpec;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const BLUE = '#1f77b4'; // matplotlib C0: plt.scatter's default colour

function points(xs: number[], ys: number[], color: string) {
  return {
    data: { values: xs.map((t, i) => ({ time: t, speed: ys[i]! })) },
    mark: { type: 'point' as const, filled: true, size: 28, opacity: 1, color, clip: true },
  };
}

const axes = (ylim?: [number, number]) => ({
  x: { field: 'time', type: 'quantitative' as const, title: 'time' },
  y: { field: 'speed', type: 'quantitative' as const, title: 'speed', ...(ylim ? { scale: { domain: ylim } } : {}) },
});

/** `ax.scatter(time, speed); ax.scatter(time, preds, color='red'); ax.set_ylim(-300,100)` (no $schema: a panel). */
export function showPredsPanel(time: number[], speed: number[], preds: number[], title = '', size = { width: 220, height: 180 }) {
  return { title, ...size, encoding: axes([-300, 100]), layer: [points(time, speed, BLUE), points(time, preds, 'red')] };
}

/** `show_preds(preds)` as a whole plot. */
export function showPreds(time: number[], speed: number[], preds: number[], title = ''): Spec {
  return { $schema: SCHEMA, ...showPredsPanel(time, speed, preds, title, { width: 360, height: 260 }) } as Spec;
}

/** `_,axs = plt.subplots(1,4,figsize=(12,3)); for ax in axs: show_preds(apply_step(params, False), ax)` */
export function fourPanels(time: number[], speed: number[], preds: number[][], titles: string[]): Spec {
  return { $schema: SCHEMA, hconcat: preds.map((p, i) => showPredsPanel(time, speed, p, titles[i])) } as Spec;
}

/** `plt.scatter(time, speed)` */
export function scatterSpeed(time: number[], speed: number[]): Spec {
  return { $schema: SCHEMA, title: 'speed vs time', width: 360, height: 260, encoding: axes(), ...points(time, speed, BLUE) } as Spec;
}
