// Peak memory of analyzeFile on a loss file far larger than its chunk: writes a multi-GB float32
// .npy to the temp directory (in bounded memory), analyses it in a fresh child process that
// reports its own peak RSS, and deletes the file. Not a timed test: a measurement to record.
//
//   node --import tsx bench/analyze_file_memory.ts [--gb 4] [--probes 2000] [--window 32] [--stride 8] [--chunk-mb 64]
//
// The child also reports the peak RSS of a process that only loaded rdm2 (the baseline), so the
// analysis's own share can be read off.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildNpyHeader } from '../lib/io/npy_header.js';

const MiB = 2 ** 20;

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

/** Writes a [T, n] float32 .npy: each probe a random walk plus noise, 64 MiB at a time. */
function writeLossFile(path: string, T: number, n: number): void {
  const header = buildNpyHeader('<f4', false, [T, n]);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    const rowsPerChunk = Math.max(1, Math.floor((64 * MiB) / (4 * n)));
    const buf = new Float32Array(rowsPerChunk * n);
    const level = new Float64Array(n).fill(2.3);
    let state = 0x9e3779b9;
    const rand = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296 - 0.5;
    };
    for (let t0 = 0; t0 < T; t0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, T - t0);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < n; i++) {
          level[i]! += 1e-4 * rand();
          buf[r * n + i] = level[i]! + 1e-3 * rand();
        }
      }
      writeSync(fd, new Uint8Array(buf.buffer, 0, rows * n * 4));
    }
  } finally {
    closeSync(fd);
  }
}

async function child(path: string, window: number, stride: number, chunkMb: number): Promise<void> {
  const baseline = process.resourceUsage().maxRSS * 1024;
  const { analyzeFile } = await import('../lib/io/analyze_file.js');
  const loaded = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  const fa = await analyzeFile(path, { window, stride, chunkBytes: chunkMb * MiB, checksum: true });
  const seconds = (performance.now() - t0) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({ baseline, loaded, peak, seconds, windows: fa.analysis.windows, shape: fa.input.shape, sha256: fa.input.sha256, shcFinite: fa.analysis.shc.every(Number.isFinite) }) + '\n',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gb: { type: 'string', default: '4' },
      probes: { type: 'string', default: '2000' },
      window: { type: 'string', default: '32' },
      stride: { type: 'string', default: '8' },
      'chunk-mb': { type: 'string', default: '64' },
      child: { type: 'string' },
    },
  });
  const window = Number(values.window);
  const stride = Number(values.stride);
  const chunkMb = Number(values['chunk-mb']);
  if (values.child) return child(values.child, window, stride, chunkMb);

  const n = Number(values.probes);
  const bytes = Number(values.gb) * 1e9;
  if (!(bytes > 0) || bytes > 4.5e9) throw new RangeError('--gb must be in (0, 4.5]');
  const T = Math.floor(bytes / (4 * n));
  const path = join(tmpdir(), `rdm2-bench-${process.pid}.npy`);
  try {
    let t0 = performance.now();
    writeLossFile(path, T, n);
    const size = statSync(path).size;
    console.log(`wrote ${path}: [${T}, ${n}] float32, ${(size / 1e9).toFixed(2)} GB (${mib(size)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', path, '--window', String(window), '--stride', String(stride), '--chunk-mb', String(chunkMb)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`the analysis child failed with status ${r.status}`);
    const m = JSON.parse(r.stdout) as { baseline: number; loaded: number; peak: number; seconds: number; windows: number; sha256: string; shcFinite: boolean };
    console.log(`analyzeFile(window ${window}, stride ${stride}, chunk ${chunkMb} MiB, sha256 on): ${m.windows} windows in ${m.seconds.toFixed(1)} s (${(size / 1e6 / m.seconds).toFixed(0)} MB/s), every SHC finite: ${m.shcFinite}`);
    console.log(`peak RSS ${mib(m.peak)} (node alone ${mib(m.baseline)}, rdm2 loaded ${mib(m.loaded)}) for a ${mib(size)} file: ${((100 * m.peak) / size).toFixed(1)}% of its size`);
  } finally {
    rmSync(path, { force: true });
  }
}

await main();
