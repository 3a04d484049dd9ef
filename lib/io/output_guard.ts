// "An output is never an input": every command that writes checks each file it is about to
// write against the files it read, by identity (device and inode), so a symbolic link, a hard
// link or another spelling of the same path is caught as well as the same name.
import { stat } from 'node:fs/promises';
import { Rdm2Error } from '../errors.js';

async function identity(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path); // follows symbolic links: a link to an input is that input
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined; // not there (yet): it cannot be an existing input
  }
}

/** True when both paths name the same existing file or directory (through any links). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([identity(a), identity(b)]);
  return x !== undefined && x === y;
}

/**
 * Throws ERR_RDM2_USAGE when `output` is one of `inputs` (undefined entries are skipped).
 * `what` names the output in the message, e.g. `--out result.csv`.
 *
 * @example
 * ```ts
 * await refuseOutputOverInput('in.csv', ['in.csv', 'meta.json'], '--out in.csv'); // throws
 * ```
 */
export async function refuseOutputOverInput(output: string, inputs: readonly (string | undefined)[], what: string): Promise<void> {
  const out = await identity(output);
  if (out === undefined) return;
  for (const input of inputs) {
    if (input === undefined) continue;
    if ((await identity(input)) === out) {
      throw new Rdm2Error('ERR_RDM2_USAGE', `${what} is the input ${input}: refusing to write over an input, choose another output path`);
    }
  }
}
