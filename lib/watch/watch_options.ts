// The options of `watch` (lib/watch/watch.ts): one schema for validation, the flags of
// `rdm2 watch` and their --help. The analysis fields are the monitor's; they have no default in
// the schema because a resumed watch takes them from its saved state: a new watch fills them
// with NEW_WATCH_DEFAULTS.
import { defineOptions, defaultOf, optionError, type Assert, type SameKeys } from '../option_schema.js';
import { ANALYSIS_FIELDS } from '../options.js';
import { resolveWarningOptions, type WarningOptions } from '../stats/warnings.js';
import type { Detrend, LossTransform, NonFinitePolicy } from '../types.js';
import type { WatchWarning } from './watch_state.js';
import type { LiveWatch, WatchProgress } from './watch.js';

/** Options of {@link watch}. Analysis options may be left out when resuming: the state's are used. */
export interface WatchOptions {
  /** W, the window length (>= 2). Required for a new watch. */
  window?: number;
  /** Top eigenvectors kept per window (warnings name the groups carrying the first). Default 1 (resuming: the state's). */
  topK?: number;
  /** Default 'none' (resuming: the state's). */
  detrend?: Detrend;
  /** Default 'none' (resuming: the state's). */
  transform?: LossTransform;
  /** SHC inverse temperature. Default 1 (resuming: the state's). */
  beta?: number;
  /** Default 'error' (resuming: the state's). */
  nonFinite?: NonFinitePolicy;
  /** The SHC warning detector (as for `detectWarnings`). Default: its defaults (resuming: the state's). */
  warning?: WarningOptions;
  /** The state directory. Default `<loss file>.watch` next to the loss file. */
  state?: string;
  /** Discard an existing state and start from the first row. Default false. */
  restart?: boolean;
  /** Milliseconds between looks at a file that has not grown. Default 500. */
  pollMs?: number;
  /** Most bytes of the file read (and committed) per batch. Default 16 MiB. */
  batchBytes?: number;
  /** Stop (state saved, status 'idle') when the file has not grown for this many ms. Default: never. */
  idleTimeoutMs?: number;
  /** Write TensorBoard scalars to this directory as windows arrive. */
  tensorboard?: string;
  /** Keep every row in memory (the live page draws losses and covariance snapshots from them). Default false. */
  keepLosses?: boolean;
  /** Group labels per probe, instead of the sidecar meta.json's. */
  groups?: string[];
  /** The transition step, instead of the sidecar's. */
  transition?: number;
  /** Read the sidecar meta.json (groups, transition). Default true. */
  sidecar?: boolean;
  /** sha256 of the finished file in the result. Default true. */
  checksum?: boolean;
  /** Aborting stops the watch after the batch in progress, with its state saved (status 'stopped'). */
  signal?: AbortSignal;
  /** Called for every warning, as it happens, before the state that includes it is saved (awaited). */
  onWarning?: (warning: WatchWarning) => void | Promise<void>;
  /** Called after every poll with where the watch stands. */
  onProgress?: (progress: WatchProgress) => void;
  /** Called after every committed batch, and once the source is known (with 0 windows). */
  onUpdate?: (live: LiveWatch) => void;
}

const resumed = "the saved state's when resuming";
const noDefault = <S extends object>(spec: S, defaultDoc: string) => {
  const { default: _d, ...rest } = spec as S & { default?: unknown };
  return { ...rest, defaultDoc } as Omit<S, 'default'> & { defaultDoc: string };
};

/** A new watch keeps the top eigenvector: a warning names the groups that carry it. */
const NEW_WATCH_TOP_K = 1;

/** The options of {@link watch} (and the flags of `rdm2 watch`). */
export const WATCH_OPTIONS = defineOptions('watch', {
  window: { ...ANALYSIS_FIELDS.window, note: 'required unless resuming a saved state' },
  topK: noDefault({ ...ANALYSIS_FIELDS.topK, note: 'at most min(W-1, n); warnings name the groups of the first' }, `${NEW_WATCH_TOP_K}, or ${resumed}`),
  detrend: noDefault(ANALYSIS_FIELDS.detrend, `'none', or ${resumed}`),
  transform: noDefault(ANALYSIS_FIELDS.transform, `'none', or ${resumed}`),
  beta: noDefault(ANALYSIS_FIELDS.beta, `1, or ${resumed}`),
  nonFinite: noDefault(ANALYSIS_FIELDS.nonFinite, `'error', or ${resumed}`),
  warning: {
    type: 'custom',
    typeDoc: 'warning options',
    doc: 'the SHC warning detector',
    defaultDoc: `its defaults, or ${resumed}`,
    check: (v: unknown, name: string): WarningOptions => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) optionError(`${name} must be warning options`);
      resolveWarningOptions(v as WarningOptions);
      return v as WarningOptions;
    },
  },
  state: { type: 'string', nonEmpty: true, noun: 'path', defaultDoc: '"<loss file>.watch"', doc: 'state directory (monitor snapshot, read position, analysed windows)', cli: { value: 'dir' } },
  restart: { type: 'boolean', default: false, doc: 'discard a saved state and start again from the first row', cli: {} },
  pollMs: { type: 'integer', min: 1, max: 3_600_000, default: 500, doc: 'milliseconds between looks at a file that has not grown', cli: { flag: '--poll', value: 'ms' } },
  batchBytes: { type: 'integer', min: 1, default: 16 * 2 ** 20, doc: 'most bytes of the file read and committed per batch' },
  idleTimeoutMs: {
    type: 'number',
    min: 0,
    exclusiveMin: true,
    defaultDoc: 'never',
    doc: 'stop (state saved) when the file has not grown for this many milliseconds',
    cli: { flag: '--idle-timeout', value: 'seconds', unit: 1000, doc: 'stop (state saved, exit status 3) when the file has not grown for this many seconds' },
  },
  tensorboard: { type: 'string', nonEmpty: true, noun: 'path', doc: 'write SHC, PR, trace, entropy, top share, SHC z and warnings as TensorBoard scalars to <dir>', cli: { value: 'dir' } },
  keepLosses: { type: 'boolean', default: false, doc: 'keep every row in memory (for the live page)' },
  groups: {
    type: 'custom',
    typeDoc: 'an array of group labels',
    doc: "a group label per probe, instead of the sidecar meta.json's",
    check: (v: unknown, name: string): string[] => {
      if (!Array.isArray(v) || v.some((g) => typeof g !== 'string')) optionError(`${name} must be an array of strings`);
      return v as string[];
    },
  },
  transition: { type: 'number', doc: "the transition step, instead of the sidecar's" },
  sidecar: { type: 'boolean', default: true, doc: 'read the sidecar meta.json' },
  checksum: { type: 'boolean', default: true, doc: 'sha256 of the finished file in the result' },
  signal: {
    type: 'custom',
    typeDoc: 'an AbortSignal',
    doc: 'aborting stops the watch after the batch in progress, state saved',
    check: (v: unknown, name: string): AbortSignal => {
      if (!(v instanceof AbortSignal)) optionError(`${name} must be an AbortSignal`);
      return v;
    },
  },
  onWarning: { type: 'function', doc: 'called for every warning as it happens' },
  onProgress: { type: 'function', doc: 'called after every poll' },
  onUpdate: { type: 'function', doc: 'called after every committed batch' },
});

type _WatchSchemaMatches = Assert<SameKeys<typeof WATCH_OPTIONS.fields, WatchOptions>>;

/** The analysis a new watch runs when an option is left out. */
export const NEW_WATCH_DEFAULTS = {
  topK: NEW_WATCH_TOP_K,
  detrend: defaultOf(ANALYSIS_FIELDS.detrend)!,
  transform: defaultOf(ANALYSIS_FIELDS.transform)!,
  beta: defaultOf(ANALYSIS_FIELDS.beta)!,
  nonFinite: defaultOf(ANALYSIS_FIELDS.nonFinite)!,
};
