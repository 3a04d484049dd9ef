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
import type { NamedStep } from '../stats/lead_time.js';

/** Metadata of one run. Every field is optional. */
export interface LossMeta {
  /** Training step of each checkpoint (length T, strictly increasing). */
  steps?: Float64Array;
  /** A group label per probe (length n), e.g. "train" / "test". */
  groups?: string[];
  /** The step at which the transition happens (in `steps` units; the checkpoint index when there are no steps); with several, the first. */
  transition?: number;
  /**
   * Every transition of the run, in step order, when the metadata gives a list or named steps
   * (such as `{"mode 1": 650, "mode 2": 1400}`); absent for a single step.
   */
  transitions?: NamedStep[];
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

/** Most transitions one metadata file may name (a run has a handful; this bounds hostile files). */
export const MAX_TRANSITIONS = 1000;

const TRANSITION_FORMS = 'a step, a list of steps, or named steps {"name": step, ...}';

/**
 * The transitions of a meta.json `transition` value: a step (one transition), a list of steps
 * (labelled `transition 1`, `transition 2`, ...) or an object of named steps; sorted by step.
 */
export function parseTransitions(v: unknown, where: string, key: string): NamedStep[] {
  let list: NamedStep[];
  if (typeof v === 'number') list = [{ label: 'transition', step: checkTransition(v, where, key) }];
  else if (Array.isArray(v)) {
    if (v.length === 0 || v.length > MAX_TRANSITIONS) fileError(where, key, `a list of ${v.length} steps, expected 1 to ${MAX_TRANSITIONS}`);
    list = v.map((x, i) => ({ label: `transition ${i + 1}`, step: checkTransition(x, where, `${key}[${i}]`) }));
  } else if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (entries.length === 0 || entries.length > MAX_TRANSITIONS) fileError(where, key, `${entries.length} named steps, expected 1 to ${MAX_TRANSITIONS}`);
    list = entries.map(([label, x]) => ({ label, step: checkTransition(x, where, `${key}.${label}`) }));
  } else {
    fileError(where, key, `${JSON.stringify(v)} is not ${TRANSITION_FORMS}`);
  }
  return list.sort((a, b) => a.step - b.step);
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
    const list = parseTransitions(o.transition, path, 'transition');
    out.meta.transition = list[0]!.step;
    if (typeof o.transition !== 'number') out.meta.transitions = list;
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
    if (transition.header.count < 1 || transition.header.count > MAX_TRANSITIONS || transition.header.shape.length > 1 || Array.isArray(transition.values)) {
      fileError(where, 'header', `${transition.header.dtype.name} array of shape (${transition.header.shape.join(', ')}), expected one number or a 1-D array of 1 to ${MAX_TRANSITIONS} steps`);
    }
    const values = numbersOf(transition);
    const list = parseTransitions(transition.header.shape.length === 0 ? values[0] : values, where, 'transition');
    out.meta.transition = list[0]!.step;
    if (transition.header.shape.length > 0) out.meta.transitions = list;
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
    for (const key of ['steps', 'groups', 'transition', 'transitions'] as const) {
      const value = part.meta[key];
      if (value === undefined) continue;
      const have = out.meta[key];
      if (have !== undefined) {
        const same =
          key === 'transitions'
            ? JSON.stringify(value) === JSON.stringify(have)
            : typeof value === 'number'
              ? value === have
              : sameValues(value as ArrayLike<unknown>, have as ArrayLike<unknown>);
        const source = key === 'transitions' ? 'transition' : key; // one source for both forms of the transition
        if (!same) fileError(part.sources[source]!, source, `disagrees with the ${source} in ${out.sources[source]}, expected the same values in both`);
        continue;
      }
      (out.meta as Record<string, unknown>)[key] = value;
      if (key !== 'transitions') out.sources[key] = part.sources[key];
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
