// TensorBoard scalars written by analyze, sweep and watch, decoded by an independent reader
// (test/python/read_tfevents.py: Python's protobuf, its own CRC-32C): every CRC valid, every value
// the analysis's own (rounded to float32, TensorBoard's scalar type), at the run's steps.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyzeFile, detectWarnings, maskedCrc32c, frameRecord, OBSERVABLE_NAMES, TENSORBOARD_TAGS, watch, type FileAnalysis } from '../lib/index.js';
import { expectReject } from './helpers.js';
import { runCliHere, tempDir, writeNpy } from './io_fixtures.js';
import { readTfevents, type DecodedEvent } from './tfevents_reader.js';
import { produce, stepOf, transitionRun, PROBES } from './watch_run.js';

vi.setConfig({ testTimeout: 0 });

const W = 16;
const T = 160;
const data = transitionRun(T, 11);

const f32 = (x: number) => (Number.isNaN(x) ? 'NaN' : Math.fround(x));

/** Checks decoded scalar events against an analysis: one event per window, every tag's value. */
function expectScalars(events: DecodedEvent[], fa: FileAnalysis, steps: ArrayLike<number>): void {
  expect(events[0]).toMatchObject({ step: 0, file_version: 'brain.Event:2' });
  const a = fa.analysis;
  const { z, warnings } = detectWarnings(a.shc, {}, steps);
  expect(warnings.length).toBeGreaterThan(0);
  const scalars = events.slice(1);
  expect(scalars).toHaveLength(a.windows);
  let fired = 0;
  scalars.forEach((e, j) => {
    expect(e.step).toBe(steps[j]);
    if (warnings.some((w) => w.index === j)) fired++;
    const want = [
      ...OBSERVABLE_NAMES.map((name) => [TENSORBOARD_TAGS[name], f32(a[name][j]!)]),
      ...(Number.isNaN(z[j]!) ? [] : [[TENSORBOARD_TAGS.z, f32(z[j]!)]]),
      [TENSORBOARD_TAGS.warnings, fired],
    ];
    expect(e.values!.map((v) => [v.tag, v.value])).toEqual(want);
  });
  // warm-up windows carry no z; later ones do
  expect(scalars[0]!.values!.some((v) => v.tag === TENSORBOARD_TAGS.z)).toBe(false);
  expect(scalars.at(-1)!.values!.some((v) => v.tag === TENSORBOARD_TAGS.z)).toBe(true);
}

describe('TensorBoard scalars', () => {
  it('one tag per observable of the registry, as the docs list them', () => {
    expect(Object.values(TENSORBOARD_TAGS)).toEqual(['rdm2/trace', 'rdm2/pr', 'rdm2/entropy', 'rdm2/shc', 'rdm2/top_share', 'rdm2/shc_z', 'rdm2/warnings']);
  });

  it('the masked CRC-32C and the record framing of TensorFlow', () => {
    // CRC-32C("123456789") = 0xe3069283; TensorFlow's mask: rotate right 15, add 0xa282ead8
    const crc = 0xe3069283;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
    const rec = frameRecord(Uint8Array.of(1, 2, 3));
    expect(rec.length).toBe(19);
    expect(Array.from(rec.subarray(0, 8))).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('rdm2 analyze --tensorboard: the independent reader finds every CRC valid and every value the analysis', async () => {
    const dir = tempDir('rdm2-tb-');
    const file = join(dir, 'live.rows');
    await produce(file, data, { to: T });
    const r = await runCliHere(['analyze', file, '--window', String(W), '--tensorboard', join(dir, 'tb')]);
    expect(r.code).toBe(0);
    const fa = await analyzeFile(file, { window: W });
    const [decoded] = readTfevents([join(dir, 'tb', 'events.out.tfevents.rdm2.analysis')]);
    expect(decoded!.records).toBe(fa.analysis.windows + 1);
    expectScalars(decoded!.events, fa, fa.windowSteps!);
    expect(decoded!.events[1]!.step).toBe(stepOf(W - 1));
    // Analysing again replaces the file, it does not add a second copy of every point.
    expect((await runCliHere(['analyze', file, '--window', String(W), '--tensorboard', join(dir, 'tb')])).code).toBe(0);
    expect(readTfevents([join(dir, 'tb', 'events.out.tfevents.rdm2.analysis')])[0]!.records).toBe(fa.analysis.windows + 1);
  });

  it('the reader rejects a flipped bit: the test can fail', async () => {
    const dir = tempDir('rdm2-tb-');
    const file = join(dir, 'live.rows');
    await produce(file, data, { to: T });
    await runCliHere(['analyze', file, '--window', String(W), '--tensorboard', dir]);
    const tb = join(dir, 'events.out.tfevents.rdm2.analysis');
    const bytes = readFileSync(tb);
    bytes[200] ^= 4;
    writeFileSync(tb, bytes);
    expect(() => readTfevents([tb])).toThrow(/CRC mismatch/);
  });

  it('rdm2 sweep --tensorboard: one TensorBoard run per loss file; a file without steps uses checkpoint indices', async () => {
    const dir = tempDir('rdm2-tb-');
    const runs = join(dir, 'runs');
    mkdirSync(join(runs, 'a'), { recursive: true });
    await produce(join(runs, 'a', 'losses.rows'), data, { to: T });
    writeNpy(join(runs, 'b', 'losses.npy'), data, T, PROBES, { dtype: 'float32' });
    const r = await runCliHere(['sweep', runs, '--window', String(W), '--pattern', '**/losses.{rows,npy}', '--out', join(dir, 'out'), '--tensorboard', join(dir, 'tb'), '--quiet', '--jobs', '1']);
    expect(r.code).toBe(0);
    const [a, b] = readTfevents([join(dir, 'tb', 'a', 'losses', 'events.out.tfevents.rdm2.analysis'), join(dir, 'tb', 'b', 'losses', 'events.out.tfevents.rdm2.analysis')]);
    const fa = await analyzeFile(join(runs, 'a', 'losses.rows'), { window: W });
    expectScalars(a!.events, fa, fa.windowSteps!);
    const fb = await analyzeFile(join(runs, 'b', 'losses.npy'), { window: W });
    expectScalars(b!.events, fb, fb.analysis.t);
  });

  it('rdm2 watch --tensorboard writes the same scalars as analyze, as windows arrive', async () => {
    const dir = tempDir('rdm2-tb-');
    const file = join(dir, 'live.jsonl');
    const producing = produce(file, data, { to: T, delayMs: 1 });
    const r = await watch(file, { window: W, pollMs: 3, tensorboard: join(dir, 'tb') });
    await producing;
    expect(r.status).toBe('ended');
    const fa = await analyzeFile(file, { window: W });
    const [decoded] = readTfevents([join(dir, 'tb', 'events.out.tfevents.rdm2.watch')]);
    // The monitor's values equal analyze's to 1e-12; rounded to float32 they may differ in the last bit.
    expect(decoded!.events.length).toBe(fa.analysis.windows + 1);
    decoded!.events.slice(1).forEach((e, j) => {
      expect(e.step).toBe(fa.windowSteps![j]);
      const shc = e.values!.find((v) => v.tag === TENSORBOARD_TAGS.shc)!.value as number;
      expect(Math.abs(shc - fa.analysis.shc[j]!)).toBeLessThanOrEqual(2 ** -23 * Math.abs(fa.analysis.shc[j]!));
    });
  });

  it('non-integer steps cannot be TensorBoard steps', async () => {
    const dir = tempDir('rdm2-tb-');
    const file = join(dir, 'frac.jsonl');
    const lines = Array.from({ length: 40 }, (_, t) => JSON.stringify({ step: t + 0.5, losses: Array.from(data.subarray(t * PROBES, (t + 1) * PROBES)) }));
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await runCliHere(['analyze', file, '--window', String(W), '--tensorboard', join(dir, 'tb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TensorBoard steps are integers, but window at step 15\.5 is at step 15\.5/);
    await expectReject(watch(file, { window: W, pollMs: 3, idleTimeoutMs: 30, tensorboard: join(dir, 'tb2') }), 'ERR_RDM2_OPTION', /TensorBoard steps are integers/);
  });
});
