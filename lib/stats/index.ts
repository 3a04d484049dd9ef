// Early-warning statistics and interpretability: every public name of lib/stats.
export {
  DEFAULT_MIN_BASELINE,
  DEFAULT_WARNING_OPTIONS,
  MAD_SCALE,
  MEAN_AD_SCALE,
  OnlineWarningDetector,
  detectWarnings,
  resolveWarningOptions,
  robustZ,
  type ResolvedWarningOptions,
  type StateNumber,
  type Warning,
  type WarningDetectorState,
  type WarningDirection,
  type WarningOptions,
  type WarningResult,
  type WarningRunState,
} from './warnings.js';
export {
  leadTime,
  leadTimes,
  transitionFromMetric,
  windowSteps,
  type LeadTime,
  type NamedStep,
  type TransitionLead,
  type MetricTransition,
  type Transition,
  type TransitionRule,
} from './lead_time.js';
export { KENDALL_EXACT_MAX_N, kendallTau, type KendallMethod, type KendallOptions, type KendallResult } from './kendall.js';
export { SeededRandom } from './random.js';
export {
  surrogateTest,
  surrogateTestSync,
  type SurrogateKind,
  type SurrogateOptions,
  type SurrogateResult,
} from './surrogate.js';
export { sensitivity, sensitivityGridAround, sensitivitySync, type SensitivityGrid, type SensitivityOptions, type SensitivityTable } from './sensitivity.js';
export {
  INDICATOR_DIRECTIONS,
  SCALAR_BASELINES,
  baselineVerdict,
  compareIndicators,
  groupMeanLosses,
  indicatorDirection,
  indicatorLabel,
  indicatorWarnings,
  isScalarBaseline,
  scalarIndicators,
  scoredOnLogScale,
  type BaselineVerdict,
  type BuiltinIndicator,
  type CompareOptions,
  type GroupIndicators,
  type GroupMeanLosses,
  type IndicatorComparison,
  type IndicatorName,
  type IndicatorWarnings,
  type ScalarIndicators,
} from './baselines.js';
export {
  blockEnergy,
  resolveGroups,
  type BlockEnergy,
  type GroupLabel,
  type ProbeGroups,
  type ResolvedGroups,
} from './block_energy.js';
export { localization } from './localization.js';
export { subspaceOverlap, type Basis } from './subspace_overlap.js';
export { eigenvectorTrack, topEigenvectors, type EigenvectorTrack } from './eigenvector_track.js';
export {
  covarianceSnapshot,
  windowCovariance,
  type CovarianceSnapshot,
  type SnapshotOptions,
  type WindowCovariance,
  type WindowCovarianceOptions,
} from './window_covariance.js';
export {
  summarizeRun,
  type RunSummary,
  type SummarizeOptions,
  type SurrogateRequest,
  type WindowPoint,
} from './summarize.js';
export { falseAlarmRates, wilsonUpper, type FalseAlarmOptions, type FalseAlarmTable } from './false_alarms.js';
export { aggregate, type AggregateOptions, type AggregateTable } from './aggregate.js';
