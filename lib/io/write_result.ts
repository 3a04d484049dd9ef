// Writing a result in the format its file name asks for.
import { extname } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { writeResultCsv } from './result_csv.js';
import { writeResultJson, type ResultSource } from './result_json.js';
import { writeResultNpz } from './result_npz.js';

/** The result formats, by extension. */
export type ResultFormat = 'json' | 'csv' | 'npz';

/** The result format of an output path (`.json`, `.csv`, `.npz`). */
export function resultFormatOf(path: string): ResultFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json' || ext === '.csv' || ext === '.npz') return ext.slice(1) as ResultFormat;
  throw new Rdm2Error('ERR_RDM2_OPTION', `cannot write a result to ${path}: unknown extension '${ext || '(none)'}', expected .json, .csv or .npz`);
}

/** Writes a result atomically as JSON, CSV or .npz, chosen by the extension of `path`. */
export async function writeResult(path: string, r: ResultSource): Promise<void> {
  const format = resultFormatOf(path);
  if (format === 'json') await writeResultJson(path, r);
  else if (format === 'csv') await writeResultCsv(path, r);
  else await writeResultNpz(path, r);
}
