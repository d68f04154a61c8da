// The viz namespace of the core entry (`fg.viz`): Vega-Lite spec builders (pure, from plot/) and
// plotFunction. Rendering to SVG/PNG and the report folder need Node: `viz` from 'fastgrad/node' adds them.
export {
  lossSpec, metricSpec, lineSpec, functionSpec, sampleFunction, imageSpec, gridSpec, heatTableSpec,
  type TopLevelSpec, type PlotOpts, type LossData, type LossOpts, type LineOpts, type FunctionOpts, type ImageOpts, type HeatTableOpts,
} from '../plot/specs.js';
export { linspace, smoothLoss, toVec, toMat, toNum, type Listable, type Vec, type Mat, type Num } from '../plot/values.js';
export { setPlotWriter, writePlot, type PlotWriter, type WritePlotOpts } from '../plot/writer.js';
export { plotFunction, type PlotFunctionOpts } from './plot-function.js';
