// analyze() never reads a caller's buffer off the main thread (issue 13, item 1): detaching
// (transferring) the buffer while the Promise is pending used to free memory the native
// threads were reading. Now the rows are copied a few blocks at a time as the analysis
// goes: a transfer after the last copy cannot matter, and one before it is reported.
import { describe, expect, it } from 'vitest';
import { analyze, analyzeSync, gram2rdm, gram2rdmSync, Rdm2Error } from '../lib/index.js';
import { randomMatrix } from './helpers.js';
import { rng } from '../bench/reference/naive.js';

describe('detaching the input during an async analysis', () => {
  it('the issue\'s repro (4000 x 2000 float32, W = 32): a coded rejection, no crash', async () => {
    const d = randomMatrix(4000, 2000, rng(1).normal, Float32Array);
    const p = analyze({ data: d, shape: [4000, 2000] }, { window: 32 });
    structuredClone(d.buffer, { transfer: [d.buffer] });
    expect(d.length).toBe(0);
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Rdm2Error);
    expect((err as Rdm2Error).code).toBe('ERR_RDM2_DETACHED');
    expect((err as Rdm2Error).message).toMatch(/detached \(transferred\) or shrunk while analyze\(\) was running/);
  });

  it('a small input is copied before analyze() returns: transferring it afterwards changes nothing', async () => {
    const d = randomMatrix(300, 64, rng(2).normal, Float64Array);
    const expected = analyzeSync({ data: d.slice(), shape: [300, 64] }, { window: 16, topK: 2 });
    const p = analyze({ data: d, shape: [300, 64] }, { window: 16, topK: 2 });
    const moved = new Float64Array(structuredClone(d.buffer, { transfer: [d.buffer] }));
    moved.fill(NaN);
    expect(await p).toEqual(expected);
  });

  it('a multi-chunk analysis that is left alone equals the synchronous one bit for bit', async () => {
    const d = randomMatrix(2200, 2048, rng(3).normal, Float32Array);
    const opts = { window: 24, stride: 2, topK: 1, threads: 2 };
    expect(await analyze({ data: d, shape: [2200, 2048] }, opts)).toEqual(analyzeSync({ data: d, shape: [2200, 2048] }, opts));
  });

  it('gram2rdm copies the same way', async () => {
    const d = randomMatrix(6 * 8, 40, rng(4).normal);
    const p = gram2rdm({ data: d, shape: [6, 8, 40] }, { topK: 1 });
    const expected = gram2rdmSync({ data: d.slice(), shape: [6, 8, 40] }, { topK: 1 });
    structuredClone(d.buffer, { transfer: [d.buffer] });
    expect(await p).toEqual(expected);
  });
});
