// .npy decoding against files written by NumPy 2.4 (embedded below), encoding, and every
// malformed-file error with its message.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { lossArrayFromNpy, decodeNpy, encodeNpy, openNpyRows, readNpy, readNpyHeader } from '../lib/io/npy.js';
import { tempDir } from './io_fixtures.js';

// np.lib.format.write_array(f, a, version=...) with a = arange(6).reshape(2, 3) * 0.5 + 1
const NUMPY = {
  C_F4_V1:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AADAPwAAAEAAACBAAABAQAAAYEA=',
  F_F8BE_V1:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/8AAAAAAAAEAEAAAAAAAAP/gAAAAAAABACAAAAAAAAEAAAAAAAAAAQAwAAAAAAAA=',
  C_F4BE_V2:
    'k05VTVBZAgB0AAAAeydkZXNjcic6ICc+ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAP8AAAEAAAABAIAAAQEAAAEBgAAA=',
  C_F8_V3:
    'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAPg/AAAAAAAAAEAAAAAAAAAEQAAAAAAAAAhAAAAAAAAADEA=',
  // b = arange(12).reshape(2, 2, 3) * 0.25 - 1, Fortran order
  F3D_F8:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwvwAAAAAAAOA/AAAAAAAA0L8AAAAAAAD0PwAAAAAAAOi/AAAAAAAA6D8AAAAAAAAAAAAAAAAAAPg/AAAAAAAA4L8AAAAAAADwPwAAAAAAANA/AAAAAAAA/D8=',
  I8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoKAAAAAAAAABQAAAAAAAAAHgAAAAAAAAA=',
  U: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPFU1JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAp0AAAAcgAAAGEAAABpAAAAbgAAAHQAAABlAAAAcwAAAHQAAAAAAAAA6QAAAAAAAAAAAAAAAAAAAAAAAAA=',
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const ROW_MAJOR = [1, 1.5, 2, 2.5, 3, 3.5];

function fileError(f: () => unknown): Rdm2Error {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_FILE');
    return e as Rdm2Error;
  }
  throw new Error('expected an error');
}

async function fileErrorAsync(f: () => Promise<unknown>): Promise<Rdm2Error> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(Rdm2Error);
    expect((e as Rdm2Error).code).toBe('ERR_RDM2_FILE');
    return e as Rdm2Error;
  }
  throw new Error('expected an error');
}

function withHeader(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0], 0);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(text, prefix);
  out.set(data, prefix + text.length);
  return out;
}

describe('decodeNpy on NumPy-written files', () => {
  it('reads a version 1.0 little-endian float32 C-order file in place', () => {
    const a = decodeNpy(bytes(NUMPY.C_F4_V1), 'a.npy');
    expect(a.header).toMatchObject({ major: 1, minor: 0, fortranOrder: false, shape: [2, 3], count: 6, dataOffset: 128, dataBytes: 24 });
    expect(a.header.dtype).toEqual({ descr: '<f4', kind: 'f', itemSize: 4, littleEndian: true, name: 'float32' });
    expect(a.values).toBeInstanceOf(Float32Array);
    expect(Array.from(a.values as Float32Array)).toEqual(ROW_MAJOR);
  });

  it('reads big-endian float64 in Fortran order (kept column-major, strided view)', () => {
    const a = decodeNpy(bytes(NUMPY.F_F8BE_V1), 'b.npy');
    expect(a.header.fortranOrder).toBe(true);
    expect(Array.from(a.values as Float64Array)).toEqual([1, 2.5, 1.5, 3, 2, 3.5]);
    const loss = lossArrayFromNpy(a, 'b.npy');
    expect(loss.order).toBe('F');
    expect(loss.shape).toEqual([2, 3]);
  });

  it('reads version 2.0 (big-endian float32) and 3.0 (utf-8 header) files', () => {
    const v2 = decodeNpy(bytes(NUMPY.C_F4BE_V2), 'c.npy');
    expect(v2.header.major).toBe(2);
    expect(v2.header.dataOffset).toBe(128);
    expect(Array.from(v2.values as Float32Array)).toEqual(ROW_MAJOR);
    const v3 = decodeNpy(bytes(NUMPY.C_F8_V3), 'd.npy');
    expect(v3.header.major).toBe(3);
    expect(Array.from(v3.values as Float64Array)).toEqual(ROW_MAJOR);
  });

  it('transposes a 3-D Fortran-order file to row-major [T, K, n]', () => {
    const loss = lossArrayFromNpy(decodeNpy(bytes(NUMPY.F3D_F8), 'e.npy'), 'e.npy');
    expect(loss.order).toBe('C');
    expect(loss.shape).toEqual([2, 2, 3]);
    expect(Array.from(loss.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 0.25 - 1));
  });

  it('reads int64 and unicode arrays (metadata)', () => {
    expect(decodeNpy(bytes(NUMPY.I8), 'i.npy').values).toEqual(BigInt64Array.of(10n, 20n, 30n));
    expect(decodeNpy(bytes(NUMPY.U), 'u.npy').values).toEqual(['train', 'test', 'é']);
  });

  it('copies misaligned little-endian data instead of viewing it', () => {
    const src = bytes(NUMPY.C_F8_V3);
    const shifted = new Uint8Array(src.length + 1);
    shifted.set(src, 1);
    const a = decodeNpy(shifted.subarray(1), 'm.npy');
    expect(Array.from(a.values as Float64Array)).toEqual(ROW_MAJOR);
  });
});

describe('encodeNpy', () => {
  it('writes byte for byte what numpy.save writes', () => {
    const ours = encodeNpy({ values: Float32Array.from(ROW_MAJOR), shape: [2, 3] });
    expect(Buffer.from(ours).toString('base64')).toBe(NUMPY.C_F4_V1);
    const fortranBe = encodeNpy({ values: Float64Array.of(1, 2.5, 1.5, 3, 2, 3.5), shape: [2, 3], fortranOrder: true, littleEndian: false });
    expect(Buffer.from(fortranBe).toString('base64')).toBe(NUMPY.F_F8BE_V1);
  });

  it('round-trips strings, int32, uint8 and 0-d arrays', () => {
    expect(decodeNpy(encodeNpy({ values: ['a', 'bé', ''], shape: [3] }), 'x').values).toEqual(['a', 'bé', '']);
    expect(decodeNpy(encodeNpy({ values: Int32Array.of(-1, 7), shape: [2] }), 'x').values).toEqual(Int32Array.of(-1, 7));
    expect(decodeNpy(encodeNpy({ values: Uint8Array.of(0, 1), shape: [2] }), 'x').header.dtype.descr).toBe('|u1');
    const scalar = decodeNpy(encodeNpy({ values: Float64Array.of(42), shape: [] }), 'x');
    expect(scalar.header.shape).toEqual([]);
    expect(scalar.header.count).toBe(1);
    expect(Array.from(scalar.values as Float64Array)).toEqual([42]);
  });
});

describe('malformed .npy files', () => {
  const good = bytes(NUMPY.C_F4_V1);

  it('a wrong magic string', () => {
    const e = fileError(() => decodeNpy(new TextEncoder().encode('hello world, not npy'), 'x.npy'));
    expect(e.message).toBe('x.npy: byte 0: not a NumPy .npy file: starts with 68 65 6c 6c 6f 20, expected the magic string \\x93NUMPY (93 4e 55 4d 50 59)');
  });

  it('a file shorter than the preamble', () => {
    const e = fileError(() => decodeNpy(good.subarray(0, 7), 'x.npy'));
    expect(e.message).toBe('x.npy: byte 0: truncated: the file has 7 bytes, a .npy header needs at least 10');
  });

  it('an unsupported version', () => {
    const b = good.slice();
    b[6] = 4;
    expect(fileError(() => decodeNpy(b, 'x.npy')).message).toBe('x.npy: byte 6: unsupported .npy format version 4.0, expected 1.0, 2.0 or 3.0');
  });

  it('a truncated header', () => {
    const e = fileError(() => decodeNpy(good.subarray(0, 60), 'x.npy'));
    expect(e.message).toBe('x.npy: byte 60: truncated header: the header declares 128 bytes, the file has only 60');
  });

  it('truncated data', () => {
    const e = fileError(() => decodeNpy(good.subarray(0, 140), 'x.npy'));
    expect(e.message).toBe(
      'x.npy: byte 140: truncated: the header declares shape (2, 3) float32 (24 bytes of data from byte 128), but the file ends after 12 bytes of data',
    );
  });

  it('bytes after the data', () => {
    const b = new Uint8Array(good.length + 4);
    b.set(good);
    const e = fileError(() => decodeNpy(b, 'x.npy'));
    expect(e.message).toBe('x.npy: byte 152: 4 unexpected bytes after the data: the header declares shape (2, 3) float32 (24 bytes of data from byte 128)');
  });

  it('a header that is not a dict literal', () => {
    const e = fileError(() => decodeNpy(withHeader("{'descr': '<f4' 'shape': (1,)}\n"), 'x.npy'));
    expect(e.message).toBe(`x.npy: header byte 26: malformed header "{'descr': '<f4' 'shape': (1,)}": expected ',' or '}' after a dict value`);
    const e2 = fileError(() => decodeNpy(withHeader('[1, 2]\n'), 'x.npy'));
    expect(e2.message).toBe(`x.npy: header byte 10: malformed header "[1, 2]": expected a dict {'descr': ..., 'fortran_order': ..., 'shape': ...}`);
  });

  it('missing or extra header keys', () => {
    const e = fileError(() => decodeNpy(withHeader("{'descr': '<f4', 'shape': (1,), }\n"), 'x.npy'));
    expect(e.message).toBe("x.npy: header byte 10: header has keys [descr, shape], expected exactly 'descr', 'fortran_order' and 'shape'");
  });

  it('an unsupported dtype, a structured dtype, a bad shape', () => {
    const e = fileError(() => decodeNpy(withHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }\n"), 'x.npy'));
    expect(e.message).toBe(
      "x.npy: header byte 10: unsupported dtype '<c16', expected float32 or float64 ('<f4', '>f4', '<f8', '>f8') for losses, or an integer, unicode or bytes dtype for metadata",
    );
    const s = fileError(() => decodeNpy(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n"), 'x.npy'));
    expect(s.message).toBe(`x.npy: header byte 10: 'descr' is [["a","<f4"]]: structured dtypes are not supported, expected a plain dtype such as '<f4'`);
    const sh = fileError(() => decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }\n"), 'x.npy'));
    expect(sh.message).toBe(`x.npy: header byte 10: 'shape' is [2,-1], expected a tuple of non-negative integers`);
    const fo = fileError(() => decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }\n"), 'x.npy'));
    expect(fo.message).toBe(`x.npy: header byte 10: 'fortran_order' is 0, expected True or False`);
  });

  it('a version 2.0 header is parsed from byte 12', () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }\n";
    const b = withHeader(header, new Uint8Array(8), 2);
    expect(decodeNpy(b, 'x.npy').header).toMatchObject({ major: 2, dataOffset: 12 + header.length, shape: [1, 1] });
  });

  it('arrays that are not losses', () => {
    const ints = decodeNpy(bytes(NUMPY.I8), 'i.npy');
    expect(fileError(() => lossArrayFromNpy(ints, 'i.npy')).message).toBe("i.npy: header byte 10: dtype int64 ('<i8'), expected float32 or float64 losses");
    const oneD = decodeNpy(encodeNpy({ values: Float64Array.of(1, 2), shape: [2] }), 'v.npy');
    expect(fileError(() => lossArrayFromNpy(oneD, 'v.npy')).message).toBe(
      'v.npy: header byte 10: shape (2,), expected 2-D (T, n) losses or 3-D (T, K, n) perturbation blocks',
    );
    const empty = decodeNpy(encodeNpy({ values: new Float64Array(0), shape: [0, 3] }), 'z.npy');
    expect(fileError(() => lossArrayFromNpy(empty, 'z.npy')).message).toBe(
      'z.npy: header byte 10: shape (0, 3) has an empty axis, expected at least one checkpoint and one probe',
    );
  });

  it('file-level errors: missing file, a directory, truncation found before streaming', async () => {
    const dir = tempDir();
    expect((await fileErrorAsync(() => readNpy(join(dir, 'nope.npy')))).message).toBe(`${join(dir, 'nope.npy')}: cannot read: no such file (ENOENT)`);
    expect((await fileErrorAsync(() => readNpy(dir))).message).toBe(`${dir}: cannot read: a directory, expected a regular file`);
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, good.subarray(0, 150));
    expect((await fileErrorAsync(() => openNpyRows(cut))).message).toBe(
      `${cut}: byte 150: truncated: the header declares shape (2, 3) float32 (24 bytes of data from byte 128), but the file ends after 22 bytes of data`,
    );
    expect((await fileErrorAsync(() => readNpyHeader(cut))).message).toContain('truncated');
  });
});

describe('openNpyRows streams any layout row by row', () => {
  it('C, Fortran, big-endian and 3-D Fortran files give the same rows', async () => {
    const dir = tempDir();
    for (const [name, b64] of Object.entries({ a: NUMPY.C_F4_V1, b: NUMPY.F_F8BE_V1, c: NUMPY.C_F4BE_V2 })) {
      const path = join(dir, `${name}.npy`);
      writeFileSync(path, bytes(b64));
      const src = await openNpyRows(path);
      const dst = src.dtype === 'float32' ? new Float32Array(6) : new Float64Array(6);
      expect(await src.read(dst, 1, 1)).toBe(1); // row 0 into slot 1
      expect(await src.read(dst, 0, 5)).toBe(1); // only row 1 is left
      expect(Array.from(dst)).toEqual([2.5, 3, 3.5, 1, 1.5, 2]);
      expect(src.position(1, 2)).toBe('row 1, column 2');
      await src.close();
    }
    const p3 = join(dir, 'f3.npy');
    writeFileSync(p3, bytes(NUMPY.F3D_F8));
    const src = await openNpyRows(p3);
    expect([src.rows, src.cols, src.blockSize]).toEqual([4, 3, 2]);
    const dst = new Float64Array(9);
    expect(await src.skip(1)).toBe(1);
    expect(await src.read(dst, 0, 3)).toBe(3);
    expect(Array.from(dst)).toEqual([-0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    expect(src.position(3, 1)).toBe('checkpoint 1, sample 1, column 1');
    await src.close();
  });
});
