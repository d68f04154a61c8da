// The Node entry of fastgrad (`import ... from 'fastgrad/node'`): everything in the core entry, with the
// `data` and `viz` namespaces extended by their Node parts, plus `tabular`:
//  - data: the dataset registry and cache (URLs, untarData), downloads, IDX readers, the MNIST loaders;
//  - viz: SVG/PNG rendering (vega + sharp) and the HTML report folder;
//  - tabular: CSV → data frame → tensors (arquero, csv-parse).
// Heavy dependencies load on first use, not here. Importing this module also connects plot files to the
// renderer, so `learn.recorder.plotLoss('loss.png')` writes a PNG (from the core entry alone it cannot).
import { setPlotWriter } from './plot/writer.js';
import { savePlot } from './viz/render.js';

// NOTE: an explicit export of a name shadows the one `export *` brings in, so `data` and `viz` here
// are the extended namespaces (each a superset of the core's).
export * from './index.js';
export * as data from './data/node.js';
export * as viz from './viz/node.js';
export * as tabular from './tabular/index.js';

setPlotWriter(savePlot);
