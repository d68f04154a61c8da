// The `data` namespace (fastgrad.data): datasets, DataLoader/DataLoaders, collation, downloads, MNIST loaders.
export { type Dataset, type DatasetLike, type Source, type ItemOf, type ZipResult, TensorDataset, RowsDataset, asDataset, zip } from './dataset.js';
export { type Collated, type CollateFn, defaultCollate } from './collate.js';
export { type DataLoaderOptions, type FromDatasetsOptions, DataLoader, DataLoaders, first, gatherRows } from './dataloader.js';
export { URLs, type DatasetEntry, type DatasetEntryInput, registerDataset, datasetEntry, parseEntry, defaultCacheDir } from './urls.js';
export {
  type FileStats, type Expected, type FetchLike, type DownloadOptions,
  DownloadError, NetworkError, HttpError, ChecksumError, downloadFile, hashFile, checkStats,
} from './download.js';
export { type UntarOptions, ExtractError, untarData, extractArchive } from './untar.js';
export {
  type DigitPair, type MnistSample, resolveDataDir, findMnistDir, loadMnistSampleFromIdx, loadMnistPackageDigits, mnistPackageCounts,
} from './mnist.js';
export { type IdxDtype, type IdxData, type IdxDataOf, type IdxArray, IDX_MAX_BYTES, parseIdx, readIdxFile, readIdxFileSync } from './idx.js';
