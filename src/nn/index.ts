// The `nn` namespace: modules, layers, init; `F` is exported separately as the functional API.
export { Module, Parameter, StateDictError, checkFeatures, type ForwardHook } from './module.js';
export { Linear, ReLU, Sigmoid, Tanh, Identity, Softmax, Flatten, Dropout, Sequential, ModuleList, Conv2d, type Conv2dLayerOpts } from './layers.js';
export * as init from './init.js';
