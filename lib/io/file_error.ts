// The one error shape of every reader: the file, the position, what was found and what was expected.
import { Rdm2Error } from '../errors.js';

/** Throws `ERR_RDM2_FILE` as `<file>: <position>: <problem>`; position may be empty. */
export function fileError(file: string, position: string, problem: string, cause?: unknown): never {
  const where = position ? `${file}: ${position}: ` : `${file}: `;
  throw new Rdm2Error('ERR_RDM2_FILE', where + problem, cause === undefined ? undefined : { cause });
}

/** Turns an fs error (ENOENT, EACCES, EISDIR...) into `ERR_RDM2_FILE` naming the file. */
export function fsError(file: string, err: unknown): never {
  if (err instanceof Rdm2Error) throw err;
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'ENOENT' ? 'no such file'
    : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied'
    : e.code === 'EISDIR' ? 'is a directory, expected a file'
    : (e.message ?? String(err));
  fileError(file, '', `cannot read: ${why}${e.code && !why.includes(e.code) ? ` (${e.code})` : ''}`, err);
}
