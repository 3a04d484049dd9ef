// Command-line flags made from option schemas (lib/option_schema.ts): the flag, its value
// parser, its `--help` text and its default all come from the library's declaration, so the
// CLI restates no range and owns no default.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultOf, rangeText, type OptionSchema, type OptionSpec } from '../option_schema.js';

/** A commander argument parser for integers in [min, max]. */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const v = /^[+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`);
    }
    return v;
  };
}

/** A commander argument parser for finite numbers (optionally > 0). */
export function numberArg(value: string): number {
  const v = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(v)) throw new InvalidArgumentError('expected a finite number');
  return v;
}

/** A commander argument parser for finite numbers > 0. */
export function positiveNumberArg(value: string): number {
  const v = /^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a finite number > 0');
  return v;
}

function numberInRange(spec: OptionSpec & { type: 'number' }): (value: string) => number {
  if (spec.min === 0 && spec.exclusiveMin && spec.max === undefined) return positiveNumberArg;
  const range = rangeText(spec);
  return (value) => {
    const v = numberArg(value);
    const low = spec.min === undefined || (spec.exclusiveMin ? v > spec.min : v >= spec.min);
    if (!low || (spec.max !== undefined && (spec.exclusiveMax ? v >= spec.max : v > spec.max))) throw new InvalidArgumentError(`expected a finite number ${range}`);
    return v;
  };
}

/** `topK` -> `top-k`. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The flag of an option: its `cli.flag`, or `--` and its name in kebab case. */
export function flagOf(name: string, spec: OptionSpec): string {
  return spec.cli?.flag ?? `--${kebabCase(name)}`;
}

/** What may differ for one command from the library's declaration. */
export interface FlagOverride {
  /** Another default (e.g. the report keeps one eigenvector), in the option's own units. */
  default?: unknown;
  /** The default in words, when the command computes it (e.g. "cores / jobs"). */
  defaultDoc?: string;
  hidden?: boolean;
}

/**
 * The commander Option of one schema field: `--flag <value>` (a boolean is a bare switch), a
 * parser that enforces the spec's type and range, the help text (doc, range, note) and the
 * default: a constant default is set on the flag (shown as "(default: x)"); a computed one is
 * described in words.
 */
export function schemaOption(name: string, spec: OptionSpec, override: FlagOverride = {}): Option {
  const cli = spec.cli ?? {};
  const unit = cli.unit ?? 1;
  const flag = flagOf(name, spec);
  // A flag in other units (--chunk-mb for bytes) takes any positive amount up to the maximum in its units.
  const flagSpec: OptionSpec =
    unit === 1 || spec.type !== 'number' ? spec : { ...spec, min: 0, exclusiveMin: true, ...(spec.max !== undefined ? { max: spec.max / unit } : {}) };
  const range = rangeText(flagSpec);
  let description = `${cli.doc ?? spec.doc}${range ? `, ${range}` : ''}${spec.note ? ` (${spec.note})` : ''}`;
  const given = 'default' in override ? override.default : typeof spec.default === 'function' ? undefined : spec.default;
  const words = override.defaultDoc ?? (typeof spec.default === 'function' || spec.default === undefined ? spec.defaultDoc : undefined);
  if (given === undefined && words !== undefined) description += ` (default: ${words})`;
  const option = new Option(spec.type === 'boolean' ? flag : `${flag} <${cli.value ?? 'value'}>`, description);
  if (cli.parse) {
    const parse = cli.parse;
    option.argParser((value: string) => {
      try {
        return parse(value);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    });
  } else if (spec.type === 'integer') option.argParser(integerArg(spec.min ?? 0, spec.max));
  else if (flagSpec.type === 'number') option.argParser(numberInRange(flagSpec));
  else if (spec.type === 'enum') option.choices(spec.values);
  if (given !== undefined && spec.type !== 'boolean') option.default(typeof given === 'number' ? given / unit : given);
  if (override.hidden) option.hideHelp();
  return option;
}

/** Adds a flag for each named field of a schema, in the order given. */
export function addSchemaFlags<F extends Record<string, OptionSpec>>(
  cmd: Command,
  schema: OptionSchema<F>,
  names: readonly (keyof F & string)[],
  overrides: Partial<Record<keyof F & string, FlagOverride>> = {},
): Command {
  for (const name of names) cmd.addOption(schemaOption(name, schema.fields[name]!, overrides[name]));
  return cmd;
}

/**
 * The library options a command line gave (flag values, converted to the option's units), for
 * the named fields; flags left unset stay absent.
 */
export function optionsFromFlags<F extends Record<string, OptionSpec>>(
  values: Record<string, unknown>,
  schema: OptionSchema<F>,
  names: readonly (keyof F & string)[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const spec = schema.fields[name]!;
    const attribute = new Option(flagOf(name, spec)).attributeName();
    const v = values[attribute];
    if (v === undefined) continue;
    const unit = spec.cli?.unit;
    out[name] = unit !== undefined && typeof v === 'number' ? Math.max(1, Math.round(v * unit)) : v;
  }
  return out;
}

/** The commander attribute name of a schema field's flag (e.g. 'chunkMb' for chunkBytes). */
export function attributeOf(name: string, spec: OptionSpec): string {
  return new Option(flagOf(name, spec)).attributeName();
}

/** The default a schema declares, as the flag shows it. @internal */
export function flagDefault(spec: OptionSpec): unknown {
  const d = defaultOf(spec);
  return typeof d === 'number' && spec.cli?.unit ? d / spec.cli.unit : d;
}
