// An .npz loss file opened as rows: its loss array (decompressed into memory) and the metadata
// arrays stored beside it.
import { fileError } from './file_error.js';
import type { OpenedLossFile } from './format_registry.js';
import { MemoryRowSource } from './memory_row_source.js';
import { META_ARRAY_NAMES, metaFromNpz } from './meta.js';
import { lossArrayFromNpy } from './npy.js';
import { decodeNpz, npzEntryLabel, npzNames, readNpzBytes } from './npz.js';

/** The array of an .npz that holds the losses: `losses`, else the only array that is not metadata. */
export function pickNpzLossArray(names: string[], file: string): string {
  if (names.includes('losses')) return 'losses';
  const candidates = names.filter((n) => !META_ARRAY_NAMES.includes(n));
  if (candidates.length === 1) return candidates[0]!;
  fileError(
    file,
    '',
    candidates.length === 0
      ? `holds no loss array (arrays: ${names.join(', ') || 'none'}), expected one named 'losses'`
      : `holds several arrays (${candidates.join(', ')}), expected one named 'losses' (or a single array besides ${META_ARRAY_NAMES.join(', ')})`,
  );
}

/** Opens an .npz: its loss array as a row source, plus its `steps` / `groups` / `transition` arrays. */
export async function openNpzRows(path: string): Promise<OpenedLossFile> {
  const bytes = await readNpzBytes(path);
  const name = pickNpzLossArray(npzNames(bytes, path), path);
  const arrays = decodeNpz(bytes, path, (n) => n === name || META_ARRAY_NAMES.includes(n));
  const losses = lossArrayFromNpy(arrays.get(name)!, npzEntryLabel(path, name));
  const source = new MemoryRowSource(losses, npzEntryLabel(path, name), 'npz');
  return { source, embedded: metaFromNpz(arrays, path), shape: losses.shape.slice() };
}
