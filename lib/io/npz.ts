// NumPy .npz archives (np.savez / np.savez_compressed: a zip of .npy files, stored or deflated).
import { zipSync, type Zippable } from 'fflate';
import { fileError } from './file_error.js';
import { readInputFile } from './input_file.js';
import { decodeNpy, encodeNpy, type NpyArray, type NpyInput } from './npy.js';
import { npyHeaderLength, parseNpyHeader, shapeRepr, type NpyHeader } from './npy_header.js';
import { peekZipEntry, readZipEntry, zipEntries, type ZipEntry } from './zip.js';

/** The arrays of an .npz by name (without the `.npy` suffix). */
export type NpzArrays = Map<string, NpyArray>;

/** How an array inside an archive is named in messages: `runs/a.npz (array 'losses')`. */
export function npzEntryLabel(file: string, name: string): string {
  return `${file} (array '${name}')`;
}

/** The .npy members of an archive, by array name; a name given twice is refused. */
function npyMembers(bytes: Uint8Array, file: string): Map<string, ZipEntry> {
  const out = new Map<string, ZipEntry>();
  for (const e of zipEntries(bytes, file)) {
    if (!e.name.endsWith('.npy')) continue;
    const name = e.name.slice(0, -4);
    if (out.has(name)) fileError(file, '', `array '${name}' appears twice in the archive, expected each once`);
    out.set(name, e);
  }
  return out;
}

/**
 * The header of a member, inflating only its first bytes, checked against the size the archive
 * declares for it: an archive cannot make rdm2 inflate more than its arrays' shapes hold.
 */
function memberHeader(bytes: Uint8Array, e: ZipEntry, file: string, label: string): NpyHeader {
  const length = npyHeaderLength(peekZipEntry(bytes, e, 12, file), label);
  const header = parseNpyHeader(peekZipEntry(bytes, e, length, file), label);
  if (header.dataOffset + header.dataBytes !== e.size) {
    fileError(
      label,
      'header',
      `shape ${shapeRepr(header.shape)} ${header.dtype.name} makes ${header.dataOffset + header.dataBytes} bytes with its header, but the archive declares ${e.size}`,
    );
  }
  return header;
}

/** Decodes an .npz held in memory. `only` restricts decoding to the named arrays. Every member read is checked against its CRC-32. */
export function decodeNpz(bytes: Uint8Array, file: string, only?: (name: string) => boolean): NpzArrays {
  const out: NpzArrays = new Map();
  for (const [name, e] of npyMembers(bytes, file)) {
    if (only && !only(name)) continue;
    const label = npzEntryLabel(file, name);
    // A stored member is its own size; a deflated one is checked before it is inflated.
    if (e.method !== 0) memberHeader(bytes, e, file, label);
    out.set(name, decodeNpy(readZipEntry(bytes, e, file), label));
  }
  return out;
}

/** Lists the array names of an .npz without decoding them. */
export function npzNames(bytes: Uint8Array, file: string): string[] {
  return [...npyMembers(bytes, file).keys()];
}

/** The header of one array of an .npz, inflating only its first bytes. */
export function npzArrayHeader(bytes: Uint8Array, file: string, name: string): NpyHeader {
  const e = npyMembers(bytes, file).get(name);
  if (!e) fileError(file, '', `holds no array '${name}'`);
  return memberHeader(bytes, e, file, npzEntryLabel(file, name));
}

/** Reads the whole archive into memory. */
export async function readNpzBytes(path: string): Promise<Uint8Array> {
  return readInputFile(path);
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
