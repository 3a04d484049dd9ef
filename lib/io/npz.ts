// NumPy .npz archives (np.savez / np.savez_compressed: a zip of .npy files, stored or deflated).
import { readFile } from 'node:fs/promises';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { fileError, fsError } from './file_error.js';
import { decodeNpy, encodeNpy, type NpyArray, type NpyInput } from './npy.js';

/** The arrays of an .npz by name (without the `.npy` suffix). */
export type NpzArrays = Map<string, NpyArray>;

/** How an array inside an archive is named in messages: `runs/a.npz (array 'losses')`. */
export function npzEntryLabel(file: string, name: string): string {
  return `${file} (array '${name}')`;
}

/** Decodes an .npz held in memory. `only` restricts decoding to the named arrays. */
export function decodeNpz(bytes: Uint8Array, file: string, only?: (name: string) => boolean): NpzArrays {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.endsWith('.npy') && (!only || only(f.name.slice(0, -4))) });
  } catch (err) {
    fileError(file, '', `not a valid .npz (zip) archive: ${(err as Error).message}`, err);
  }
  const out: NpzArrays = new Map();
  for (const [entry, data] of Object.entries(entries)) {
    const name = entry.slice(0, -4);
    out.set(name, decodeNpy(data, npzEntryLabel(file, name)));
  }
  return out;
}

/** Lists the array names of an .npz without decoding them. */
export function npzNames(bytes: Uint8Array, file: string): string[] {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith('.npy')) names.push(f.name.slice(0, -4));
        return false;
      },
    });
  } catch (err) {
    fileError(file, '', `not a valid .npz (zip) archive: ${(err as Error).message}`, err);
  }
  return names;
}

/** Reads the whole archive into memory. */
export async function readNpzBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    fsError(path, err);
  }
}

/** Reads an .npz and decodes its arrays (or the selected ones). */
export async function readNpz(path: string, only?: (name: string) => boolean): Promise<NpzArrays> {
  return decodeNpz(await readNpzBytes(path), path, only);
}

/** Encodes named arrays as an .npz, stored uncompressed like `np.savez` (`compress: true` deflates like `np.savez_compressed`). */
export function encodeNpz(arrays: Record<string, NpyInput>, opts: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {};
  for (const [name, a] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(a);
  return zipSync(files, { level: opts.compress ? 6 : 0, mtime: new Date(1980, 0, 1) });
}
