// `rdm2 watch` as a process: killed with SIGKILL at several points while a producer appends and
// restarted, it ends with `rdm2 analyze`'s result, one TensorBoard event per window and every
// warning delivered to --on-warning; SIGINT saves the state; --json and the text output.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeWatchState } from '../lib/watch/watch_state.js';
import { cleanEnv, runCliHere, runCliProcess, tempDir } from './io_fixtures.js';
import { expectSameDocument, GROUPS, produce, PROBES, transitionRun } from './watch_fixtures.js';
import { readTfevents } from './tfevents_reader.js';

vi.setConfig({ testTimeout: 0 });

const root = join(import.meta.dirname, '..');
const W = 16;

function startCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli.ts', ...args], { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

function startProducer(file: string, T: number, delayMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/watch_js_producer.ts', file, String(T), String(delayMs)], { cwd: root, env: cleanEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function committedRows(stateDir: string): number {
  const file = join(stateDir, 'state.bin');
  if (!existsSync(file)) return 0;
  return decodeWatchState(readFileSync(file), file).header.position.rows;
}

describe('rdm2 watch killed with SIGKILL and restarted', () => {
  it('ends with the result of rdm2 analyze, one TensorBoard event per window, and every warning delivered', async () => {
    const dir = tempDir('rdm2-watch-cli-');
    const file = join(dir, 'live.rows');
    const T = 420;
    const tb = join(dir, 'tb');
    const log = join(dir, 'warnings.txt');
    const args = ['watch', dir, '--window', String(W), '--poll', '5', '--quiet', '--tensorboard', tb, '--on-warning', `cat >> '${log}'`, '--out', join(dir, 'watch.json')];
    const producing = startProducer(file, T, 12);
    const killedAt: number[] = [];
    // Kill points: during start-up, while following, and right after commits.
    for (const wait of [300, 1500, 1100, 900, 1300]) {
      const run = startCli(args);
      await sleep(wait);
      run.child.kill('SIGKILL');
      const r = await run.done;
      expect(r.signal).toBe('SIGKILL');
      killedAt.push(committedRows(`${file}.watch`));
    }
    expect(await producing).toBe(0);
    const last = await startCli(args).done;
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/rdm2 watch: .*live\.rows ended after 420 rows \(resumed from a saved state\)/);
    // The kills fell at several points of the run.
    const inside = killedAt.filter((k) => k > 0 && k < T);
    expect(new Set(inside).size).toBeGreaterThanOrEqual(2);

    const analyze = await runCliProcess(['analyze', file, '--window', String(W), '--top-k', '1', '--out', join(dir, 'analyze.json'), '--tensorboard', join(dir, 'tb-analyze')]);
    expect(analyze.code).toBe(0);
    const want = JSON.parse(readFileSync(join(dir, 'analyze.json'), 'utf8'));
    const got = JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8'));
    expectSameDocument(got, want);
    expect(want.summary.warningCount).toBeGreaterThan(0);
    expect(got.groups).toEqual(GROUPS);

    // TensorBoard: exactly one event per window at its step, whatever was interrupted.
    const [events] = readTfevents([join(tb, 'events.out.tfevents.rdm2.watch')]);
    const scalars = events!.events.slice(1);
    expect(scalars.map((e) => e.step)).toEqual(want.step);
    const [fromAnalyze] = readTfevents([join(dir, 'tb-analyze', 'events.out.tfevents.rdm2.analysis')]);
    expect(fromAnalyze!.events.slice(1).map((e) => e.values)).toEqual(scalars.map((e) => e.values));

    // --on-warning: every warning at least once (a kill between the command and the commit repeats one), nothing else.
    const delivered = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const windows = new Set(delivered.map((d) => d.window));
    const final = got.summary.firstWarning.window;
    expect(windows.has(final)).toBe(true);
    for (const d of delivered) {
      expect(d.rdm2.kind).toBe('warning');
      expect(d.file).toBe(file);
      expect(d.groups[0].group).toBe('B');
    }
    expect(windows.size).toBe(got.summary.warningCount);
  });
});

describe('rdm2 watch stops on SIGINT and SIGTERM with its state saved', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal}: exit status ${code}, state saved; the same command resumes and ends`, async () => {
      const dir = tempDir('rdm2-watch-cli-');
      const file = join(dir, 'live.jsonl');
      const T = 200;
      const producing = startProducer(file, T, 10);
      const args = ['watch', file, '--window', String(W), '--poll', '5'];
      const run = startCli(args);
      while (committedRows(`${file}.watch`) < 40 && run.child.exitCode === null) await sleep(50);
      run.child.kill(signal);
      const r = await run.done;
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`rdm2 watch: stopped \\(${signal}\\) after \\d+ rows and \\d+ windows; state saved in .*live\\.jsonl\\.watch: run the same command to resume`));
      const saved = committedRows(`${file}.watch`);
      expect(saved).toBeGreaterThanOrEqual(40);
      expect(existsSync(join(`${file}.watch`, 'lock'))).toBe(false);
      await producing;
      const again = await runCliProcess([...args, '--json']);
      expect(again.code).toBe(0);
      const doc = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
      expect(doc.rows).toBe(T);
      expect(doc.input.format).toBe('jsonl');
    });
  }
});

describe('rdm2 watch output', () => {
  it('text: warnings as they happen with the groups on the top eigenvector, then the summary; --json: one line per warning, then the result', async () => {
    const dir = tempDir('rdm2-watch-cli-');
    const file = join(dir, 'live.rows');
    await startProducer(file, 240, 0);
    const text = await runCliHere(['watch', file, '--window', String(W), '--quiet', '--state', join(dir, 's1')]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^rdm2 watch: warning at step \d+ \(window \d+\): SHC [\d.]+, z = [\d.]+ \(3 windows above 6\); top eigenvector on B 0\.9\d*, /);
    expect(text.stdout).toMatch(/^rdm2 watch: .*live\.rows ended after 240 rows$/m);
    expect(text.stdout).toMatch(/^ {2}warnings {5}\d+ \(baseline 10 to 40, z > 6, 3 in a row\); first at window \d+/m);
    const json = await runCliHere(['watch', file, '--window', String(W), '--quiet', '--json', '--state', join(dir, 's2'), '--warn-z', '8']);
    expect(json.code).toBe(0);
    const docs = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const result = docs.pop();
    expect(result.rdm2.kind).toBe('analysis');
    expect(docs.length).toBe(result.summary.warningCount);
    expect(docs[0]).toMatchObject({ rdm2: { kind: 'warning' }, rule: { z: 8, baseline: 40, consecutive: 3 }, analysis: { window: W } });
    expect(docs[0].topProbes).toHaveLength(5);
    // Resuming with other warning options is refused; with none, the saved ones are used.
    const other = await runCliHere(['watch', file, '--warn-z', '5', '--state', join(dir, 's2')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/warning z = 5, but the saved watch state was made with 8/);
    const same = await runCliHere(['watch', file, '--quiet', '--json', '--state', join(dir, 's2')]);
    expect(JSON.parse(same.stdout.trim()).summary.warningOptions.z).toBe(8);
    expect(PROBES).toBe(24);
  });

  it('--serve: the live page is served while the watch runs, and a failing --on-warning command is reported', async () => {
    const dir = tempDir('rdm2-watch-cli-');
    const file = join(dir, 'live.rows');
    // An unfinished stream: the watch idles out (status 3) after serving it.
    await (await produce(file, transitionRun(200, 3), { to: 200, finish: false })).close({ finished: false });
    const run = startCli(['watch', file, '--window', String(W), '--quiet', '--serve', '--on-warning', 'exit 7', '--poll', '20', '--idle-timeout', '4']);
    let stderr = '';
    run.child.stderr!.on('data', (s: Buffer) => (stderr += s.toString()));
    while (!/live page at (http:\/\/127\.0\.0\.1:\d+\/)/.test(stderr) && run.child.exitCode === null) await sleep(20);
    const url = /live page at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)![1]!;
    let status = { windows: 0 };
    while (status.windows === 0 && run.child.exitCode === null) {
      status = (await (await fetch(`${url}status.json`)).json()) as { windows: number };
      await sleep(50);
    }
    expect(status.windows).toBeGreaterThan(0);
    expect(await (await fetch(url)).text()).toContain('<script src="/live.js" defer></script>');
    const r = await run.done;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rdm2 watch: --on-warning command exited with status 7/);
  });

  it('docs/watch.md holds its --help verbatim', async () => {
    const help = await runCliHere(['watch', '--help']);
    expect(help.code).toBe(0);
    expect(readFileSync(join(root, 'docs', 'watch.md'), 'utf8')).toContain('```text\n$ rdm2 watch --help\n' + help.stdout + '```');
  });

  it('a status line on stderr; --idle-timeout stops with status 3; usage errors', async () => {
    const dir = tempDir('rdm2-watch-cli-');
    const file = join(dir, 'live.rows');
    const { RowStreamWriter } = await import('../lib/io/row_stream_writer.js');
    const w = await RowStreamWriter.create(file, { probes: 3 });
    for (let t = 0; t < 10; t++) await w.append(t, [1 + t, 2, 3 * Math.sin(t)]);
    await w.close({ finished: false });
    const r = await runCliProcess(['watch', file, '--window', '4', '--idle-timeout', '0.3', '--poll', '20']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^rdm2 watch: idle, stopped .*live\.rows: 10 rows, 7 windows, last step 9, 0 warnings; lag 0 rows; file grew \d+ s ago$/m);
    expect(r.stderr).toMatch(/stopped \(no growth for 0\.3 s\) after 10 rows and 7 windows; state saved in/);
    const missing = await runCliHere(['watch', file, '--window', '4', '--restart', '--out', join(dir, 'x.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/x\.txt/);
    const port = await runCliHere(['watch', file, '--serve', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--serve \[port\]' argument '70000' is invalid. expected an integer from 0 to 65535/);
  });
});
