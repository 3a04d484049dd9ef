// CSV/TSV and JSONL loss files: layouts, values, steps, and every malformed-input message.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { splitCsvLine } from '../lib/io/csv.js';
import { parseJsonLine } from '../lib/io/jsonl.js';
import { LOSS_FILE_EXTENSIONS, readLossFile } from '../lib/io/read_loss_file.js';
import { parseNumberCell } from '../lib/io/text_row_source.js';
import { tempDir, writeText } from './io_fixtures.js';

const dir = tempDir();
let counter = 0;
function file(ext: string, text: string): string {
  return writeText(join(dir, `f${counter++}.${ext}`), text);
}

async function fileError(path: string): Promise<string> {
  try {
    await readLossFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_FILE');
    return (e as Rdm2Error).message;
  }
  throw new Error('expected an error');
}

describe('number cells and CSV fields', () => {
  it('parses decimals, exponents and the non-finite spellings of Python and NumPy', () => {
    expect(['1', '-2.5', '+.5', '3.', '1e-3', '2E+2', ' 7 '].map(parseNumberCell)).toEqual([1, -2.5, 0.5, 3, 0.001, 200, 7]);
    expect(['nan', 'NaN', 'inf', '-inf', 'Infinity', '-Infinity', '+inf'].map(parseNumberCell)).toEqual([NaN, NaN, Infinity, -Infinity, Infinity, -Infinity, Infinity]);
    expect(['', 'abc', '1,5', '0x10', '1e', '--1'].map(parseNumberCell)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('splits quoted fields', () => {
    expect(splitCsvLine('a,"b,c","d ""e""",', ',')).toEqual(['a', 'b,c', 'd "e"', '']);
    expect(splitCsvLine('"open', ',')).toBeUndefined();
    expect(splitCsvLine('"a"b,c', ',')).toBeUndefined();
  });

  it("accepts Python's NaN and Infinity in JSON lines, outside strings only", () => {
    expect(parseJsonLine('[NaN, Infinity, -Infinity, 1]')).toEqual([NaN, Infinity, -Infinity, 1]);
    expect(parseJsonLine('{"note": "NaN stays", "losses": [NaN]}')).toEqual({ note: 'NaN stays', losses: [NaN] });
  });
});

describe('CSV/TSV files', () => {
  it('a pandas to_csv file: index column, step column, header of names, CRLF, BOM', async () => {
    const f = file('csv', '\uFEFF,step,"probe a",b\r\n0,100,1.5,2\r\n1,200,2.5,3\r\n\r\n2,300,3.5,4\r\n');
    const r = await readLossFile(f);
    expect(r.format).toBe('csv');
    expect(r.losses.shape).toEqual([3, 2]);
    expect(Array.from(r.losses.data)).toEqual([1.5, 2, 2.5, 3, 3.5, 4]);
    expect(r.probeNames).toEqual(['probe a', 'b']);
    expect(Array.from(r.meta.steps!)).toEqual([100, 200, 300]);
    expect(r.metaSources.steps).toBe(f);
  });

  it('no header; NaN, empty and inf cells are non-finite values', async () => {
    const r = await readLossFile(file('csv', '1,nan,3\n4,,inf\n'));
    expect(r.probeNames).toBeUndefined();
    expect(Array.from(r.losses.data)).toEqual([1, NaN, 3, 4, NaN, Infinity]);
  });

  it("pandas' default column labels 0..n-1 are a header, not a row", async () => {
    const r = await readLossFile(file('csv', '0,1,2\n5,6,7\n'));
    expect(r.losses.shape).toEqual([1, 3]);
    expect(r.probeNames).toEqual(['0', '1', '2']);
  });

  it('TSV by extension', async () => {
    const r = await readLossFile(file('tsv', 'step\tx\ty\n1\t0.5\t0.25\n2\t0.75\t1\n'));
    expect(r.format).toBe('tsv');
    expect(Array.from(r.losses.data)).toEqual([0.5, 0.25, 0.75, 1]);
    expect(Array.from(r.meta.steps!)).toEqual([1, 2]);
  });

  it('ragged rows', async () => {
    const f = file('csv', 'a,b,c\n1,2,3\n4,5\n');
    expect(await fileError(f)).toBe(`${f}: line 3: 2 fields, expected 3 like the header on line 1`);
    const g = file('csv', '\n1,2,3\n4,5,6,7\n');
    expect(await fileError(g)).toBe(`${g}: line 3: 4 fields, expected 3 like line 2`);
  });

  it('non-numeric cells, named by line, field and probe', async () => {
    const f = file('csv', 'step,a,b\n1,0.5,0.5\n2,0.5,oops\n');
    expect(await fileError(f)).toBe(`${f}: line 3, field 3 (probe 'b'): "oops" is not a number, expected a loss (decimal, or NaN/inf)`);
    const g = file('csv', '1,2\n3,x\n');
    expect(await fileError(g)).toBe(`${g}: line 2, field 2: "x" is not a number, expected a loss (decimal, or NaN/inf)`);
  });

  it('bad step values', async () => {
    const f = file('csv', 'step,a\n1,0.5\nlater,0.5\n');
    expect(await fileError(f)).toBe(`${f}: line 3, field 1 (step): "later" is not a step number, expected a finite number`);
    const g = file('csv', 'step,a\n2,0.5\n1,0.5\n');
    expect(await fileError(g)).toBe(`${g}: step[1]: 1 does not come after 2, expected strictly increasing step numbers`);
  });

  it('quotes, empty files, headers without probes', async () => {
    const f = file('csv', 'a,b\n"1,2\n');
    expect(await fileError(f)).toBe(`${f}: line 2: unterminated or misplaced quote, expected "..." around a whole field`);
    const e = file('csv', '\n\n');
    expect(await fileError(e)).toBe(`${e}: line 1: empty file, expected a header or a line of losses`);
    const h = file('csv', 'step\n1\n');
    expect(await fileError(h)).toBe(`${h}: line 1: the header names no probe columns, expected at least one`);
  });
});

describe('JSONL files', () => {
  it('bare arrays, null and NaN as non-finite', async () => {
    const r = await readLossFile(file('jsonl', '[1, 2]\n\n[NaN, null]\n'));
    expect(r.format).toBe('jsonl');
    expect(r.losses.shape).toEqual([2, 2]);
    expect(Array.from(r.losses.data)).toEqual([1, 2, NaN, NaN]);
    expect(r.meta.steps).toBeUndefined();
  });

  it('objects with steps (other keys ignored); .ndjson too', async () => {
    const r = await readLossFile(file('ndjson', '{"step": 10, "losses": [1, 2], "acc": 0.1}\n{"step": 20, "losses": [3, 4]}\n'));
    expect(Array.from(r.losses.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(r.meta.steps!)).toEqual([10, 20]);
  });

  it('every malformed line', async () => {
    const cases: [string, string][] = [
      ['[1, 2]\n[1, 2, 3]\n', 'line 2: 3 losses, expected 2 like line 1'],
      ['[1, 2]\n{"losses": [1, 2]}\n', 'line 2: an object, expected an array of losses like line 1'],
      ['{"losses": [1]}\n[1]\n', 'line 2: an array, expected an object { "losses": [...] } like line 1'],
      ['{"losses": [1]}\n{"loss": [1]}\n', 'line 2: "losses" is missing, expected an array of numbers'],
      ['{"step": 1, "losses": [1]}\n{"losses": [1]}\n', 'line 2: no "step", expected one like line 1'],
      ['{"losses": [1]}\n{"step": 2, "losses": [1]}\n', 'line 2: has a "step" but line 1 has none, expected every line or none to carry one'],
      ['{"step": 1, "losses": [1]}\n{"step": "2", "losses": [1]}\n', 'line 2, step: "2" is not a step number, expected a finite number'],
      ['[1, "2"]\n', 'line 1, [1]: "2" is not a number, expected a loss'],
      ['{"losses": [1, true]}\n', 'line 1, losses[1]: true is not a number, expected a loss'],
      ['[1, 2\n', `line 1: not valid JSON (${jsonError('[1, 2')}), expected an array of losses or an object { "step": ..., "losses": [...] }`],
      ['42\n', 'line 1: a number (42), expected an array of losses or an object { "step": ..., "losses": [...] }'],
      ['[]\n', 'line 1: no losses, expected at least one probe'],
      ['\n', 'line 1: empty file, expected one JSON array of losses per line'],
    ];
    for (const [text, message] of cases) {
      const f = file('jsonl', text);
      expect(await fileError(f)).toBe(`${f}: ${message}`);
    }
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('file types', () => {
  it('an unsupported extension', async () => {
    const f = file('txt', '1,2\n');
    expect(await fileError(f)).toBe(`${f}: unsupported file type '.txt', expected one of ${LOSS_FILE_EXTENSIONS.join(', ')}`);
  });

  it('a missing text file', async () => {
    const f = join(dir, 'missing.csv');
    expect(await fileError(f)).toBe(`${f}: cannot read: no such file (ENOENT)`);
  });
});
