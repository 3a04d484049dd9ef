// Option values the library rejects (ERR_RDM2_OPTION) are usage errors on the command line.
import { Rdm2Error } from '../errors.js';

/** Runs `f`, turning an ERR_RDM2_OPTION into ERR_RDM2_USAGE (exit status 2). */
export function asUsageError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw toUsageError(err);
  }
}

/** The async twin of {@link asUsageError}. */
export async function asUsageErrorAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw toUsageError(err);
  }
}

function toUsageError(err: unknown): unknown {
  if (err instanceof Rdm2Error && err.code === 'ERR_RDM2_OPTION') return new Rdm2Error('ERR_RDM2_USAGE', err.message, { cause: err });
  return err;
}
