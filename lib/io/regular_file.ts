// Opening an input file for reading: errors name the file, and only regular files are read (a
// FIFO or a device could block forever or never end).
import { open, type FileHandle } from 'node:fs/promises';
import { fileError, fsError } from './file_error.js';

/** Opens `path` read-only; refuses anything but a regular file. Returns the handle and the size. */
export async function openRegularFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    fsError(path, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) fileError(path, '', `not a regular file (${st.isDirectory() ? 'a directory' : 'a device, FIFO or socket'}), expected a loss file`);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
