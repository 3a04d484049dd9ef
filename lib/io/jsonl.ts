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

type Mode = { kind: 'array' } | { kind: 'object'; step: boolean };

class JsonlRowSource extends TextRowSource {
  readonly format = 'jsonl' as const;
  readonly probeNames = undefined;
  private pending: { line: number; value: unknown } | undefined;

  constructor(
    lines: LineReader,
    file: string,
    readonly cols: number,
    private readonly mode: Mode,
    private readonly firstLine: number,
    first: { line: number; value: unknown },
  ) {
    super(lines, file, mode.kind === 'object' && mode.step);
    this.pending = first;
  }

  protected describe(line: number, col: number): string {
    return this.mode.kind === 'array' ? `line ${line}, [${col}]` : `line ${line}, losses[${col}]`;
  }

  private async nextValue(): Promise<{ line: number; value: unknown } | undefined> {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    for (;;) {
      const text = await this.lines.next();
      if (text === undefined) return undefined;
      if (text.trim() === '') continue;
      return { line: this.lines.lineNo, value: parseLine(text, this.file, this.lines.lineNo) };
    }
  }

  protected async nextRow(dst: Float32Array | Float64Array, offset: number): Promise<boolean> {
    const got = await this.nextValue();
    if (!got) return false;
    const { line, value } = got;
    const like = `like line ${this.firstLine}`;
    let losses: unknown;
    let step: number | undefined;
    if (this.mode.kind === 'array') {
      if (!Array.isArray(value)) fileError(this.file, `line ${line}`, `${kindOf(value)}, expected an array of losses ${like}`);
      losses = value;
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fileError(this.file, `line ${line}`, `${kindOf(value)}, expected an object { "losses": [...] } ${like}`);
      }
      const o = value as Record<string, unknown>;
      losses = o.losses;
      if (!Array.isArray(losses)) fileError(this.file, `line ${line}`, `"losses" is ${kindOf(losses)}, expected an array of numbers`);
      if (this.mode.step) {
        if (!('step' in o)) fileError(this.file, `line ${line}`, `no "step", expected one ${like}`);
        if (typeof o.step !== 'number' || !Number.isFinite(o.step)) {
          fileError(this.file, `line ${line}, step`, `${showValue(o.step)} is not a step number, expected a finite number`);
        }
        step = o.step;
      } else if ('step' in o) {
        fileError(this.file, `line ${line}`, `has a "step" but line ${this.firstLine} has none, expected every line or none to carry one`);
      }
    }
    const arr = losses as unknown[];
    if (arr.length !== this.cols) fileError(this.file, `line ${line}`, `${arr.length} losses, expected ${this.cols} ${like}`);
    for (let c = 0; c < this.cols; c++) {
      const v = arr[c];
      if (typeof v === 'number') dst[offset + c] = v;
      else if (v === null) dst[offset + c] = NaN; // JSON.stringify writes NaN as null
      else fileError(this.file, this.describe(line, c), `${showValue(v)} is not a number, expected a loss`);
    }
    this.record(line, step);
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

function parseLine(text: string, file: string, line: number): unknown {
  // A loss row nests two levels ({ "losses": [...] }); deep nesting is refused before parsing.
  checkJsonNesting(text, file, `line ${line}`);
  try {
    return parseJsonLine(text);
  } catch (err) {
    fileError(file, `line ${line}`, `not valid JSON (${(err as Error).message}), expected an array of losses or an object { "step": ..., "losses": [...] }`);
  }
}

/** Opens a JSONL (`.jsonl`, `.ndjson`) loss file for row-by-row reading. Blank lines are skipped. */
export async function openJsonlRows(path: string): Promise<RowSource> {
  const lines = await LineReader.open(path);
  try {
    let text: string | undefined;
    do text = await lines.next();
    while (text !== undefined && text.trim() === '');
    if (text === undefined) fileError(path, 'line 1', 'empty file, expected one JSON array of losses per line');
    const line = lines.lineNo;
    const value = parseLine(text, path, line);
    let mode: Mode;
    let cols: number;
    if (Array.isArray(value)) {
      mode = { kind: 'array' };
      cols = value.length;
    } else if (typeof value === 'object' && value !== null && Array.isArray((value as { losses?: unknown }).losses)) {
      mode = { kind: 'object', step: 'step' in value };
      cols = ((value as { losses: unknown[] }).losses).length;
    } else {
      fileError(path, `line ${line}`, `${kindOf(value)}, expected an array of losses or an object { "step": ..., "losses": [...] }`);
    }
    if (cols === 0) fileError(path, `line ${line}`, 'no losses, expected at least one probe');
    return new JsonlRowSource(lines, path, cols, mode, line, { line, value });
  } catch (err) {
    await lines.close();
    throw err;
  }
}
