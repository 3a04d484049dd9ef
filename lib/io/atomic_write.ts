// Writing a file so that readers (and a resumed sweep) only ever see it complete: the bytes go to a
// temporary file in the same directory, are flushed to disk, and the temporary file is renamed over
// the destination (rename is atomic within a filesystem).
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Rdm2Error } from '../errors.js';

/** Temporary files are named `.<name>.<pid>-<random>.tmp`; this matches them. */
export const TEMP_FILE_PATTERN = /^\..+\.\d+-[0-9a-f]{8}\.tmp$/;

/** The temporary name used while writing `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

const REASONS: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

function why(e: NodeJS.ErrnoException): string {
  const reason = e.code ? REASONS[e.code] : undefined;
  return reason ? `${reason} (${e.code})` : e.message;
}

/**
 * Writes `data` to `path` atomically (temp file + fsync + rename, then fsync of the directory),
 * creating missing parent directories. `data` may be pieces of text (an iterable of strings,
 * written one after the other as UTF-8), for files larger than one string can hold. On failure
 * the temporary file is removed and the destination is left as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPathFor(path);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      else for (const piece of data) await fh.write(piece, null, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw new Rdm2Error('ERR_RDM2_FILE', `${path}: cannot write: ${why(err as NodeJS.ErrnoException)}`, { cause: err });
  }
  // Make the rename itself durable; not every filesystem lets a directory be fsynced.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}
