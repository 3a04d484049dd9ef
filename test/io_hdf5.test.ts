// HDF5 in, against a real writer: h5py (Debian's python3-h5py, through /usr/bin/python3 or
// RDM2_PYTHON) writes chunked, gzip-compressed (and shuffled, big-endian, contiguous, nested,
// [T, K, n]) datasets; rdm2's analysis of each equals the .npy analysis exactly. Malformed files
// give ERR_RDM2_FILE naming the file (and the dataset) and the position.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { gram2rdmSync } from '../lib/gaussian.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { toLossMatrix } from '../lib/io/loss_array.js';
import type { AnalyzeOptions } from '../lib/types.js';
import { torchPython } from '../scripts/python.mjs';
import { expectErrorAsync } from './helpers.js';
import { lossMatrix, runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const python = torchPython();
const T = 60;
const n = 12;
const data = lossMatrix(T, n, 31);
const steps = Array.from({ length: T }, (_, t) => 100 + 10 * t);
const OPTS: AnalyzeOptions = { window: 12, stride: 2, topK: 2, detrend: 'linear', threads: 2 };
const [TK, K, nK] = [6, 5, 4];
const blocks = lossMatrix(TK * K, nK, 32);
const dir = tempDir('rdm2-hdf5-');

/** Runs a Python snippet with numpy and h5py; `dir` is its working directory. */
function h5py(code: string): void {
  const r = spawnSync(python, ['-c', `import numpy as np, h5py\n${code}`], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${python} failed (is python3-h5py installed?): ${r.error?.message ?? ''}${r.stderr}`);
}

beforeAll(() => {
  writeNpy(join(dir, 'data.npy'), data, T, n);
  writeNpy(join(dir, 'blocks.npy'), blocks, TK * K, nK);
  h5py(`
x = np.load('data.npy')
steps = np.array(${JSON.stringify(steps)}, dtype=np.int64)
with h5py.File('gzip.h5', 'w') as f:
    f.create_dataset('losses', data=x, chunks=(7, 5), compression='gzip', compression_opts=6)
with h5py.File('shuffle32.h5', 'w') as f:
    f.create_dataset('losses', data=x.astype(np.float32), chunks=(16, ${n}), compression='gzip', shuffle=True)
with h5py.File('bigendian.h5', 'w') as f:
    f.create_dataset('losses', data=x.astype('>f8'), chunks=(9, 4), compression='gzip')
with h5py.File('contiguous.hdf5', 'w') as f:
    f.create_dataset('only', data=x)
with h5py.File('runs.h5', 'w') as f:
    g = f.create_group('sweep/seed1')
    g.create_dataset('losses', data=x, chunks=(10, ${n}), compression='gzip')
    g.create_dataset('steps', data=steps)
    g.create_dataset('groups', data=np.array(['a'] * ${n / 2} + ['b'] * ${n / 2}, dtype=h5py.string_dtype()))
    g.create_dataset('transition', data=${steps[40]})
    f.create_dataset('other', data=np.zeros((3, 3)))
b = np.load('blocks.npy').reshape(${TK}, ${K}, ${nK})
with h5py.File('blocks.h5', 'w') as f:
    f.create_dataset('losses', data=b, chunks=(2, ${K}, ${nK}), compression='gzip')
with h5py.File('ints.h5', 'w') as f:
    f.create_dataset('losses', data=np.arange(60).reshape(6, 10))
with h5py.File('flat.h5', 'w') as f:
    f.create_dataset('losses', data=np.arange(6.0))
with h5py.File('several.h5', 'w') as f:
    f.create_dataset('a', data=x)
    f.create_dataset('b', data=x)
with h5py.File('corrupt.h5', 'w') as f:
    d = f.create_dataset('losses', data=x, chunks=(20, ${n}), compression='gzip')
    info = d.id.get_chunk_info(1)
with open('corrupt.h5', 'r+b') as fh:
    fh.seek(info.byte_offset + 10)
    fh.write(b'\\x00' * 40)
`);
});

describe('h5py writes, rdm2 reads: equal to the .npy analysis, bit for bit', () => {
  const ref = analyzeSync({ data, shape: [T, n] }, OPTS);
  const ref32 = analyzeSync({ data: Float32Array.from(data), shape: [T, n] }, OPTS);
  const cases: [string, string, 'float32' | 'float64'][] = [
    ['chunked (7 x 5), gzip', 'gzip.h5', 'float64'],
    ['float32, shuffle + gzip', 'shuffle32.h5', 'float32'],
    ['big-endian float64', 'bigendian.h5', 'float64'],
    ['contiguous, the only dataset, .hdf5', 'contiguous.hdf5', 'float64'],
    ['a nested dataset path', 'runs.h5:/sweep/seed1/losses', 'float64'],
  ];
  for (const [label, spec, dtype] of cases) {
    it(label, async () => {
      const path = join(dir, spec);
      const fa = await analyzeFile(path, OPTS);
      expect(fa.analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      const file = path.split(':')[0]!;
      expect(fa.input).toMatchObject({ path, format: 'hdf5', shape: [T, n], dtype, bytes: readFileSync(file).length });
      for (const chunkBytes of [1, 1000]) expect((await analyzeFile(path, { ...OPTS, chunkBytes })).analysis).toEqual(dtype === 'float32' ? ref32 : ref);
      expect(analyzeSync(toLossMatrix((await readLossFile(path)).losses), OPTS)).toEqual(dtype === 'float32' ? ref32 : ref);
    });
  }

  it('steps, groups and transition datasets beside the losses are its metadata', async () => {
    const path = join(dir, 'runs.h5:/sweep/seed1/losses');
    const fa = await analyzeFile(path, OPTS);
    expect(Array.from(fa.meta.steps!)).toEqual(steps);
    expect(fa.meta.groups).toEqual([...Array(n / 2).fill('a'), ...Array(n / 2).fill('b')]);
    expect(fa.meta.transition).toBe(steps[40]);
    expect(fa.metaSources).toEqual({ steps: `${join(dir, 'runs.h5')}:/sweep/seed1/steps`, groups: `${join(dir, 'runs.h5')}:/sweep/seed1/groups`, transition: `${join(dir, 'runs.h5')}:/sweep/seed1/transition` });
    expect(Array.from(fa.windowSteps!)).toEqual(Array.from(ref.t, (t) => steps[t]));
  });

  it('a [T, K, n] dataset is the Gaussian 2RDM of each checkpoint', async () => {
    const fa = await analyzeFile(join(dir, 'blocks.h5'), { topK: 1, chunkBytes: 1 });
    expect(fa.analysis).toEqual(gram2rdmSync({ data: blocks, shape: [TK, K, nK] }, { topK: 1 }));
    expect(fa.input).toMatchObject({ shape: [TK, K, nK], variant: 'gaussian' });
  });

  it('the CLI takes file.h5:/dataset', async () => {
    const r = await runCliHere(['analyze', join(dir, 'runs.h5:/sweep/seed1/losses'), '--window', '12', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).shc).toEqual(Array.from(analyzeSync({ data, shape: [T, n] }, { window: 12 }).shc));
  });
});

describe('malformed HDF5: ERR_RDM2_FILE with the file and the position', () => {
  const f = (name: string): string => join(dir, name);

  it('not HDF5, truncated', async () => {
    const text = join(dir, 'text.h5');
    writeText(text, 'hello, not hdf5\n'.repeat(100));
    await expectErrorAsync(() => analyzeFile(text, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${text}: superblock: not a readable HDF5 file \\(.*signature`));
    const cut = join(dir, 'cut.h5');
    writeText(cut, readFileSync(f('gzip.h5')).subarray(0, 1500));
    await expectErrorAsync(() => analyzeFile(cut, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${cut}: .*not a readable HDF5 file`));
  });

  it('a corrupt gzip chunk names the rows being read', async () => {
    await expectErrorAsync(() => analyzeFile(f('corrupt.h5'), OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('corrupt.h5')}:/losses: rows \\d+-\\d+: not a readable HDF5 file`));
  });

  it('wrong dtype, wrong rank, no such dataset, a group, several candidates', async () => {
    await expectErrorAsync(() => analyzeFile(f('ints.h5'), OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('ints.h5')}:/losses: header: dtype <q .*expected float32 or float64 losses`));
    await expectErrorAsync(() => analyzeFile(f('flat.h5'), OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('flat.h5')}:/losses: header: shape \\(6\\), expected 2-D`));
    await expectErrorAsync(() => analyzeFile(`${f('runs.h5')}:/nope`, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('runs.h5')}: /nope: no such dataset`));
    await expectErrorAsync(() => analyzeFile(`${f('runs.h5')}:/sweep`, OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('runs.h5')}: /sweep: is a group, not a dataset`));
    await expectErrorAsync(() => analyzeFile(f('several.h5'), OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('several.h5')}: /: holds several datasets \\(a, b\\)`));
    await expectErrorAsync(() => analyzeFile(f('missing.h5'), OPTS), 'ERR_RDM2_FILE', new RegExp(`^${f('missing.h5')}: cannot read: no such file`));
  });
});
