// Opening a file rdm2 reads (loss files, sidecars, groups files, summaries, results, records):
// regular files only. A FIFO would block the reader forever, a device such as /dev/zero never
// ends, a directory is not data; every reader opens its input here, so each is refused once,
// the same way, before a byte is read.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fileError, fsError } from './file_error.js';

/** A regular file opened for reading, with its size when opened. */
export interface InputFile {
  fh: FileHandle;
  /** Bytes in the file when it was opened: what every read of it is bounded by. */
  size: number;
  path: string;
}

/** What a non-regular file is, in words, for messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Throws ERR_RDM2_FILE unless `st` is a regular file. */
export function requireRegularFile(path: string, st: Stats): void {
  if (!st.isFile()) fileError(path, '', `cannot read: ${kindOf(st)}, expected a regular file`);
}

/**
 * Opens `path` for reading and refuses anything but a regular file (symbolic links are
 * followed). Non-blocking open, so a FIFO is refused instead of waiting for a writer.
 *
 * @throws Rdm2Error ERR_RDM2_FILE naming the file: missing, unreadable or not a regular file.
 */
export async function openInputFile(path: string): Promise<InputFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') fileError(path, '', 'cannot read: a socket, expected a regular file', err);
    fsError(path, err);
  }
  try {
    const st = await fh.stat();
    requireRegularFile(path, st);
    return { fh, size: st.size, path };
  } catch (err) {
    await fh.close();
    return fsError(path, err);
  }
}

/** Reads exactly `dst.length` bytes at `position`; a file that ends first is truncated. */
export async function readExactly(fh: FileHandle, dst: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < dst.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(dst, done, dst.length - done, position + done));
    } catch (err) {
      fsError(file, err);
    }
    if (bytesRead === 0) fileError(file, `byte ${position + done}`, `truncated: expected ${dst.length - done} more bytes`);
    done += bytesRead;
  }
}

/**
 * The whole content of a regular file: exactly the bytes it held when opened (a file that grows
 * meanwhile is not followed), at most `maxBytes`.
 */
export async function readInputFile(path: string, opts: { maxBytes?: number; what?: string } = {}): Promise<Uint8Array> {
  const f = await openInputFile(path);
  try {
    if (opts.maxBytes !== undefined && f.size > opts.maxBytes) {
      fileError(path, '', `${f.size} bytes, more than the ${opts.maxBytes} bytes ${opts.what ?? 'this file'} may have`);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(f.size);
    } catch (err) {
      fileError(path, '', `cannot hold its ${f.size} bytes in memory (${(err as Error).message})`, err);
    }
    await readExactly(f.fh, bytes, 0, path);
    return bytes;
  } finally {
    await f.fh.close();
  }
}

/** V8 cannot hold a longer string (2^29 - 24 UTF-16 units); a text file read whole must fit. */
export const MAX_TEXT_FILE_BYTES = 2 ** 29 - 24;

/** A regular file read whole as UTF-8 text, without a leading byte-order mark. */
export async function readInputText(path: string, what = 'a text file read whole'): Promise<string> {
  const bytes = await readInputFile(path, { maxBytes: MAX_TEXT_FILE_BYTES, what });
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(bytes);
  } catch (err) {
    fileError(path, '', `cannot decode as UTF-8 text (${(err as Error).message})`, err);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
