// Memory: a loss file of more than 1 GB is analysed in bounded memory, as .npy and as Parquet
// (written by DuckDB), and both give the same result bit for bit. Each analysis runs in its own
// process so that the peak RSS is its own; the files are deleted as soon as they are read.
import { execFile } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { buildNpyHeader } from '../lib/io/npy_header.js';
import { duckdb, sqlText } from './duckdb_fixtures.js';
import { tempDir } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });
const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');

// 1 050 000 checkpoints x 128 float64 probes: 1.075 GB of values.
const T = 1_050_000;
const n = 128;
const W = 16;
const CHUNK_MIB = 32;
/** One bound for both formats, far below the file (1.08 GB): the input chunk, one Parquet row group (16 MiB of values) and the JavaScript heap and ArrayBuffers its decoding leaves for the garbage collector, plus the results and the step column (measured: about 20-60 MiB for .npy, 250-265 MiB for Parquet). */
const BOUND_MIB = 320;

/** The loss of checkpoint t, probe k: a hash of (t, k) in [1, 2), exact in float64 (integers below 2^53, one rounded division). */
const SQL_VALUE = (k: number): string => `1 + ((i * 2654435761 + ${k * 40503}) % 1000003)::DOUBLE / 1000003`;
const value = (t: number, k: number): number => 1 + ((t * 2654435761 + k * 40503) % 1000003) / 1000003;

function writeNpyStreaming(path: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, buildNpyHeader('<f8', false, [T, n]));
    const rows = 8192;
    const block = new Float64Array(rows * n);
    for (let t0 = 0; t0 < T; t0 += rows) {
      const count = Math.min(rows, T - t0);
      for (let r = 0; r < count; r++) for (let k = 0; k < n; k++) block[r * n + k] = value(t0 + r, k);
      writeSync(fd, new Uint8Array(block.buffer, 0, count * n * 8));
    }
  } finally {
    closeSync(fd);
  }
}

interface Measured {
  format: string;
  bytes: number;
  shape: number[];
  windows: number;
  finite: boolean;
  digest: string;
  seconds: number;
  rssBeforeKiB: number;
  rssGrowthKiB: number;
}

async function measure(path: string): Promise<Measured> {
  const r = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/large_file_rss.ts', path, String(W), String(CHUNK_MIB)], { cwd: repo, maxBuffer: 1 << 20 });
  const m = JSON.parse(r.stdout) as Measured;
  process.stderr.write(`large file: ${m.format} ${(m.bytes / 1e9).toFixed(3)} GB, peak RSS growth ${(m.rssGrowthKiB / 1024).toFixed(0)} MiB (from ${(m.rssBeforeKiB / 1024).toFixed(0)} MiB), ${m.seconds.toFixed(1)} s\n`);
  return m;
}

describe('a > 1 GB loss file in bounded memory', () => {
  it('.npy and Parquet: the same result, each within the same RSS bound', async () => {
    const dir = tempDir('rdm2-large-');
    const npy = join(dir, 'big.npy');
    const parquet = join(dir, 'big.parquet');
    let fromNpy: Measured;
    try {
      writeNpyStreaming(npy);
      fromNpy = await measure(npy);
    } finally {
      rmSync(npy, { force: true });
    }
    try {
      const c = await duckdb();
      const cols = Array.from({ length: n }, (_, k) => `${SQL_VALUE(k)} AS p${k}`).join(', ');
      await c.run(`COPY (SELECT i AS step, ${cols} FROM range(${T}) r(i) ORDER BY i) TO ${sqlText(parquet)} (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 16384)`);
      c.closeSync();
      expect(statSync(parquet).size).toBeGreaterThan(1e9);
      const fromParquet = await measure(parquet);
      for (const m of [fromNpy, fromParquet]) {
        expect(m.shape).toEqual([T, n]);
        expect(m.windows).toBe(Math.floor(T / W));
        expect(m.finite).toBe(true);
        expect(m.rssGrowthKiB).toBeLessThan(BOUND_MIB * 1024);
      }
      expect(fromParquet.digest).toBe(fromNpy.digest);
      expect(fromNpy.bytes).toBeGreaterThan(1e9);
    } finally {
      rmSync(parquet, { force: true });
    }
  });
});
