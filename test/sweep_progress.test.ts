// Sweep progress: plain log lines (exact, with a fixed clock) and the terminal bar.
import { describe, expect, it } from 'vitest';
import { BarProgress, LogProgress, progressFor } from '../lib/sweep/progress.js';
import type { RunRecord } from '../lib/sweep/run_record.js';
import { summaryCsv } from '../lib/sweep/summary_files.js';

const ok = { path: 'a/losses.npy', status: 'ok', error: null } as unknown as RunRecord;
const failed: RunRecord = { path: 'b/losses.npy', status: 'failed', error: 'b/losses.npy: line 3: 2 fields, expected 3 like line 1 [ERR_RDM2_FILE]' };

describe('log lines', () => {
  it('a header, then one line per run with count, rate and ETA', () => {
    let out = '';
    let now = 1000;
    const p = new LogProgress({ write: (s: string) => (out += s) }, () => now);
    p.start({ discovered: 12, total: 12, skipped: 2, shardLabel: 'this sweep' });
    now += 2000;
    p.done(ok);
    now += 500;
    p.done(failed);
    now += 3_600_000;
    for (let i = 0; i < 7; i++) p.done(ok);
    p.finish();
    const lines = out.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'rdm2 sweep: 12 runs found, 12 in this sweep, 2 already complete (--resume), 10 to analyse',
      '[ 1/10] ok      a/losses.npy (0.50 runs/s, ETA 18s)',
      `[ 2/10] failed  b/losses.npy: ${failed.status === 'failed' ? failed.error : ''} (0.80 runs/s, ETA 10s)`,
    ]);
    expect(lines[9]).toBe('[ 9/10] ok      a/losses.npy (0.00 runs/s, ETA 6m40s)');
  });

  it('a bar on a terminal, log lines otherwise', () => {
    expect(progressFor({ write: () => true, isTTY: true })).toBeInstanceOf(BarProgress);
    expect(progressFor({ write: () => true })).toBeInstanceOf(LogProgress);
  });
});

describe('the terminal bar', () => {
  it('shows runs done, rate, ETA and failures', () => {
    let out = '';
    const write = (s: string) => {
      out += s;
      return true;
    };
    const stream = Object.assign({ write, isTTY: true, columns: 120 }, { on: () => stream, once: () => stream, emit: () => true });
    const p = new BarProgress(stream);
    p.start({ discovered: 3, total: 3, skipped: 1, shardLabel: 'this sweep' });
    p.done(ok);
    p.done(failed);
    p.finish();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal's escape sequences
    const frames = out.split('\x1B[1G').map((f) => f.replace(/\x1B(\[[0-9;?]*[A-Za-z]|[78])/g, ''));
    expect(frames[1]).toBe('rdm2 sweep [░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 0/2 runs | 0.00 runs/s | ETA 0s | 0 failed');
    expect(frames.at(-1)).toMatch(/^rdm2 sweep \[█{40}\] 2\/2 runs \| \d+\.\d\d runs\/s \| ETA 0s \| 1 failed\n$/);
  });
});

describe('summary.csv', () => {
  it('flattens nested fields; quotes cells with commas and quotes', () => {
    const records = [
      { path: 'a', status: 'ok', error: null, shcPeak: { window: 3, step: 30 }, blockEnergy: { A: 0.5, B: 0.5 }, firstWarning: null },
      { path: 'b,"x"', status: 'failed', error: 'bad, very "bad"' },
      { path: 'c', status: 'ok', error: null, shcPeak: null, blockEnergy: { C: 1 }, firstWarning: null },
    ] as unknown as RunRecord[];
    expect(summaryCsv(records)).toBe(
      [
        'path,status,error,shcPeak.window,shcPeak.step,blockEnergy.A,blockEnergy.B,firstWarning,blockEnergy.C',
        'a,ok,,3,30,0.5,0.5,,',
        '"b,""x""",failed,"bad, very ""bad""",,,,,,',
        'c,ok,,,,,,,1',
        '',
      ].join('\n'),
    );
  });
});
