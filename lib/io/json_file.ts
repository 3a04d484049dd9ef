// JSON documents rdm2 reads from files (meta.json, groups, sweep summaries, run records, results):
// regular files only, a byte-order mark allowed, nesting bounded before parsing. V8's JSON.parse
// does not recurse, but everything that walks a parsed document does; a depth a document of
// ours never reaches is refused up front by a linear scan.
import { fileError } from './file_error.js';
import { readInputText } from './input_file.js';

/** The deepest nesting of arrays and objects accepted in a JSON document or line. */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset of the first bracket that opens nesting deeper than `maxDepth` (brackets inside
 * strings do not count), or -1 when there is none. One pass, no recursion.
 */
export function jsonNestingBeyond(text: string, maxDepth: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** Throws ERR_RDM2_FILE when `text` nests deeper than `maxDepth`. `where` is the position prefix (e.g. `line 3`). */
export function checkJsonNesting(text: string, file: string, where: string, maxDepth: number = MAX_JSON_DEPTH): void {
  const at = jsonNestingBeyond(text, maxDepth);
  if (at >= 0) {
    fileError(file, where ? `${where}, character ${at + 1}` : `character ${at + 1}`, `arrays or objects nested deeper than ${maxDepth} levels, expected at most ${maxDepth}`);
  }
}

/**
 * Parses a JSON document read from `file`, nesting bounded. `expected` completes the message on a
 * syntax error ("expected <expected>").
 */
export function parseJsonDocument(text: string, file: string, expected: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  checkJsonNesting(text, file, '', maxDepth);
  try {
    return JSON.parse(text);
  } catch (err) {
    fileError(file, '', `not valid JSON (${(err as Error).message}), expected ${expected}`, err);
  }
}

/** Reads a JSON document from a regular file (UTF-8, a leading BOM allowed), nesting bounded. */
export async function readJsonFile(path: string, expected: string, maxDepth: number = MAX_JSON_DEPTH): Promise<unknown> {
  return parseJsonDocument(await readInputText(path, 'a JSON document'), path, expected, maxDepth);
}
