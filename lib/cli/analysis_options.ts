// The analysis and warning flags `rdm2 analyze`, `sweep` and `report` share, made from the
// library's option schemas (ANALYZE_FILE_OPTIONS, WARNING_OPTIONS): ranges, help and defaults
// are the library's.
import { Option, type Command } from 'commander';
import { ANALYZE_FILE_OPTIONS, type AnalyzeFileOptions } from '../io/analyze_file_options.js';
import type { WarningOptions } from '../stats/warnings.js';
import { WARNING_OPTIONS } from '../stats/warnings.js';
import type { Detrend, NonFinitePolicy, LossTransform } from '../types.js';
import { addSchemaFlags, attributeOf, optionsFromFlags, type FlagOverride } from './schema_flags.js';

export { integerArg, numberArg, positiveNumberArg } from './schema_flags.js';

/** Option values as commander collects them for the shared analysis options. */
export interface AnalysisCliValues {
  window?: number;
  stride?: number;
  topK?: number;
  detrend?: Detrend;
  transform?: LossTransform;
  beta?: number;
  nonFinite?: NonFinitePolicy;
  threads?: number;
  chunkMb?: number;
  groups?: string;
}

/** The analysis fields with a flag, in `--help` order. */
export const ANALYSIS_FLAGS = ['window', 'stride', 'topK', 'detrend', 'transform', 'beta', 'nonFinite', 'threads', 'chunkBytes'] as const;

/** The commander attribute names of the analysis flags (`chunkMb` for chunkBytes, ...). */
export const ANALYSIS_ATTRIBUTES: readonly string[] = ANALYSIS_FLAGS.map((name) => attributeOf(name, ANALYZE_FILE_OPTIONS.fields[name]));

/** Adds the analysis options to a command (`overrides`: another default or a hidden flag for this command). */
export function addAnalysisOptions(cmd: Command, overrides: Partial<Record<(typeof ANALYSIS_FLAGS)[number], FlagOverride>> = {}): Command {
  addSchemaFlags(cmd, ANALYZE_FILE_OPTIONS, ANALYSIS_FLAGS, overrides);
  return cmd.addOption(new Option('--groups <file>', 'probe group labels (.json array, .npy, or one label per line); overrides the sidecar meta.json'));
}

/** The analyzeFile options the command line asked for (unset options stay unset). */
export function analysisOptionsFrom(v: AnalysisCliValues): AnalyzeFileOptions {
  return optionsFromFlags(v as Record<string, unknown>, ANALYZE_FILE_OPTIONS, ANALYSIS_FLAGS) as AnalyzeFileOptions;
}

/** Option values of the early-warning detector. */
export interface WarningCliValues {
  warnBaseline?: number;
  warnMinBaseline?: number;
  warnZ?: number;
  warnConsecutive?: number;
}

const WARNING_FLAGS = ['baseline', 'minBaseline', 'z', 'consecutive'] as const;

/** Adds the early-warning detector options (applied to the SHC series of each run). */
export function addWarningOptions(cmd: Command): Command {
  return addSchemaFlags(cmd, WARNING_OPTIONS, WARNING_FLAGS);
}

/** The warning options the command line asked for. */
export function warningOptionsFrom(v: WarningCliValues): Pick<WarningOptions, 'baseline' | 'minBaseline' | 'z' | 'consecutive'> {
  return optionsFromFlags(v as Record<string, unknown>, WARNING_OPTIONS, WARNING_FLAGS);
}

/** The warning options given on the command line itself (not defaults), by their commander source. */
export function warningOptionsGiven(v: WarningCliValues, fromCli: (attribute: string) => boolean): WarningOptions {
  const all = warningOptionsFrom(v) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).filter(([name]) => fromCli(attributeOf(name, WARNING_OPTIONS.fields[name as (typeof WARNING_FLAGS)[number]])))) as WarningOptions;
}
