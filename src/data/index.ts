// The `data` namespace of the core entry (fastgrad.data): in-memory datasets, DataLoader/DataLoaders,
// collation. Files, downloads and the MNIST loaders need Node: `data` from 'fastgrad/node' adds them.
export { type Dataset, type DatasetLike, type Source, type ItemOf, type ZipResult, TensorDataset, RowsDataset, asDataset, zip } from './dataset.js';
export { type Collated, type CollateFn, defaultCollate } from './collate.js';
export { type DataLoaderOptions, type FromDatasetsOptions, DataLoader, DataLoaders, first, gatherRows } from './dataloader.js';
