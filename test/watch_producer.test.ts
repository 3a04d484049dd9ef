// `rdm2 watch` following a real producer: a PyTorch training run streaming its probe losses with
// the recorder's append mode (examples/pytorch/rdm2_recorder.py, through test/python/train_streaming.py,
// Debian's python3-torch). The watch ends with `rdm2 analyze`'s result and warnings; a producer
// killed mid-row leaves nothing half-read, and its resumed run finishes the stream.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { detectWarnings } from '../lib/index.js';
import { decodeWatchState } from '../lib/watch/watch_state.js';
import { cleanEnv, runCliProcess, tempDir } from './io_fixtures.js';
import { PYTHON } from './tfevents_reader.js';
import { expectSameDocument, Z_AGREES } from './watch_fixtures.js';

vi.setConfig({ testTimeout: 0 });

const root = join(import.meta.dirname, '..');
const W = 12;
const WARN = ['--warn-baseline', '10', '--warn-z', '3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill: (s: NodeJS.Signals) => void;
  stdout: () => string;
}

function run(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return {
    done: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    }),
    kill: (s) => child.kill(s),
    stdout: () => stdout,
  };
}

const producer = (file: string, rows: number, delayMs: number, mode: string, k?: number) =>
  run(PYTHON, [join(root, 'test', 'python', 'train_streaming.py'), file, String(rows), String(delayMs), mode, ...(k === undefined ? [] : [String(k)])]);
const watcher = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'lib/cli.ts', 'watch', ...args]);

function committedRows(stateDir: string): number {
  const file = join(stateDir, 'state.bin');
  return existsSync(file) ? decodeWatchState(readFileSync(file), file).header.position.rows : 0;
}

/** analyze of the finished file, and the warnings its summary's detector finds, window for window. */
async function analyzeFinished(file: string, dir: string) {
  const r = await runCliProcess(['analyze', file, '--window', String(W), '--top-k', '1', ...WARN, '--out', join(dir, 'analyze.json')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(readFileSync(join(dir, 'analyze.json'), 'utf8'));
  const warnings = detectWarnings(Float64Array.from(doc.shc), { baseline: 10, z: 3 }, doc.step).warnings;
  return { doc, warnings };
}

/** The watch's stderr holds its status lines and nothing else (no error, no warning from Node). */
function expectOnlyStatus(stderr: string): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines.at(-1)).toMatch(/^rdm2 watch: ended .*: 160 rows, 149 windows, last step 636, \d+ warnings?$/);
  for (const l of lines) expect(l).toMatch(/^rdm2 watch: (waiting|following|ended) /);
}

function expectSameWarnings(stdout: string, want: ReturnType<typeof detectWarnings>['warnings']): void {
  const got = stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((d) => d.rdm2.kind === 'warning');
  expect(got.map((w) => [w.window, w.step, w.startWindow])).toEqual(want.map((w) => [w.index, w.step, w.startIndex]));
  got.forEach((w, k) => expect(Math.abs(w.z - want[k]!.z)).toBeLessThanOrEqual(Z_AGREES * Math.abs(want[k]!.z)));
}

describe('rdm2 watch and the PyTorch recorder streaming a real training run', () => {
  it('.rows: the watch follows the run as it trains and ends with the result and warnings of rdm2 analyze', async () => {
    const dir = tempDir('rdm2-producer-');
    const file = join(dir, 'live.rows');
    const watch = watcher([dir, '--window', String(W), ...WARN, '--poll', '10', '--json', '--out', join(dir, 'watch.json')]);
    const train = producer(file, 160, 15, 'finish');
    // The watch reads rows while the run is still writing them.
    const seenWhileTraining: number[] = [];
    let finished = false;
    void train.done.then(() => (finished = true));
    while (!finished) {
      seenWhileTraining.push(committedRows(`${file}.watch`));
      await sleep(100);
    }
    const t = await train.done;
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const w = await watch.done;
    expectOnlyStatus(w.stderr);
    expect(w.code).toBe(0);
    expect(seenWhileTraining.filter((rows) => rows > W && rows < 160).length).toBeGreaterThan(2);
    const { doc, warnings } = await analyzeFinished(file, dir);
    expect(doc.rows).toBe(160);
    expect(doc.groups).toEqual([...Array(24).fill('train'), ...Array(24).fill('test')]);
    expectSameDocument(JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8')), doc);
    expect(warnings.length).toBeGreaterThan(0);
    expectSameWarnings(w.stdout, warnings);
  });

  it('JSONL: the producer killed mid-row leaves nothing half-read; its resumed run finishes and the watch ends with analyze\'s result', async () => {
    const dir = tempDir('rdm2-producer-');
    const file = join(dir, 'live.jsonl');
    const watch = watcher([file, '--window', String(W), ...WARN, '--poll', '10', '--json', '--out', join(dir, 'watch.json')]);
    const K = 70;
    const half = producer(file, 160, 5, 'half', K);
    while (!half.stdout().includes('ready')) await sleep(50);
    half.kill('SIGKILL');
    expect((await half.done).signal).toBe('SIGKILL');
    // The half-written line is in the file, and the watch stops before it.
    const size = statSync(file).size;
    expect(readFileSync(file).at(-1)).not.toBe(0x0a);
    while (committedRows(`${file}.watch`) < K) await sleep(50);
    await sleep(300);
    expect(committedRows(`${file}.watch`)).toBe(K);
    expect(statSync(file).size).toBe(size);
    // The run resumes: the recorder cuts the partial line and goes on to the end.
    const resumed = await producer(file, 160, 5, 'resume').done;
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const w = await watch.done;
    expectOnlyStatus(w.stderr);
    expect(w.code).toBe(0);
    const { doc, warnings } = await analyzeFinished(file, dir);
    expect(doc.rows).toBe(160);
    expectSameDocument(JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8')), doc);
    expectSameWarnings(w.stdout, warnings);
  });
});
