// The `data` namespace of the Node entry (`data` from 'fastgrad/node'): the core's datasets and loaders
// plus the dataset registry and cache, downloads, archive extraction, the IDX readers and the MNIST loaders.
export * from './index.js';
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
