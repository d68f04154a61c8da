// The tabular namespace (`fg.tabular`): CSV → typed columns (arquero tables), the data-frame steps the
// course's Titanic lesson needs, columns → tensors, and fastai's RandomSplitter.
export { readCsv, parseCsv, PANDAS_NA, type DataFrame, type Cell, type CsvOptions } from './csv.js';
export {
  countMissing, modes, fillMissing, fillMissingWithMode, addColumn, getDummies, checkColumns, isMissing, ColumnError, type DummiesOptions,
} from './frame.js';
export { toTensor, columnTensor, type ToTensorOptions } from './tensor.js';
export { RandomSplitter, type RandomSplitterOptions, type Splittable, type Splitter } from './splitter.js';
