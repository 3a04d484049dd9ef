// JSON text in pieces, for documents larger than one JavaScript string can hold (V8 stops at
// 2^29 - 24 characters: a [2000, 2000] result with 15 eigenvectors per window is several times
// that). The same text JSON.stringify writes, produced without recursion and handed out in
// pieces of about `pieceLength` characters, so a writer streams it to a file or a pipe.

/** Scalars of an array written by one JSON.stringify call. */
const RUN = 1 << 16;

type Frame = { array: ArrayLike<unknown>; i: number } | { entries: [string, unknown][]; i: number };

/** The JSON of a scalar as JSON.stringify writes it, or undefined for what it leaves out. */
function scalar(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v === 0 ? 0 : v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return undefined; // undefined, functions, symbols
  }
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * The JSON text of `value` (plain objects, arrays, typed arrays as arrays, strings, numbers with
 * NaN and infinities as null, booleans, null), in pieces of about `pieceLength` characters. Joined,
 * the pieces equal `JSON.stringify(value)` for any value without typed arrays, `toJSON` or cycles.
 *
 * @example
 * ```ts
 * for (const piece of jsonChunks(doc)) process.stdout.write(piece);
 * ```
 */
export function* jsonChunks(value: unknown, pieceLength = 1 << 20): Generator<string, void, undefined> {
  let out = '';
  const stack: Frame[] = [];
  const open = (v: object): void => {
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      out += '[';
      stack.push({ array: v as ArrayLike<unknown>, i: 0 });
    } else {
      out += '{';
      const entries = Object.entries(v).filter(([, x]) => isContainer(x) || scalar(x) !== undefined);
      stack.push({ entries, i: 0 });
    }
  };
  if (isContainer(value)) open(value);
  else {
    const s = scalar(value);
    if (s !== undefined) yield s;
    return;
  }
  while (stack.length > 0) {
    if (out.length >= pieceLength) {
      yield out;
      out = '';
    }
    const top = stack[stack.length - 1]!;
    if ('array' in top) {
      if (top.i === top.array.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (top.i > 0) out += ',';
      const v = top.array[top.i];
      if (isContainer(v)) {
        top.i++;
        open(v);
        continue;
      }
      // A run of scalars (a column of numbers) is written by the native JSON.stringify, a slice at a time.
      let end = top.i + 1;
      const limit = Math.min(top.array.length, top.i + RUN);
      while (end < limit && !isContainer(top.array[end])) end++;
      const run = Array.prototype.slice.call(top.array, top.i, end) as unknown[];
      out += JSON.stringify(run).slice(1, -1); // in arrays, what JSON leaves out is null
      top.i = end;
    } else {
      if (top.i === top.entries.length) {
        out += '}';
        stack.pop();
        continue;
      }
      if (top.i > 0) out += ',';
      const [k, v] = top.entries[top.i++]!;
      out += `${JSON.stringify(k)}:`;
      if (isContainer(v)) open(v);
      else out += scalar(v)!;
    }
  }
  if (out.length > 0) yield out;
}
