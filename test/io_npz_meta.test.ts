// .npz archives (NumPy-written, stored with zip64 headers and deflated) and run metadata:
// sidecar meta.json, named .npz arrays, --groups files, and their errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { findSidecar, readGroupsFile } from '../lib/io/meta.js';
import { encodeNpy } from '../lib/io/npy.js';
import { decodeNpz, encodeNpz } from '../lib/io/npz.js';
import { readLossFile } from '../lib/io/read_loss_file.js';
import { tempDir, writeCsv, writeNpy, writeNpz, writeText } from './io_fixtures.js';

// io.BytesIO(); np.savez(z, losses=a.astype('<f4'), steps=np.array([100, 200]), groups=np.array(['A', 'B', 'B']), transition=np.float64(150.0))
const NPZ_STORED =
  'UEsDBC0AAAAAAAAAIQBwraxE//////////8KABQAbG9zc2VzLm5weQEAEACYAAAAAAAAAJgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AADAPwAAAEAAACBAAABAQAAAYEBQSwMELQAAAAAAAAAhAGL3YkH//////////wkAFABzdGVwcy5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKZAAAAAAAAADIAAAAAAAAAFBLAwQtAAAAAAAAACEAi/yIrv//////////CgAUAGdyb3Vwcy5ucHkBABAAjAAAAAAAAACMAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxVMScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKQQAAAEIAAABCAAAAUEsDBC0AAAAAAAAAIQBU7jIx//////////8OABQAdHJhbnNpdGlvbi5ucHkBABAAiAAAAAAAAACIAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAADAYkBQSwECLQMtAAAAAAAAACEAcK2sRJgAAACYAAAACgAAAAAAAAAAAAAAgAEAAAAAbG9zc2VzLm5weVBLAQItAy0AAAAAAAAAIQBi92JBkAAAAJAAAAAJAAAAAAAAAAAAAACAAdQAAABzdGVwcy5ucHlQSwECLQMtAAAAAAAAACEAi/yIrowAAACMAAAACgAAAAAAAAAAAAAAgAGfAQAAZ3JvdXBzLm5weVBLAQItAy0AAAAAAAAAIQBU7jIxiAAAAIgAAAAOAAAAAAAAAAAAAACAAWcCAAB0cmFuc2l0aW9uLm5weVBLBQYAAAAABAAEAOMAAAAvAwAAAAA=';
// np.savez_compressed(z, losses=a.astype('<f8'), steps=np.array([100, 200]))
const NPZ_DEFLATED =
  'UEsDBC0AAAAIAAAAIQC0Gm3E//////////8KABQAbG9zc2VzLm5weQEAEACwAAAAAAAAAFoAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKxpo6CrUKZAMuBjD4YA+hf0BpBgcIxQKlOaA0jwMAUEsDBC0AAAAIAAAAIQBi92JB//////////8JABQAc3RlcHMubnB5AQAQAJAAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOpo6CrUKFACuFAYIOAGlAVBLAQItAy0AAAAIAAAAIQC0Gm3EWgAAALAAAAAKAAAAAAAAAAAAAACAAQAAAABsb3NzZXMubnB5UEsBAi0DLQAAAAgAAAAhAGL3YkFKAAAAkAAAAAkAAAAAAAAAAAAAAIABlgAAAHN0ZXBzLm5weVBLBQYAAAAAAgACAG8AAAAbAQAAAAA=';
const ROW_MAJOR = [1, 1.5, 2, 2.5, 3, 3.5];

async function fileError(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_FILE');
    return (e as Rdm2Error).message;
  }
  throw new Error('expected an error');
}

describe('.npz archives', () => {
  it('reads a NumPy np.savez archive (zip64 headers) with its metadata arrays', async () => {
    const dir = tempDir();
    const f = join(dir, 'run.npz');
    writeFileSync(f, Buffer.from(NPZ_STORED, 'base64'));
    const r = await readLossFile(f);
    expect(r.format).toBe('npz');
    expect(r.losses.shape).toEqual([2, 3]);
    expect(r.losses.data).toBeInstanceOf(Float32Array);
    expect(Array.from(r.losses.data)).toEqual(ROW_MAJOR);
    expect(Array.from(r.meta.steps!)).toEqual([100, 200]);
    expect(r.meta.groups).toEqual(['A', 'B', 'B']);
    expect(r.meta.transition).toBe(150);
    expect(r.metaSources).toEqual({ steps: `${f} (array 'steps')`, groups: `${f} (array 'groups')`, transition: `${f} (array 'transition')` });
  });

  it('reads a NumPy np.savez_compressed (deflated) archive', async () => {
    const dir = tempDir();
    const f = join(dir, 'run.npz');
    writeFileSync(f, Buffer.from(NPZ_DEFLATED, 'base64'));
    const r = await readLossFile(f);
    expect(r.losses.data).toBeInstanceOf(Float64Array);
    expect(Array.from(r.losses.data)).toEqual(ROW_MAJOR);
    expect(Array.from(r.meta.steps!)).toEqual([100, 200]);
  });

  it('encodeNpz round-trips stored and deflated', () => {
    for (const compress of [false, true]) {
      const z = encodeNpz({ x: { values: Float64Array.of(1, 2), shape: [2] }, s: { values: ['a'], shape: [] } }, { compress });
      const back = decodeNpz(z, 'z.npz');
      expect([...back.keys()].sort()).toEqual(['s', 'x']);
      expect(back.get('x')!.values).toEqual(Float64Array.of(1, 2));
      expect(back.get('s')!.values).toEqual(['a']);
    }
  });

  it('the loss array: "losses", else the one array that is not metadata', async () => {
    const dir = tempDir();
    const single = writeNpz(join(dir, 'single.npz'), Float64Array.of(1, 2, 3, 4), 2, 2, { name: 'arr_0', steps: Float64Array.of(5, 6) });
    const r = await readLossFile(single);
    expect(Array.from(r.losses.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(r.meta.steps!)).toEqual([5, 6]);

    const two = join(dir, 'two.npz');
    writeFileSync(two, encodeNpz({ a: { values: Float64Array.of(1), shape: [1, 1] }, b: { values: Float64Array.of(1), shape: [1, 1] } }));
    expect(await fileError(() => readLossFile(two))).toBe(`${two}: holds several arrays (a, b), expected one named 'losses' (or a single array besides steps, groups, transition)`);
    const none = join(dir, 'none.npz');
    writeFileSync(none, encodeNpz({ steps: { values: Float64Array.of(1), shape: [1] } }));
    expect(await fileError(() => readLossFile(none))).toBe(`${none}: holds no loss array (arrays: steps), expected one named 'losses'`);
  });

  it('a corrupt archive and a corrupt array inside it', async () => {
    const dir = tempDir();
    const bad = writeText(join(dir, 'bad.npz'), 'PK this is not a zip');
    expect(await fileError(() => readLossFile(bad))).toBe(`${bad}: not a valid .npz (zip) archive: 20 bytes, too short for a zip archive`);
    const inner = join(dir, 'inner.npz');
    const npy = encodeNpy({ values: Float64Array.of(1, 2), shape: [1, 2] });
    writeFileSync(inner, zipSync({ 'losses.npy': npy.subarray(0, npy.length - 3) }, { level: 0 }));
    expect(await fileError(() => readLossFile(inner))).toBe(
      `${inner} (array 'losses'): byte 141: truncated: the header declares shape (1, 2) float64 (16 bytes of data from byte 128), but the file ends after 13 bytes of data`,
    );
  });

  it('bad metadata arrays', async () => {
    const dir = tempDir();
    const f = join(dir, 'm.npz');
    writeFileSync(f, encodeNpz({ losses: { values: Float64Array.of(1, 2, 3, 4), shape: [2, 2] }, steps: { values: Float64Array.of(2, 1), shape: [2] } }));
    expect(await fileError(() => readLossFile(f))).toBe(`${f} (array 'steps'): steps[1]: 1 does not come after 2, expected strictly increasing step numbers`);
    writeFileSync(f, encodeNpz({ losses: { values: Float64Array.of(1, 2, 3, 4), shape: [2, 2] }, transition: { values: Float64Array.of(1, 2, 3, 4), shape: [2, 2] } }));
    expect(await fileError(() => readLossFile(f))).toBe(`${f} (array 'transition'): header: float64 array of shape (2, 2), expected one number or a 1-D array of 1 to 1000 steps`);
    // A 1-D array names several transitions, sorted by step.
    writeFileSync(f, encodeNpz({ losses: { values: Float64Array.of(1, 2, 3, 4), shape: [2, 2] }, transition: { values: Float64Array.of(7, 2), shape: [2] } }));
    const several = await readLossFile(f);
    expect(several.meta.transition).toBe(2);
    expect(several.meta.transitions).toEqual([{ label: 'transition 2', step: 2 }, { label: 'transition 1', step: 7 }]);
    writeFileSync(f, encodeNpz({ losses: { values: Float64Array.of(1, 2, 3, 4), shape: [2, 2] }, groups: { values: ['a', 'b', 'c'], shape: [3] } }));
    expect(await fileError(() => readLossFile(f))).toBe(`${f} (array 'groups'): groups: 3 labels, expected 2 (one per probe)`);
  });
});

describe('sidecar meta.json', () => {
  const T = 4;
  const n = 3;
  const data = Float64Array.from({ length: T * n }, (_, i) => 1 + i / 10);

  it('transition: a step, a list of steps or named steps; several are sorted by step and the first is the transition', async () => {
    const dir = tempDir();
    const f = writeNpy(join(dir, 'losses.npy'), data, T, n);
    writeText(join(dir, 'meta.json'), JSON.stringify({ transition: [30, 10] }));
    let r = await readLossFile(f);
    expect(r.meta.transition).toBe(10);
    expect(r.meta.transitions).toEqual([{ label: 'transition 2', step: 10 }, { label: 'transition 1', step: 30 }]);
    writeText(join(dir, 'meta.json'), JSON.stringify({ transition: { 'mode 2': 1400, 'mode 1': 650, 'mode 4': 2700, 'mode 3': 1290 } }));
    r = await readLossFile(f);
    expect(r.meta.transition).toBe(650);
    expect(r.meta.transitions!.map((t) => t.label)).toEqual(['mode 1', 'mode 3', 'mode 2', 'mode 4']);
    expect(r.metaSources.transition).toBe(join(dir, 'meta.json'));
  });

  it('<name>.meta.json wins over meta.json; unknown keys are ignored', async () => {
    const dir = tempDir();
    const f = writeNpy(join(dir, 'losses.npy'), data, T, n);
    expect(await findSidecar(f)).toBeUndefined();
    writeText(join(dir, 'meta.json'), JSON.stringify({ steps: [0, 10, 20, 30], groups: ['a', 'b', 'b'], transition: 15, lr: 0.1 }));
    expect(await findSidecar(f)).toBe(join(dir, 'meta.json'));
    let r = await readLossFile(f);
    expect(Array.from(r.meta.steps!)).toEqual([0, 10, 20, 30]);
    expect(r.meta.groups).toEqual(['a', 'b', 'b']);
    expect(r.meta.transition).toBe(15);
    expect(r.meta.transitions).toBeUndefined();
    expect(r.metaSources.steps).toBe(join(dir, 'meta.json'));
    writeText(join(dir, 'losses.meta.json'), JSON.stringify({ groups: [1, 2, 2] }));
    r = await readLossFile(f);
    expect(r.meta).toEqual({ groups: ['1', '2', '2'] });
    expect((await readLossFile(f, { sidecar: false })).meta).toEqual({});
  });

  it('metadata that does not fit the losses, or is malformed', async () => {
    const dir = tempDir();
    const f = writeNpy(join(dir, 'losses.npy'), data, T, n);
    const meta = join(dir, 'meta.json');
    const cases: [string, string][] = [
      ['{"steps": [1, 2, 3]}', 'steps: 3 step numbers, expected 4 (one per checkpoint)'],
      ['{"steps": [1, 2, 2, 3]}', 'steps[2]: 2 does not come after 2, expected strictly increasing step numbers'],
      ['{"steps": [1, 2, "3", 4]}', 'steps[2]: "3" is not a step number, expected a finite number'],
      ['{"steps": 4}', 'steps: 4 is not an array, expected one step number per checkpoint'],
      ['{"groups": ["a", "b"]}', 'groups: 2 labels, expected 3 (one per probe)'],
      ['{"groups": ["a", null, "b"]}', 'groups[1]: null is not a group label, expected a string or a number'],
      ['{"groups": "abc"}', 'groups: "abc" is not an array, expected one label per probe'],
      ['{"transition": "soon"}', 'transition: "soon" is not a step, a list of steps, or named steps {"name": step, ...}'],
      ['{"transition": [1, "x"]}', 'transition[1]: "x" is not a step, expected a finite number'],
      ['{"transition": {"mode 1": 3, "mode 2": null}}', 'transition.mode 2: null is not a step, expected a finite number'],
      ['{"transition": []}', 'transition: a list of 0 steps, expected 1 to 1000'],
      ['{"transition": {}}', 'transition: 0 named steps, expected 1 to 1000'],
      ['[1, 2]', 'expected a JSON object { "steps": [...], "groups": [...], "transition": ... }'],
    ];
    for (const [text, message] of cases) {
      writeText(meta, text);
      expect(await fileError(() => readLossFile(f))).toBe(`${meta}: ${message}`);
    }
    writeText(meta, '{"steps": [1,');
    expect(await fileError(() => readLossFile(f))).toMatch(new RegExp(`^${meta.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON \\(.+\\), expected an object`));
  });

  it('the same field in two places must agree', async () => {
    const dir = tempDir();
    const f = writeCsv(join(dir, 'losses.csv'), data, T, n, { header: true, steps: [0, 1, 2, 3] });
    writeText(join(dir, 'meta.json'), JSON.stringify({ steps: [0, 1, 2, 3] }));
    expect(Array.from((await readLossFile(f)).meta.steps!)).toEqual([0, 1, 2, 3]);
    writeText(join(dir, 'meta.json'), JSON.stringify({ steps: [0, 10, 20, 30] }));
    expect(await fileError(() => readLossFile(f))).toBe(`${join(dir, 'meta.json')}: steps: disagrees with the steps in ${f}, expected the same values in both`);
  });
});

describe('--groups files', () => {
  it('JSON arrays or objects, .npy arrays, text lines', async () => {
    const dir = tempDir();
    expect(await readGroupsFile(writeText(join(dir, 'g.json'), '["a", "b", 3]'))).toEqual(['a', 'b', '3']);
    expect(await readGroupsFile(writeText(join(dir, 'h.json'), '{"groups": ["x"]}'))).toEqual(['x']);
    expect(await readGroupsFile(writeText(join(dir, 'g.txt'), 'train\r\ntest\n test2 \n'))).toEqual(['train', 'test', 'test2']);
    const npy = join(dir, 'g.npy');
    writeFileSync(npy, encodeNpy({ values: ['u', 'v'], shape: [2] }));
    expect(await readGroupsFile(npy)).toEqual(['u', 'v']);
  });

  it('errors', async () => {
    const dir = tempDir();
    const bad = writeText(join(dir, 'g.json'), '{"labels": []}');
    expect(await fileError(() => readGroupsFile(bad))).toBe(`${bad}: expected a JSON array of group labels or an object with "groups"`);
    const missing = join(dir, 'none.txt');
    expect(await fileError(() => readGroupsFile(missing))).toBe(`${missing}: cannot read: no such file (ENOENT)`);
    const twoD = join(dir, 'g2.npy');
    writeFileSync(twoD, encodeNpy({ values: Float64Array.of(1, 2), shape: [1, 2] }));
    expect(await fileError(() => readGroupsFile(twoD))).toBe(`${twoD}: header: shape (1, 2), expected a 1-D array of labels`);
  });
});
