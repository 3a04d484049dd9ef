/**
 * Every error rdm2 throws on purpose is an {@link Rdm2Error} with a stable `code`,
 * so callers can branch on `err.code` instead of parsing messages.
 *
 * @example
 * ```ts
 * try { await analyze(losses, { window: 1 }); }
 * catch (e) { if (e instanceof Rdm2Error && e.code === 'ERR_RDM2_OPTION') console.error(e.message); }
 * ```
 */
export class Rdm2Error extends Error {
  /** Stable machine-readable code, e.g. `ERR_RDM2_SHAPE`. */
  readonly code: Rdm2ErrorCode;
  constructor(code: Rdm2ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Rdm2Error';
    this.code = code;
  }
}

/** Throws an {@link Rdm2Error}: the one helper validators call in statement position. @internal */
export function throwRdm2Error(code: Rdm2ErrorCode, message: string): never {
  throw new Rdm2Error(code, message);
}

/** Throws the command-line usage error (ERR_RDM2_USAGE, exit status 2). @internal */
export function usageError(message: string): never {
  throw new Rdm2Error('ERR_RDM2_USAGE', message);
}

/** The codes of {@link Rdm2Error}. */
export type Rdm2ErrorCode =
  /** The loss matrix's shape or length is inconsistent. */
  | 'ERR_RDM2_SHAPE'
  /** The data is not a supported array type (Float32Array, Float64Array, number[][]). */
  | 'ERR_RDM2_DTYPE'
  /** An option is missing, of the wrong type or out of range. */
  | 'ERR_RDM2_OPTION'
  /** A loss is NaN or infinite (or not positive under the log transform). */
  | 'ERR_RDM2_NON_FINITE'
  /** The native core could not be loaded. */
  | 'ERR_RDM2_NATIVE_LOAD'
  /** The native core failed on input that passed validation (a bug: please report it). */
  | 'ERR_RDM2_NATIVE'
  /** A file could not be read or parsed. */
  | 'ERR_RDM2_FILE'
  /** A command-line usage error. */
  | 'ERR_RDM2_USAGE'
  /** The object was closed and cannot be used any more. */
  | 'ERR_RDM2_CLOSED'
  /** A monitor snapshot is truncated, corrupted or of an unknown version. */
  | 'ERR_RDM2_SNAPSHOT'
  /** The native core could not allocate the memory an operation needs. */
  | 'ERR_RDM2_MEMORY'
  /** RDM2_ISA (or an option) asks for an instruction set that is unknown or that this CPU lacks. */
  | 'ERR_RDM2_ISA'
  /** The input's ArrayBuffer was detached (transferred) while an asynchronous analysis was reading it. */
  | 'ERR_RDM2_DETACHED';
