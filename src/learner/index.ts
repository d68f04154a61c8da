// The `learner` layer: Learner, callbacks, metrics.
export {
  Learner, type LearnerOpts, type FitOpts, type GetPredsOpts, type LossFunc, type DataLoaderLike, type DataLoadersLike,
} from './learner.js';
export {
  Callback, EVENTS, INNER_LOOP, type Event, CancelException, CancelBatchException, CancelTrainException, CancelValidException,
  CancelEpochException, CancelStepException, CancelBackwardException, CancelFitException,
} from './callback.js';
export { type Metric, type MetricFn, AvgMetric, AvgLoss, AvgSmoothLoss, accuracy, errorRate, accuracyMulti } from './metrics.js';
export {
  Recorder, DEFAULT_READ_EVERY, type RecorderOpts, type BatchAt, type LossChecker, type EpochRecord, type PlotLossOpts, type PlotMetricsOpts,
} from './recorder.js';
export { TrainEvalCallback, TerminateOnNaN, NonFiniteLossError, GatherPredsCallback } from './callbacks.js';
export { ProgressCallback, type ProgressMode, type ProgressOpts, formatTime } from './progress.js';
