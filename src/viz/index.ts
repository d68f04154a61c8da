// The viz namespace (`fg.viz`): Vega-Lite specs, headless SVG/PNG rendering, the report folder.
export {
  lossSpec, metricSpec, lineSpec, functionSpec, sampleFunction, imageSpec, gridSpec, heatTableSpec,
  type TopLevelSpec, type PlotOpts, type LossData, type LossOpts, type LineOpts, type FunctionOpts, type ImageOpts, type HeatTableOpts,
} from './specs.js';
export { plotFunction, type PlotFunctionOpts } from './plot-function.js';
export { renderSvg, renderPng, svgToPng, savePlot, writeFileAtomic, type PngOpts } from './render.js';
export { writeReport, type Stage, type Table, type ReportData, type ReportResult } from './report.js';
export { linspace, smoothLoss, toVec, toMat, toNum, type Listable, type Vec, type Mat, type Num } from './values.js';
