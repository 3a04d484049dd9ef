// Declarative option schemas and the one validator that reads them (the model: scikit-learn's
// `_parameter_constraints`). Each public entry point declares its options once (name, type,
// range, default, doc); validation, the command line's flags and `--help` text
// (lib/cli/schema_flags.ts) and the documented defaults all come from that declaration.
// Every failure is an Rdm2Error ERR_RDM2_OPTION. Only the options object's OWN properties are
// read, so a polluted Object.prototype cannot change an analysis.
import { showValue } from './show_value.js';
import { throwRdm2Error } from './errors.js';

interface BaseSpec<T> {
  /** What the option does, as a short lower-case phrase (the `--help` text starts with it). */
  readonly doc: string;
  /** The value used when the option is absent: a constant, or computed at resolution time. */
  readonly default?: T | (() => T);
  /** How the default reads in docs and `--help` when it is computed (e.g. "all cores"). */
  readonly defaultDoc?: string;
  /** The option must be given. */
  readonly required?: boolean;
  /** Said after the range in `--help` and docs (not in messages), e.g. "at most min(W-1, n)". */
  readonly note?: string;
  /** How the command line spells it; absent: no flag is generated unless a command asks. */
  readonly cli?: CliSpec;
}

/** The command-line form of an option (see lib/cli/schema_flags.ts). */
export interface CliSpec {
  /** The flag, default `--` + the name in kebab case. */
  readonly flag?: string;
  /** The value's placeholder in `--help`, e.g. 'W' for `--window <W>`. */
  readonly value?: string;
  /** `--help` text when it must differ from `doc` (e.g. another unit). */
  readonly doc?: string;
  /** The flag's value is in units of this many of the option's (e.g. 2 ** 20: MiB for bytes). */
  readonly unit?: number;
  /** Parses the flag's text (for a custom option, e.g. a number or 'auto'); throws an Error saying what was expected. */
  readonly parse?: (value: string) => unknown;
}

export interface IntegerSpec extends BaseSpec<number> {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

/** A finite number. */
export interface NumberSpec extends BaseSpec<number> {
  readonly type: 'number';
  readonly min?: number;
  readonly max?: number;
  /** `min` itself is excluded (> min rather than >= min). */
  readonly exclusiveMin?: boolean;
  /** `max` itself is excluded (< max rather than <= max). */
  readonly exclusiveMax?: boolean;
}

/** A PRNG seed: any safe integer. */
export interface SeedSpec extends BaseSpec<number> {
  readonly type: 'seed';
}

export interface BooleanSpec extends BaseSpec<boolean> {
  readonly type: 'boolean';
}

export interface EnumSpec<V extends string = string> extends BaseSpec<V> {
  readonly type: 'enum';
  readonly values: readonly V[];
}

export interface StringSpec extends BaseSpec<string> {
  readonly type: 'string';
  /** The empty string is refused. */
  readonly nonEmpty?: boolean;
  /** What the string is, for messages (default 'string'; e.g. 'path'). */
  readonly noun?: string;
}

export interface FunctionSpec extends BaseSpec<(...args: never[]) => unknown> {
  readonly type: 'function';
}

/** Anything else (nested objects, arrays): `check` validates and returns the value. */
export interface CustomSpec<T = unknown> extends BaseSpec<T> {
  readonly type: 'custom';
  readonly check: (value: unknown, name: string) => T;
  /** What the value is, for docs (e.g. "warning options or false"). */
  readonly typeDoc: string;
}

export type OptionSpec = IntegerSpec | NumberSpec | SeedSpec | BooleanSpec | EnumSpec | StringSpec | FunctionSpec | CustomSpec<unknown>;

/** The options of one entry point. */
export interface OptionSchema<F extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /**
   * Who takes the options, for messages ("unknown simulateDeepLinear option 'x'"); empty for the
   * main analysis functions ("unknown option 'x'").
   */
  readonly owner: string;
  readonly fields: F;
  /** The message when the options are not an object. */
  readonly notObject?: string;
}

/** The value type a spec declares. */
export type SpecValue<S> = S extends { type: 'integer' | 'number' | 'seed' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { type: 'string' }
        ? string
        : S extends { type: 'function' }
          ? (...args: never[]) => unknown
          : S extends { check: (...args: never[]) => infer R }
            ? R
            : unknown;

/** The resolved values: defaulted and required options are always present. */
export type ResolvedValues<F extends Record<string, OptionSpec>> = {
  -readonly [K in keyof F]: F[K] extends { default: unknown } | { required: true } ? SpecValue<F[K]> : SpecValue<F[K]> | undefined;
};

/** `true` when a schema's fields are exactly the keys of its public options type (a compile-time check). */
export type SameKeys<F, T> = [Exclude<keyof F, keyof T>, Exclude<keyof T, keyof F>] extends [never, never] ? true : false;

/** Compiles only for `true`: `type _ = Assert<SameKeys<typeof SCHEMA.fields, Options>>`. */
export type Assert<T extends true> = T;

/** Declares a schema (an identity function that keeps the literal types for inference). */
export function defineOptions<const F extends Record<string, OptionSpec>>(owner: string, fields: F, notObject?: string): OptionSchema<F> {
  return notObject === undefined ? { owner, fields } : { owner, fields, notObject };
}

/** A command-line list `a,b,c` (commas, optional spaces), each item checked by `item`: a {@link CliSpec} `parse`. */
export function listArg<T>(item: (text: string) => T): (value: string) => T[] {
  return (value) => {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) throw new Error('expected a comma-separated list with no empty item');
    return parts.map(item);
  };
}

/** A list item that must be one of `choices` (for {@link listArg}). */
export const choiceItem =
  <T extends string>(choices: readonly T[]) =>
  (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) throw new Error(`expected ${choices.join(' or ')}, got '${text}'`);
    return text as T;
  };

/** Throws the option error every validator uses. */
export function optionError(message: string): never {
  throwRdm2Error('ERR_RDM2_OPTION', message);
}

/** `obj[key]` when `key` is the object's own property, else undefined (never the prototype's). */
export function ownValue(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The allowed range of a numeric spec in words: ">= 2", "in [1, 1024]", "> 0", or ''. */
export function rangeText(spec: OptionSpec): string {
  if (spec.type === 'integer') {
    const { min, max } = spec;
    if (min !== undefined && max !== undefined) return `in [${min}, ${max}]`;
    if (min !== undefined) return `>= ${min}`;
    if (max !== undefined) return `<= ${max}`;
    return '';
  }
  if (spec.type === 'number') {
    const parts: string[] = [];
    if (spec.min !== undefined) parts.push(`${spec.exclusiveMin ? '>' : '>='} ${spec.min}`);
    if (spec.max !== undefined) parts.push(`${spec.exclusiveMax ? '<' : '<='} ${spec.max}`);
    return parts.join(' and ');
  }
  return '';
}

/** The type and range of a spec as its error message words it: "an integer in [1, 10]". */
export function expectation(spec: OptionSpec): string {
  const range = rangeText(spec);
  switch (spec.type) {
    case 'integer':
      return `an integer${range ? ` ${range}` : ''}`;
    case 'number':
      return `a finite number${range ? ` ${range}` : ''}`;
    case 'seed':
      return `a safe integer`;
    case 'boolean':
      return `a boolean`;
    case 'enum':
      return `one of ${spec.values.map((v) => `'${v}'`).join(', ')}`;
    case 'string':
      return `a${spec.nonEmpty ? ' non-empty' : ''} ${spec.noun ?? 'string'}`;
    case 'function':
      return `a function`;
    case 'custom':
      return `${spec.typeDoc}`;
  }
}

function valid(spec: OptionSpec, v: unknown): boolean {
  switch (spec.type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (spec.min === undefined || (spec.exclusiveMin ? v > spec.min : v >= spec.min)) &&
        (spec.max === undefined || (spec.exclusiveMax ? v < spec.max : v <= spec.max))
      );
    case 'seed':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v);
    case 'string':
      return typeof v === 'string' && (!spec.nonEmpty || v.length > 0);
    case 'function':
      return typeof v === 'function';
    case 'custom':
      return true;
  }
}

/**
 * Checks one value against its spec and returns it (ERR_RDM2_OPTION: "`name` must be
 * `expectation`, got `value`").
 */
export function checkValue<S extends OptionSpec>(spec: S, name: string, v: unknown): SpecValue<S> {
  if (spec.type === 'custom') return spec.check(v, name) as SpecValue<S>;
  if (!valid(spec, v)) optionError(`${name} must be ${expectation(spec)}, got ${describeValue(v)}`);
  return v as SpecValue<S>;
}

/** A value as messages show it (see showValue: short, never recursive, NaN as NaN). */
export const describeValue = showValue;

/** Checks that `options` is a plain options object with only known keys (own keys only). */
export function checkOptionsObject(schema: OptionSchema, options: unknown): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    optionError(schema.notObject ?? `${schema.owner ? `${schema.owner} ` : ''}options must be an object`);
  }
  const known = Object.keys(schema.fields);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) optionError(`unknown ${schema.owner ? `${schema.owner} ` : ''}option '${key}' (known: ${known.join(', ')})`);
  }
}

/** The default of a spec, computed if need be (undefined when it has none). */
export function defaultOf<S extends OptionSpec>(spec: S): SpecValue<S> | undefined {
  const d = spec.default;
  return (typeof d === 'function' && spec.type !== 'function' ? (d as () => unknown)() : d) as SpecValue<S> | undefined;
}

/**
 * Validates an options object against its schema: an object, own keys all known, each given
 * value of its type and range, required ones present; absent ones get their default.
 *
 * @example
 * ```ts
 * const schema = defineOptions('demo', { seeds: { type: 'integer', min: 1, max: 1000, default: 30, doc: 'seeds per scenario' } });
 * resolveOptions(schema, {}); // { seeds: 30 }
 * resolveOptions(schema, { seeds: 0 }); // throws ERR_RDM2_OPTION "seeds must be an integer in [1, 1000], got 0"
 * ```
 */
export function resolveOptions<F extends Record<string, OptionSpec>>(schema: OptionSchema<F>, options: unknown): ResolvedValues<F> {
  checkOptionsObject(schema, options);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema.fields)) {
    const given = ownValue(options, name);
    if (given === undefined) {
      if (spec.required) optionError(`${name} is required (${expectation(spec)})`);
      out[name] = defaultOf(spec);
    } else {
      out[name] = checkValue(spec, name, given);
    }
  }
  return out as ResolvedValues<F>;
}

/** The own, defined properties of an options object (inherited ones and `undefined` values dropped), for passing on. */
export function ownOptions(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
