// The recordings of the three real settings shipped in data/real (docs/real-networks.md): what each
// setting is, which probe group is expected to carry its transition, and reading one run.
import { join } from 'node:path';
import { Rdm2Error } from '../errors.js';
import { readLossFile } from '../io/read_loss_file.js';
import { packageRoot } from '../native.js';

/** The three real settings recorded with PyTorch (examples/pytorch, `npm run record:real`). */
export type RealSettingName = 'grokking' | 'induction_heads' | 'misalignment_analogue';

/** What the demo says about a real setting. */
export interface RealSettingInfo {
  name: RealSettingName;
  /** Heading of its verdict table. */
  title: string;
  /** The model and task in a few words. */
  task: string;
  /** The probe groups and their sizes. */
  probes: string;
  /** The transition rule of its script, in words. */
  rule: string;
  /** The probe group expected to take part in the transition (block energy of the top eigenvector at the SHC peak). */
  expectedGroup: string;
}

/** The three settings, in the order the demo shows them. */
export const REAL_SETTINGS: readonly RealSettingInfo[] = Object.freeze([
  {
    name: 'grokking',
    title: 'Grokking',
    task: 'an MLP learns a + b mod 31 (AdamW, weight decay 1)',
    probes: 'train 64, test 64',
    rule: 'held-out accuracy reaches 0.5',
    expectedGroup: 'test',
  },
  {
    name: 'induction_heads',
    title: 'Induction heads',
    task: 'a 2-layer attention-only transformer, sequences that repeat a segment',
    probes: 'repeated 64, random 64',
    rule: 'in-context score reaches half its final value',
    expectedGroup: 'repeated',
  },
  {
    name: 'misalignment_analogue',
    title: 'Emergent-misalignment ANALOGUE',
    task: 'a multi-task MLP (no language model) fine-tuned on one task with bad labels',
    probes: 'finetuned 32, untouched 96',
    rule: 'misalignment rate on the untouched tasks reaches 0.05',
    expectedGroup: 'untouched',
  },
]);

/** One shipped run, row-major float32 losses with its metadata. */
export interface RealRun {
  setting: RealSettingName;
  seed: number;
  /** T x n losses, row-major. */
  losses: { data: Float32Array | Float64Array; shape: [number, number] };
  /** Training step of every checkpoint. */
  steps: Float64Array;
  /** Group label per probe. */
  groups: string[];
  /** The transition step (the setting's rule). */
  transition: number;
}

/** Where the shipped recordings are: `data/real` of the package. */
export const REAL_DATA_DIR = join(packageRoot, 'data', 'real');

/**
 * Reads one shipped run, `data/real/<setting>/seed<k>.npz` (or under `dir`).
 *
 * @throws Rdm2Error ERR_RDM2_FILE when the file is missing or unreadable; ERR_RDM2_SHAPE when it lacks steps, groups or a transition.
 */
export async function readRealRun(setting: RealSettingName, seed: number, dir: string = REAL_DATA_DIR): Promise<RealRun> {
  const f = await readLossFile(join(dir, setting, `seed${seed}.npz`), { sidecar: false });
  const { steps, groups, transition } = f.meta;
  if (f.losses.shape.length !== 2 || f.losses.order !== 'C' || steps === undefined || groups === undefined || transition === undefined) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${f.path}: a shipped run holds row-major [T, n] losses with steps, groups and a transition`);
  }
  return { setting, seed, losses: { data: f.losses.data, shape: [f.losses.shape[0], f.losses.shape[1]] }, steps, groups, transition };
}

/** Every `cadence`-th checkpoint of a run (checkpoints 0, c, 2c, ...): a sparser recording of the same run. */
export function subsampleRun(run: RealRun, cadence: number): RealRun {
  if (cadence === 1) return run;
  const [T, n] = run.losses.shape;
  const rows = Math.ceil(T / cadence);
  const data = new (run.losses.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * n);
  const steps = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    data.set(run.losses.data.subarray(r * cadence * n, (r * cadence + 1) * n), r * n);
    steps[r] = run.steps[r * cadence]!;
  }
  return { ...run, losses: { data, shape: [rows, n] }, steps };
}
