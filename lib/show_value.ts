// Naming a value from an untrusted file or caller in a message: short, finite, never recursive.
// JSON.stringify would print NaN as null, recurse through deep nesting (a stack overflow on
// 100,000 nested arrays) and copy a megabyte string into the message.

const MAX_STRING = 60;

/**
 * A short description of `v` for an error message: numbers as JavaScript writes them (NaN,
 * Infinity), strings quoted and cut to 60 characters, arrays and objects by kind and size.
 *
 * @example
 * ```ts
 * showValue(NaN);         // 'NaN'
 * showValue('x'.repeat(100)); // '"xxx...x"... (100 characters)'
 * showValue([[1], [2]]);  // '[[1],[2]]'
 * showValue(new Array(100).fill(0)); // 'an array of 100 items'
 * ```
 */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') {
    if (v.length <= MAX_STRING) return JSON.stringify(v);
    return `${JSON.stringify(v.slice(0, MAX_STRING))}... (${v.length} characters)`;
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const small = compact(v, 3);
  if (small !== undefined && small.length <= MAX_STRING) return small;
  if (Array.isArray(v)) return v.length === 1 ? 'an array of 1 item' : `an array of ${v.length} items`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** JSON-like text of a small, shallow value (at most `depth` levels, a few items); undefined otherwise. */
function compact(v: unknown, depth: number): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.length <= MAX_STRING ? JSON.stringify(v) : undefined;
  if (v === null || typeof v === 'boolean') return String(v);
  if (depth === 0 || typeof v !== 'object') return undefined;
  const parts: string[] = [];
  if (Array.isArray(v)) {
    if (v.length > 8) return undefined;
    for (const item of v) {
      const t = compact(item, depth - 1);
      if (t === undefined) return undefined;
      parts.push(t);
    }
    return `[${parts.join(',')}]`;
  }
  const keys = Object.keys(v as object);
  if (keys.length > 8) return undefined;
  for (const k of keys) {
    const t = compact((v as Record<string, unknown>)[k], depth - 1);
    if (t === undefined) return undefined;
    parts.push(`${JSON.stringify(k)}:${t}`);
  }
  return `{${parts.join(',')}}`;
}
