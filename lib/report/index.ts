// The HTML/SVG report: every public name of lib/report.
export {
  buildReport,
  renderReport,
  type BuiltReport,
  type ReportChart,
  type ReportChartId,
  type ReportInputs,
  type ReportOptions,
} from './run_report.js';
export {
  buildSweepReport,
  defaultRunGroup,
  renderSweepReport,
  type BuiltSweepReport,
  type SweepCurve,
  type SweepReportOptions,
  type SweepRunRecord,
} from './sweep_report.js';
export { sampleProbes } from './sampling.js';
export {
  SENSITIVITY_REPORT_OPTIONS,
  buildSensitivityReport,
  sensitivitySection,
  sensitivityVerdict,
  type SensitivityReportOptions,
  type SensitivitySection,
} from './sensitivity_report.js';
export {
  REPORT_TOP_K,
  type AutoAnalyzeOptions,
  reportLossFile,
  reportResultFile,
  writeChartSvgs,
  writeSweepReport,
  type RunFileReportOptions,
  type SweepFileReport,
  type SweepFileReportOptions,
} from './file_report.js';
export { analysisFromResult, checkpointStepsFromWindows, readResultForReport, type ResultReportInput } from './result_input.js';
