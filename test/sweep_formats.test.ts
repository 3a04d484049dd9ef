// A sweep discovers the new formats like the others: one matrix stored as .npy, Parquet
// (DuckDB), Arrow IPC (apache-arrow) and HDF5 (h5py) under one root gives four runs whose
// records are identical but for their paths.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeVector, tableToIPC, Table, type Vector } from 'apache-arrow';
import { describe, expect, it, vi } from 'vitest';
import { discoverRuns } from '../lib/sweep/discover.js';
import { torchPython } from '../scripts/python.mjs';
import { duckdb, loadMatrix, probeNames, sqlText } from './duckdb_fixtures.js';
import { lossMatrix, runCliHere, tempDir, writeNpy, writeText } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

describe('sweep over .npy, .parquet, .arrow and .h5 runs', () => {
  it('finds all four and analyses them identically', async () => {
    const [T, n] = [50, 9];
    const data = lossMatrix(T, n, 77);
    const root = tempDir('rdm2-sweepfmt-');
    writeNpy(join(root, 'a-npy', 'losses.npy'), data, T, n);
    const c = await duckdb();
    mkdirSync(join(root, 'b-parquet'));
    await loadMatrix(c, 'w', data, T, n, Array.from({ length: T }, (_, t) => t));
    await c.run(`COPY (SELECT ${probeNames(n).join(', ')} FROM w ORDER BY step) TO ${sqlText(join(root, 'b-parquet', 'losses.parquet'))} (FORMAT parquet)`);
    const cols: Record<string, Vector> = {};
    probeNames(n).forEach((p, i) => (cols[p] = makeVector(Float64Array.from({ length: T }, (_, t) => data[t * n + i]!))));
    writeText(join(root, 'c-arrow', 'losses.arrow'), tableToIPC(new Table(cols), 'file'));
    writeText(join(root, 'd-hdf5', 'placeholder'), '');
    const py = spawnSync(torchPython(), ['-c', "import numpy as np, h5py\nh5py.File('d-hdf5/losses.h5','w').create_dataset('losses', data=np.load('a-npy/losses.npy'), chunks=(8, 9), compression='gzip')"], { cwd: root, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    expect(await discoverRuns(root)).toEqual(['a-npy/losses.npy', 'b-parquet/losses.parquet', 'c-arrow/losses.arrow', 'd-hdf5/losses.h5']);
    const out = join(tempDir('rdm2-sweepfmt-out-'), 'out');
    const r = await runCliHere(['sweep', root, '--window', '10', '--top-k', '1', '--jobs', '2', '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runs = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).runs as { path: string }[];
    expect(runs.map((x) => x.path)).toEqual(['a-npy/losses.npy', 'b-parquet/losses.parquet', 'c-arrow/losses.arrow', 'd-hdf5/losses.h5']);
    const { path: _p, ...first } = runs[0]!;
    for (const run of runs.slice(1)) expect({ ...run, path: _p }).toEqual({ ...first, path: _p });
  });
});
