// JSON Lines loss files: one checkpoint per line, either a bare array of losses `[0.1, 0.2, ...]`
// or an object `{ "step": 100, "losses": [...] }` (other keys are ignored).
import { showValue } from '../show_value.js';
import { fileError } from './file_error.js';
import { checkJsonNesting } from './json_file.js';
import { LineReader } from './line_reader.js';
import type { RowSource } from './row_source.js';
import { TextRowSource } from './text_row_source.js';

const SENTINEL = '\u0000rdm2:';
const TOKENS: [string, number][] = [
  ['-Infinity', -Infinity],
  ['Infinity', Infinity],
  ['NaN', NaN],
];

// Python's json module writes NaN, Infinity and -Infinity, which JSON.parse rejects: quote them
// (outside strings only) and turn them back into numbers in the reviver.
function quoteNonFinite(s: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < s.length; ) {
    const ch = s[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += s[i + 1] ?? '';
      else if (ch === '"') inString = false;
      i += ch === '\\' ? 2 : 1;
      continue;
    }
    if (ch === '"') inString = true;
    const token = TOKENS.find(([t]) => s.startsWith(t, i));
    if (token) {
      out += `"\\u0000rdm2:${token[0]}"`; // decodes to SENTINEL + token
      i += token[0].length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** JSON.parse that also accepts Python's NaN / Infinity / -Infinity tokens. */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return JSON.parse(quoteNonFinite(text), (_key, value: unknown) => {
      if (typeof value === 'string' && value.startsWith(SENTINEL)) return TOKENS.find(([t]) => t === value.slice(SENTINEL.length))![1];
      return value;
    });
  }
}

/** How the lines of a JSONL loss file hold their losses: bare arrays, or objects with or without a `step`. */
export type JsonlMode = { kind: 'array' } | { kind: 'object'; step: boolean };

/** True for the end marker line `{"end": true}` a producer writes when it finished (docs/row-stream.md). */
export function isJsonlEndMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { end?: unknown }).end === true;
}

/** The mode and probe count a JSONL file's first row sets (`line` is its 1-based line number). */
export function jsonlModeOf(value: unknown, file: string, line: number): { mode: JsonlMode; cols: number } {
  let mode: JsonlMode;
  let cols: number;
  if (Array.isArray(value)) {
    mode = { kind: 'array' };
    cols = value.length;
  } else if (typeof value === 'object' && value !== null && Array.isArray((value as { losses?: unknown }).losses)) {
    mode = { kind: 'object', step: 'step' in value };
    cols = ((value as { losses: unknown[] }).losses).length;
  } else {
    fileError(file, `line ${line}`, `${kindOf(value)}, expected an array of losses or an object { "step": ..., "losses": [...] }`);
  }
  if (cols === 0) fileError(file, `line ${line}`, 'no losses, expected at least one probe');
  return { mode, cols };
}

/** Where value `col` of a row on line `line` is, for messages. */
export function jsonlPosition(mode: JsonlMode, line: number, col: number): string {
  return mode.kind === 'array' ? `line ${line}, [${col}]` : `line ${line}, losses[${col}]`;
}

/**
 * Checks one parsed JSONL row against the file's mode (set by its first row, on `firstLine`) and
 * writes its `cols` losses into `dst` from `offset`. Returns its step (undefined without steps).
 */
export function decodeJsonlRow(
  value: unknown,
  mode: JsonlMode,
  cols: number,
  dst: Float32Array | Float64Array,
  offset: number,
  where: { file: string; line: number; firstLine: number },
): number | undefined {
  const { file, line } = where;
  const like = `like line ${where.firstLine}`;
  let losses: unknown;
  let step: number | undefined;
  if (mode.kind === 'array') {
    if (!Array.isArray(value)) fileError(file, `line ${line}`, `${kindOf(value)}, expected an array of losses ${like}`);
    losses = value;
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fileError(file, `line ${line}`, `${kindOf(value)}, expected an object { "losses": [...] } ${like}`);
    }
    const o = value as Record<string, unknown>;
    losses = o.losses;
    if (!Array.isArray(losses)) fileError(file, `line ${line}`, `"losses" is ${kindOf(losses)}, expected an array of numbers`);
    if (mode.step) {
      if (!('step' in o)) fileError(file, `line ${line}`, `no "step", expected one ${like}`);
      if (typeof o.step !== 'number' || !Number.isFinite(o.step)) {
        fileError(file, `line ${line}, step`, `${showValue(o.step)} is not a step number, expected a finite number`);
      }
      step = o.step;
    } else if ('step' in o) {
      fileError(file, `line ${line}`, `has a "step" but line ${where.firstLine} has none, expected every line or none to carry one`);
    }
  }
  const arr = losses as unknown[];
  if (arr.length !== cols) fileError(file, `line ${line}`, `${arr.length} losses, expected ${cols} ${like}`);
  for (let c = 0; c < cols; c++) {
    const v = arr[c];
    if (typeof v === 'number') dst[offset + c] = v;
    else if (v === null) dst[offset + c] = NaN; // JSON.stringify writes NaN as null
    else fileError(file, jsonlPosition(mode, line, c), `${showValue(v)} is not a number, expected a loss`);
  }
  return step;
}

class JsonlRowSource extends TextRowSource {
  readonly format = 'jsonl' as const;
  readonly probeNames = undefined;
  private pending: { line: number; value: unknown } | undefined;
  private ended = false;

  constructor(
    lines: LineReader,
    file: string,
    readonly cols: number,
    private readonly mode: JsonlMode,
    private readonly firstLine: number,
    first: { line: number; value: unknown },
  ) {
    super(lines, file, mode.kind === 'object' && mode.step);
    this.pending = first;
  }

  protected describe(line: number, col: number): string {
    return jsonlPosition(this.mode, line, col);
  }

  private async nextValue(): Promise<{ line: number; value: unknown } | undefined> {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    if (this.ended) return undefined;
    for (;;) {
      const text = await this.lines.next();
      if (text === undefined) return undefined;
      if (text.trim() === '') continue;
      const got = { line: this.lines.lineNo, value: parseLine(text, this.file, this.lines.lineNo) };
      if (!isJsonlEndMarker(got.value)) return got;
      await this.expectNothingAfter(got.line);
      return undefined;
    }
  }

  /** The producer's end marker closes the file: only blank lines may follow it. */
  private async expectNothingAfter(endLine: number): Promise<void> {
    this.ended = true;
    for (;;) {
      const text = await this.lines.next();
      if (text === undefined) return;
      if (text.trim() !== '') fileError(this.file, `line ${this.lines.lineNo}`, `follows the end marker on line ${endLine}, expected nothing after it`);
    }
  }

  protected async nextRow(dst: Float32Array | Float64Array, offset: number): Promise<boolean> {
    const got = await this.nextValue();
    if (!got) return false;
    const step = decodeJsonlRow(got.value, this.mode, this.cols, dst, offset, { file: this.file, line: got.line, firstLine: this.firstLine });
    this.record(got.line, step);
    return true;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (v === undefined) return 'missing';
  return `a ${typeof v} (${showValue(v)})`;
}

/** Parses one JSONL line, naming the file and line when it is not JSON. */
export function parseLine(text: string, file: string, line: number): unknown {
  // A loss row nests two levels ({ "losses": [...] }); deep nesting is refused before parsing.
  checkJsonNesting(text, file, `line ${line}`);
  try {
    return parseJsonLine(text);
  } catch (err) {
    fileError(file, `line ${line}`, `not valid JSON (${(err as Error).message}), expected an array of losses or an object { "step": ..., "losses": [...] }`);
  }
}

/**
 * Opens a JSONL (`.jsonl`, `.ndjson`) loss file for row-by-row reading. Blank lines are skipped;
 * the end marker `{"end": true}` (docs/row-stream.md) ends the rows, and nothing may follow it.
 */
export async function openJsonlRows(path: string): Promise<RowSource> {
  const lines = await LineReader.open(path);
  try {
    let text: string | undefined;
    do text = await lines.next();
    while (text !== undefined && text.trim() === '');
    if (text === undefined) fileError(path, 'line 1', 'empty file, expected one JSON array of losses per line');
    const line = lines.lineNo;
    const value = parseLine(text, path, line);
    if (isJsonlEndMarker(value)) fileError(path, `line ${line}`, 'end marker before any row, expected at least one row of losses');
    const { mode, cols } = jsonlModeOf(value, path, line);
    return new JsonlRowSource(lines, path, cols, mode, line, { line, value });
  } catch (err) {
    await lines.close();
    throw err;
  }
}
