// Run metadata next to a loss file: checkpoint step numbers, a group label per probe and the step
// of a known transition; from a sidecar meta.json or from named arrays inside an .npz.
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { showValue } from '../show_value.js';
import { splitHdf5Path } from './hdf5_path.js';
import { fileError } from './file_error.js';
import { readInputText } from './input_file.js';
import { parseJsonDocument, readJsonFile } from './json_file.js';
import { readNpy, type NpyArray } from './npy.js';
import { npzEntryLabel, type NpzArrays } from './npz.js';

/** Metadata of one run. Every field is optional. */
export interface LossMeta {
  /** Training step of each checkpoint (length T, strictly increasing). */
  steps?: Float64Array;
  /** A group label per probe (length n), e.g. "train" / "test". */
  groups?: string[];
  /** The step at which the transition happens (in `steps` units; the checkpoint index when there are no steps). */
  transition?: number;
}

/** Metadata with the file each field came from. */
export interface SourcedMeta {
  meta: LossMeta;
  /** The file (or `file (array 'name')`) each present field came from. */
  sources: { steps?: string; groups?: string; transition?: string };
}

/** Names of .npz arrays that hold metadata rather than losses. */
export const META_ARRAY_NAMES: readonly string[] = ['steps', 'groups', 'transition'];

/** Whether a sidecar is there: anything but a directory (a FIFO or device is then refused when read, not ignored). */
async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The sidecar of a loss file: `<name>.meta.json` next to it (e.g. `losses.meta.json` for
 * `losses.npy`), else `meta.json` in the same directory; undefined when neither exists.
 */
export async function findSidecar(lossPath: string): Promise<string | undefined> {
  const file = splitHdf5Path(lossPath).file; // `runs.h5` of `runs.h5:/seed1/losses`
  const dir = dirname(file);
  const own = join(dir, `${basename(file, extname(file))}.meta.json`);
  if (await isFile(own)) return own;
  const shared = join(dir, 'meta.json');
  if (await isFile(shared)) return shared;
  return undefined;
}

export function checkSteps(values: ArrayLike<unknown>, where: string, key: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fileError(where, `${key}[${i}]`, `${showValue(v)} is not a step number, expected a finite number`);
    if (i > 0 && v <= out[i - 1]!) fileError(where, `${key}[${i}]`, `${v} does not come after ${out[i - 1]}, expected strictly increasing step numbers`);
    out[i] = v;
  }
  return out;
}

export function checkGroups(values: ArrayLike<unknown>, where: string, key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v));
    else fileError(where, `${key}[${i}]`, `${showValue(v)} is not a group label, expected a string or a number`);
  }
  return out;
}

export function checkTransition(v: unknown, where: string, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fileError(where, key, `${showValue(v)} is not a step, expected a finite number`);
  return v;
}

/** Reads and checks a meta.json: `{ "steps": [...], "groups": [...], "transition": 1234 }`; other keys are ignored. */
export async function readMetaJson(path: string): Promise<SourcedMeta> {
  const doc = await readJsonFile(path, 'an object { "steps": [...], "groups": [...], "transition": ... }');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    fileError(path, '', 'expected a JSON object { "steps": [...], "groups": [...], "transition": ... }');
  }
  const o = doc as Record<string, unknown>;
  const out: SourcedMeta = { meta: {}, sources: {} };
  if (o.steps !== undefined && o.steps !== null) {
    if (!Array.isArray(o.steps)) fileError(path, 'steps', `${showValue(o.steps)} is not an array, expected one step number per checkpoint`);
    out.meta.steps = checkSteps(o.steps, path, 'steps');
    out.sources.steps = path;
  }
  if (o.groups !== undefined && o.groups !== null) {
    if (!Array.isArray(o.groups)) fileError(path, 'groups', `${showValue(o.groups)} is not an array, expected one label per probe`);
    out.meta.groups = checkGroups(o.groups, path, 'groups');
    out.sources.groups = path;
  }
  if (o.transition !== undefined && o.transition !== null) {
    out.meta.transition = checkTransition(o.transition, path, 'transition');
    out.sources.transition = path;
  }
  return out;
}

function numbersOf(a: NpyArray): unknown[] {
  if (Array.isArray(a.values)) return a.values;
  return Array.from(a.values as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** Metadata from the `steps`, `groups` and `transition` arrays of an .npz, when present. */
export function metaFromNpz(arrays: NpzArrays, file: string): SourcedMeta {
  const out: SourcedMeta = { meta: {}, sources: {} };
  const steps = arrays.get('steps');
  if (steps) {
    const where = npzEntryLabel(file, 'steps');
    if (steps.header.shape.length !== 1 || Array.isArray(steps.values)) {
      fileError(where, 'header', `${steps.header.dtype.name} array of shape (${steps.header.shape.join(', ')}), expected a 1-D numeric array of step numbers`);
    }
    out.meta.steps = checkSteps(numbersOf(steps), where, 'steps');
    out.sources.steps = where;
  }
  const groups = arrays.get('groups');
  if (groups) {
    const where = npzEntryLabel(file, 'groups');
    if (groups.header.shape.length !== 1) fileError(where, 'header', `shape (${groups.header.shape.join(', ')}), expected a 1-D array of labels`);
    out.meta.groups = checkGroups(numbersOf(groups), where, 'groups');
    out.sources.groups = where;
  }
  const transition = arrays.get('transition');
  if (transition) {
    const where = npzEntryLabel(file, 'transition');
    if (transition.header.count !== 1 || Array.isArray(transition.values)) {
      fileError(where, 'header', `${transition.header.dtype.name} array of ${transition.header.count} elements, expected one number`);
    }
    out.meta.transition = checkTransition(numbersOf(transition)[0], where, 'transition');
    out.sources.transition = where;
  }
  return out;
}

/** Steps carried by the loss file itself (a CSV `step` column, JSONL `step` fields). */
export function metaFromFileSteps(steps: Float64Array | undefined, file: string): SourcedMeta {
  if (!steps) return { meta: {}, sources: {} };
  return { meta: { steps: checkSteps(steps, file, 'step') }, sources: { steps: file } };
}

function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Combines metadata from several places (the file itself, the .npz arrays, the sidecar) and checks
 * it against the loss matrix: `steps` must have T entries (checkpoints), `groups` n (probes).
 * The same field from two places must agree.
 */
export function combineMeta(parts: SourcedMeta[], checkpoints: number, probes: number): SourcedMeta {
  const out: SourcedMeta = { meta: {}, sources: {} };
  for (const part of parts) {
    for (const key of ['steps', 'groups', 'transition'] as const) {
      const value = part.meta[key];
      if (value === undefined) continue;
      const have = out.meta[key];
      if (have !== undefined) {
        const same = typeof value === 'number' ? value === have : sameValues(value, have as ArrayLike<unknown>);
        if (!same) fileError(part.sources[key]!, key, `disagrees with the ${key} in ${out.sources[key]}, expected the same values in both`);
        continue;
      }
      (out.meta as Record<string, unknown>)[key] = value;
      out.sources[key] = part.sources[key];
    }
  }
  if (out.meta.steps && out.meta.steps.length !== checkpoints) {
    fileError(out.sources.steps!, 'steps', `${out.meta.steps.length} step numbers, expected ${checkpoints} (one per checkpoint)`);
  }
  if (out.meta.groups) checkGroupCount(out.meta.groups, probes, out.sources.groups!, 'groups');
  return out;
}

/**
 * Checks that there is one group label per probe: ERR_RDM2_FILE naming where the labels came
 * from (`file`, and `key` within it) and, when given, whose probes they are for (`of`).
 */
export function checkGroupCount(labels: readonly string[], probes: number, file: string, key = '', of?: string): void {
  if (labels.length !== probes) fileError(file, key, `${labels.length} labels, expected ${probes} (one per probe${of === undefined ? '' : ` of ${of}`})`);
}

/**
 * Reads a groups file for `--groups`: a JSON array of labels (or a meta.json-style object with
 * "groups"), a .npy 1-D array, or a text file with one label per line.
 */
export async function readGroupsFile(path: string): Promise<string[]> {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') {
    const a = await readNpy(path);
    if (a.header.shape.length !== 1) fileError(path, 'header', `shape (${a.header.shape.join(', ')}), expected a 1-D array of labels`);
    return checkGroups(numbersOf(a), path, 'groups');
  }
  const text = await readInputText(path, 'a groups file');
  if (ext === '.json') {
    const doc = parseJsonDocument(text, path, 'an array of group labels');
    const arr = Array.isArray(doc) ? doc : (doc as { groups?: unknown } | null)?.groups;
    if (!Array.isArray(arr)) fileError(path, '', 'expected a JSON array of group labels or an object with "groups"');
    return checkGroups(arr, path, 'groups');
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.trim());
}
