// Run metadata stored as arrays inside a container other than .npz (HDF5 datasets next to the
// losses): `steps` (1-D numbers), `groups` (1-D labels), `transition` (one number).
import { fileError } from './file_error.js';
import { checkGroups, checkSteps, checkTransition, type SourcedMeta } from './meta.js';

/** One metadata array as read: where it is (for messages), its shape and its values. */
export interface MetaArray {
  label: string;
  shape: readonly number[];
  values: readonly unknown[];
}

function plain(values: readonly unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** Checks and collects `steps`, `groups` and `transition` from named arrays (absent ones are skipped). */
export function metaFromArrays(arrays: ReadonlyMap<string, MetaArray>): SourcedMeta {
  const out: SourcedMeta = { meta: {}, sources: {} };
  const steps = arrays.get('steps');
  if (steps) {
    if (steps.shape.length !== 1) fileError(steps.label, 'header', `shape (${steps.shape.join(', ')}), expected a 1-D array of step numbers`);
    out.meta.steps = checkSteps(plain(steps.values), steps.label, 'steps');
    out.sources.steps = steps.label;
  }
  const groups = arrays.get('groups');
  if (groups) {
    if (groups.shape.length !== 1) fileError(groups.label, 'header', `shape (${groups.shape.join(', ')}), expected a 1-D array of labels`);
    out.meta.groups = checkGroups(plain(groups.values), groups.label, 'groups');
    out.sources.groups = groups.label;
  }
  const transition = arrays.get('transition');
  if (transition) {
    if (transition.values.length !== 1) fileError(transition.label, 'header', `${transition.values.length} elements, expected one number`);
    out.meta.transition = checkTransition(plain(transition.values)[0], transition.label, 'transition');
    out.sources.transition = transition.label;
  }
  return out;
}
