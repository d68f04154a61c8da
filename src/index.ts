// The core entry of fastgrad (`import ... from 'fastgrad'`): tensors, autograd, ops, nn, optim, in-memory
// data, the Learner, metrics and plot specs. It imports no Node built-in and no Node-only dependency, so
// bundlers take it for the browser as it is (test/package/imports.test.ts checks this); the parts that
// need Node (files, downloads, rendering, tabular CSV) are in the Node entry, src/node.ts ('fastgrad/node').
// The Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts), registered first.
import './ops/register.js';
export { Tensor, type NestedArray } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { promoteTypes, resultType } from './tensor/dtype.js';
export {
  tensor, fromArray, zeros, ones, full, empty, zerosLike, onesLike, fullLike, emptyLike, arange, linspace, eye,
  rand, randn, randint, randperm, normal, type FactoryOpts, type RandomOpts,
} from './tensor/creation.js';
export { Generator, defaultGenerator, manualSeed } from './tensor/random.js';
export { formatTensor, defaultPrintOptions, type PrintOptions } from './tensor/print.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode.js';
export { grad, gradcheck, gradgradcheck, type GradcheckOptions, type GradgradcheckOptions, type GradOptions } from './autograd/functional.js';
export { Node } from './autograd/node.js';
export {
  type Backend, type Storage, type View, registerBackend, initBackend, getBackend, registeredBackends, setDefaultDevice, getDefaultDevice,
} from './backend/backend.js';
export { Slice, type IndexItem } from './ops/indexing.js';
export * as errors from './errors.js';
export {
  cat, stack, split, chunk, where, matmul, mm, bmm, dot, mv, clamp, gather, scatter, scatterAdd, indexSelect, maskedFill,
  sum, mean, prod, softmax, logSoftmax, logsumexp, cumsum, maximum, minimum, pow, exp, log, sqrt, abs, sigmoid, tanh, relu,
  sort, argsort, topk, flatten, permute, transpose, unsqueeze, squeeze, reshape, conv2d, nonzero, allclose, isclose,
} from './ops/functional.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export {
  Learner, Callback, Recorder, accuracy, errorRate, accuracyMulti, AvgMetric, AvgLoss, AvgSmoothLoss, NonFiniteLossError,
  TrainEvalCallback, TerminateOnNaN, ProgressCallback, GatherPredsCallback, EVENTS, CancelException,
  CancelBatchException, CancelTrainException, CancelValidException, CancelEpochException, CancelStepException, CancelBackwardException, CancelFitException,
  type Event, type Metric, type MetricFn, type LearnerOpts, type FitOpts, type GetPredsOpts, type LossFunc, type EpochRecord,
  type PlotLossOpts, type PlotMetricsOpts, type ProgressMode,
} from './learner/index.js';
export * as viz from './viz/index.js';
export { registerWasmBackend, type WasmOptions } from './backend/wasm/register.js';
export { createAsyncCpuBackend } from './backend/cpu/async.js';
export { tidy, keep, type TidyOptions } from './backend/tidy.js';
export { MemoryScope } from './backend/scope.js';
