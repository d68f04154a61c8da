export { Optimizer, SGD, Adam, sgd, adam, type Hypers, type ParamGroup, type ParamGroupArg, type OptFunc, type SGDOpts, type AdamOpts, type ParamsArg } from './optimizer.js';
