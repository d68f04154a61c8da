// The `learner` layer: Learner, callbacks, metrics.
export { Learner, type LearnerOpts, type FitOpts, type LossFunc, type DataLoaderLike, type DataLoadersLike } from './learner.js';
export {
  Callback, EVENTS, type Event, CancelException, CancelBatchException, CancelTrainException, CancelValidException,
  CancelEpochException, CancelStepException, CancelBackwardException, CancelFitException,
} from './callback.js';
export { type Metric, type MetricFn, AvgMetric, AvgLoss, AvgSmoothLoss, accuracy, errorRate, accuracyMulti } from './metrics.js';
export { Recorder, TrainEvalCallback, TerminateOnNaN, NonFiniteLossError, ProgressCallback, type EpochRecord } from './recorder.js';
