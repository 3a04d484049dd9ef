// The sha256 of a file, recorded with every result so a report can tell the loss file is unchanged.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fsError } from './file_error.js';

/** sha256 of a file (hex), read sequentially in 64 KiB pieces. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    fsError(path, err);
  }
  return hash.digest('hex');
}
