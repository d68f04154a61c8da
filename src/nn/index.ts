// The `nn` namespace: modules, layers, losses, init; `F` is exported separately as the functional API.
export { Module, Parameter, StateDictError, checkFeatures, type ForwardHook, type ForwardPreHook, type RemovableHandle } from './module.js';
export {
  Linear, ReLU, LeakyReLU, Sigmoid, Tanh, Identity, Softmax, Flatten, Dropout, Sequential, ModuleList, Conv2d, type Conv2dLayerOpts,
} from './layers.js';
export { L1Loss, MSELoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss } from './loss.js';
export * as init from './init.js';
