// The viz namespace of the Node entry (`viz` from 'fastgrad/node'): the core's specs plus headless
// SVG/PNG rendering (vega + sharp, loaded on the first render) and the HTML report folder.
export * from './index.js';
export { renderSvg, renderPng, svgToPng, savePlot, writeFileAtomic, type PngOpts } from './render.js';
export { writeReport, type Stage, type Table, type ReportData, type ReportResult } from './report.js';
