// The registry of per-window scalar observables: the one list every result type, writer, reader,
// the file accumulator and the monitor's per-window output are built from. The native core
// computes the same list (native/core/observables.hpp, kObservableFields) and the loader checks
// that the two agree. Adding an observable: its formula in native/core/observables.cpp, one
// entry there and one here, and a test (docs/architecture.md).

/** How an observable's per-window values are stored. */
export type ObservableType = 'float64';

/** One registry entry. */
export interface ObservableSpec {
  /** The field name in results (`analysis[name]`, JSON key, CSV column, .npz array). */
  readonly name: string;
  /** One sentence for people: what the value is. */
  readonly description: string;
  /** Storage type of its per-window column. */
  readonly type: ObservableType;
}

/**
 * Every per-window scalar observable, in result order (method.md, "Observables"). A degenerate
 * window (zero or non-finite spectrum) has NaN for each of them.
 *
 * @example
 * ```ts
 * import { OBSERVABLES, analyzeSync } from 'rdm2';
 * const a = analyzeSync(losses, { window: 20 });
 * for (const o of OBSERVABLES) console.log(o.name, o.description, a[o.name][0]);
 * ```
 */
export const OBSERVABLES = [
  { name: 'trace', type: 'float64', description: 'Sum of the kept eigenvalues: the total loss variance in the window.' },
  { name: 'pr', type: 'float64', description: 'Participation ratio (sum lambda)^2 / sum lambda^2.' },
  { name: 'entropy', type: 'float64', description: 'Spectral entropy -sum p ln p of the normalised spectrum p = lambda / trace.' },
  { name: 'shc', type: 'float64', description: 'Spectral heat capacity at the inverse temperature `beta`.' },
  { name: 'topShare', type: 'float64', description: "Largest eigenvalue's share p_1 of the trace." },
] as const satisfies readonly ObservableSpec[];

/** The name of an observable: `'trace' | 'pr' | 'entropy' | 'shc' | 'topShare'`. */
export type ObservableName = (typeof OBSERVABLES)[number]['name'];

/** The observables' names, in result order. */
export const OBSERVABLE_NAMES: readonly ObservableName[] = OBSERVABLES.map((o) => o.name);

/** The typed array an observable's column is stored in, by its {@link ObservableType}. */
export type ObservableColumn<T extends ObservableType> = T extends 'float64' ? Float64Array : never;

/** One column per observable (entry j belongs to window j). */
export type ObservableColumns = { [O in (typeof OBSERVABLES)[number] as O['name']]: ObservableColumn<O['type']> };

/** One window's observables. */
export type ObservableValues = { [K in ObservableName]: number };

const COLUMN_CONSTRUCTORS: Record<ObservableType, new (length: number) => ObservableColumns[ObservableName]> = {
  float64: Float64Array,
};

/** A zeroed column for each observable, `length` windows long. */
export function allocateObservableColumns(length: number): ObservableColumns {
  const out = {} as Record<ObservableName, ObservableColumns[ObservableName]>;
  for (const o of OBSERVABLES) out[o.name] = new COLUMN_CONSTRUCTORS[o.type](length);
  return out as ObservableColumns;
}

/** `from`'s observable columns (the same arrays, not copies), e.g. out of a native result. */
export function pickObservableColumns(from: ObservableColumns): ObservableColumns {
  const out = {} as Record<ObservableName, ObservableColumns[ObservableName]>;
  for (const name of OBSERVABLE_NAMES) out[name] = from[name];
  return out as ObservableColumns;
}

/** Window `j`'s value of every observable. */
export function observablesAt(columns: ObservableColumns, j: number): ObservableValues {
  const out = {} as ObservableValues;
  for (const name of OBSERVABLE_NAMES) out[name] = columns[name][j]!;
  return out;
}

/** One window's observables as a plain object (e.g. out of the native monitor's per-push result). */
export function pickObservableValues(from: ObservableValues): ObservableValues {
  const out = {} as ObservableValues;
  for (const name of OBSERVABLE_NAMES) out[name] = from[name];
  return out;
}
