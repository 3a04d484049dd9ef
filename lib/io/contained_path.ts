// Paths read from files (a run's path in a sweep summary, a member name) are untrusted: each must
// be a plain relative path that stays inside the directory it is relative to. One check, used by
// every reader of such paths, before the path is joined to anything.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { showValue } from '../show_value.js';
import { fileError } from './file_error.js';

/**
 * Checks a relative path read from `file` (at `where`): a non-empty string of `/`-separated
 * segments, none empty, `.` or `..`, no NUL byte or backslash, not absolute. Returns it.
 *
 * @throws Rdm2Error ERR_RDM2_FILE naming the file and the field.
 */
export function checkRelativePath(rel: unknown, file: string, where: string): string {
  if (typeof rel !== 'string' || rel === '') fileError(file, where, `${showValue(rel)} is not a path, expected a relative path such as 'seed1/losses.npy'`);
  const why =
    rel.includes('\0') ? 'holds a NUL byte'
    : rel.includes('\\') ? "holds a backslash (paths use '/')"
    : isAbsolute(rel) || rel.startsWith('/') ? 'is absolute'
    : rel.split('/').some((s) => s === '..') ? "climbs out with '..'"
    : rel.split('/').some((s) => s === '' || s === '.') ? "has an empty or '.' segment"
    : '';
  if (why) fileError(file, where, `${showValue(rel)} ${why}, expected a path inside the directory it is relative to`);
  return rel;
}

/**
 * `rel` (a path read from `file`) joined to `root`, after {@link checkRelativePath}; the result
 * is checked again to lie inside `root`.
 */
export function resolveInside(root: string, rel: unknown, file: string, where: string): string {
  const checked = checkRelativePath(rel, file, where);
  const path = join(root, ...checked.split('/'));
  const back = relative(resolve(root), resolve(path));
  if (back === '' || back.startsWith(`..${sep}`) || back === '..' || isAbsolute(back)) {
    fileError(file, where, `${showValue(checked)} does not resolve inside ${root}`);
  }
  return path;
}
