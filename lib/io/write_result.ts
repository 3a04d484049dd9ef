// Writing a result in the format its file name asks for (the writers of lib/io/format_registry.ts).
import { resultWriterFor, type ResultFormat } from './format_registry.js';
import type { ResultSource } from './result_json.js';

export type { ResultFormat };

/** The result format of an output path (`.json`, `.csv`, `.npz`, `.parquet`, `.arrow`, `.feather`). */
export function resultFormatOf(path: string): ResultFormat {
  return resultWriterFor(path).format;
}

/** Writes a result atomically in the format its extension names. */
export async function writeResult(path: string, r: ResultSource): Promise<void> {
  await resultWriterFor(path).write(path, r);
}
