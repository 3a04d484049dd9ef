/**
 * rdm2: spectral early warnings of phase transitions in neural-network training, from the
 * 2-datapoint reduced density matrix (the covariance of per-sample losses).
 * @packageDocumentation
 */
export { analyze, analyzeSync } from './analyze.js';
export {
  AUTO_RULE,
  AUTO_SETTINGS_OPTIONS,
  LossInspector,
  autoSettings,
  chooseSettings,
  inspectLosses,
  type AutoSettings,
  type AutoSettingsOptions,
  type LossInspection,
} from './auto_settings.js';
export { gram2rdm, gram2rdmSync, type Gram2rdmOptions, type PerturbationSamples } from './gaussian.js';
export { Rdm2Error, type Rdm2ErrorCode } from './errors.js';
export { instructionSet, type InstructionSet, type InstructionSetInfo } from './isa.js';
export { OBSERVABLES, OBSERVABLE_NAMES, type ObservableName, type ObservableSpec, type ObservableType } from './observables.js';
export type {
  Analysis,
  AnalyzeOptions,
  Detrend,
  LossBlocks,
  LossInput,
  LossMatrix,
  NonFinitePolicy,
  LossTransform,
  ResolvedAnalyzeOptions,
  Transform,
} from './types.js';
export { SpectralMonitor, type MonitorOptions, type MonitorRow, type MonitorWindow, type ResolvedMonitorOptions, type Summary } from './monitor.js';
export * from './stats/index.js';
export * from './scenarios/synthetic.js';
export * from './report/index.js';
export * from './scenarios/deep_linear.js';
export * from './scenarios/noise_control.js';
export * from './io/index.js';
export * from './sweep/index.js';
export * from './watch/index.js';
export * from './tensorboard/index.js';
