// The sha256 of a file, recorded with every result so a report can tell the loss file is unchanged.
import { createHash } from 'node:crypto';
import { openInputFile, readExactly } from './input_file.js';

const HASH_PIECE = 2 ** 20;

/**
 * sha256 of a regular file (hex), read sequentially in 1 MiB pieces up to the size it had when
 * opened. An aborted `signal` stops the reading after the piece in flight (the promise then
 * rejects): analyzeFile cancels the checksum of a file whose analysis failed.
 */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const { fh, size } = await openInputFile(path);
  try {
    const buf = new Uint8Array(Math.min(HASH_PIECE, Math.max(size, 1)));
    for (let position = 0; position < size; ) {
      signal?.throwIfAborted();
      const piece = buf.subarray(0, Math.min(buf.length, size - position));
      await readExactly(fh, piece, position, path);
      hash.update(piece);
      position += piece.length;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}
