// Reading the members of a zip archive (an .npz) held in memory, defensively. fflate inflates;
// this file reads the directory itself because fflate's unzip neither checks CRC-32s (a flipped
// data byte went through silently) nor lets a caller see a member's header before inflating all
// of it (a 1.5 MB archive declaring 1.5 GB was expanded without a cap). Every offset and size is
// checked against the archive's own length; every member is checked against its CRC-32.
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';
import { fileError } from './file_error.js';

/** One member of an archive, from its central directory entry. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  /** Bytes of (compressed) data in the archive. */
  compressedSize: number;
  /** Bytes once inflated, as the directory declares them. */
  size: number;
  /** Offset of the member's data in the archive. */
  dataOffset: number;
}

/**
 * The largest expansion accepted for a deflated member beyond {@link ZIP_RATIO_FLOOR} bytes:
 * deflate's own limit is 1032:1; float losses compress about 1.1:1, and a bomb close to 1000:1.
 */
export const MAX_ZIP_RATIO = 256;
/** A deflated member may expand to this many bytes whatever its ratio (labels, steps and other small metadata compress very well). */
export const ZIP_RATIO_FLOOR = 64 * 2 ** 20;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32; // exact below 2^53, far beyond any archive in memory
}

function bad(file: string, where: string, problem: string): never {
  fileError(file, where, `not a valid .npz (zip) archive: ${problem}`);
}

/** Offset of the end-of-central-directory record, searched backwards over the possible comment. */
function findEocd(bytes: Uint8Array, file: string): number {
  const last = bytes.length - 22;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (bytes[at] === 0x50 && u32(bytes, at) === EOCD && at + 22 + u16(bytes, at + 20) === bytes.length) return at;
  }
  bad(file, '', bytes.length < 22 ? `${bytes.length} bytes, too short for a zip archive` : 'no end-of-central-directory record');
}

/** The central directory's offset, size and entry count, from the zip64 record when the classic one overflows. */
function directoryOf(bytes: Uint8Array, file: string): { offset: number; size: number; count: number } {
  const eocd = findEocd(bytes, file);
  let count = u16(bytes, eocd + 10);
  let size = u32(bytes, eocd + 12);
  let offset = u32(bytes, eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(bytes, loc) !== ZIP64_LOCATOR) bad(file, `byte ${eocd}`, 'a zip64 archive without its zip64 locator');
    const rec = u64(bytes, loc + 8);
    if (rec + 56 > loc || u32(bytes, rec) !== ZIP64_EOCD) bad(file, `byte ${loc}`, 'the zip64 end-of-central-directory record is missing');
    count = u64(bytes, rec + 32);
    size = u64(bytes, rec + 40);
    offset = u64(bytes, rec + 48);
  }
  if (offset + size > eocd) bad(file, `byte ${eocd}`, `the central directory (${size} bytes at ${offset}) lies outside the archive`);
  // Each entry takes at least 46 bytes: a count beyond that is a lie, refused before any work.
  if (count * 46 > size) bad(file, `byte ${eocd}`, `${count} entries declared in a ${size}-byte central directory`);
  return { offset, size, count };
}

/** The members of an archive held in memory, with every offset and size checked against it. */
export function zipEntries(bytes: Uint8Array, file: string): ZipEntry[] {
  const dir = directoryOf(bytes, file);
  const end = dir.offset + dir.size;
  const out: ZipEntry[] = [];
  let at = dir.offset;
  for (let k = 0; k < dir.count; k++) {
    if (at + 46 > end || u32(bytes, at) !== CENTRAL) bad(file, `byte ${at}`, `central directory entry ${k} is missing`);
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const crc = u32(bytes, at + 16);
    let compressedSize = u32(bytes, at + 20);
    let size = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    let local = u32(bytes, at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > end) bad(file, `byte ${at}`, `central directory entry ${k} runs past the directory`);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // zip64 sizes and offset, in this order, for the fields that overflowed (numpy writes zip64).
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = u16(bytes, e);
      const len = u16(bytes, e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const take = (): number => {
          if (p + 8 > e + 4 + len) bad(file, `byte ${e}`, `the zip64 field of '${name}' is too short`);
          const v = u64(bytes, p);
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (local === 0xffffffff) local = take();
      }
      e += 4 + len;
    }
    if (flags & 0x1) bad(file, `byte ${at}`, `member '${name}' is encrypted`);
    if (method !== 0 && method !== 8) bad(file, `byte ${at}`, `member '${name}' uses compression method ${method}, expected stored (0) or deflate (8)`);
    if (local + 30 > dir.offset || u32(bytes, local) !== LOCAL) bad(file, `byte ${local}`, `the local header of '${name}' is missing`);
    const dataOffset = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
    if (dataOffset + compressedSize > dir.offset) {
      bad(file, `byte ${local}`, `member '${name}' declares ${compressedSize} bytes of data at byte ${dataOffset}, past the end of the members`);
    }
    if (method === 0 && size !== compressedSize) bad(file, `byte ${at}`, `stored member '${name}' declares ${size} bytes but holds ${compressedSize}`);
    out.push({ name, method, crc32: crc, compressedSize, size, dataOffset });
    at = next;
  }
  return out;
}

/** Throws unless a deflated member's declared size is within the expansion rdm2 accepts. */
function checkRatio(e: ZipEntry, file: string): void {
  if (e.method === 8 && e.size > Math.max(ZIP_RATIO_FLOOR, MAX_ZIP_RATIO * e.compressedSize)) {
    fileError(
      file,
      `member '${e.name}'`,
      `declares ${e.size} bytes inflated from ${e.compressedSize} (${Math.round(e.size / Math.max(e.compressedSize, 1))}:1), more than the ${MAX_ZIP_RATIO}:1 rdm2 accepts beyond ${ZIP_RATIO_FLOOR} bytes (a zip bomb?); store it uncompressed (np.savez) if it is real`,
    );
  }
}

/**
 * Inflates a deflated member into `out`, pushing the compressed data a piece at a time and
 * stopping as soon as `stopAt` bytes came out: a member that inflates past its declared size is
 * caught after at most one piece (64 KiB in, at most 66 MB out), not after inflating all of it.
 * Returns how many bytes came out (up to the last piece pushed).
 */
function inflateInto(data: Uint8Array, out: Uint8Array, stopAt: number, e: ZipEntry, file: string): number {
  let have = 0;
  const inflate = new Inflate((chunk) => {
    if (have < out.length) out.set(chunk.subarray(0, out.length - have), have);
    have += chunk.length;
  });
  const PIECE = 65536;
  try {
    for (let p = 0; p < data.length && have < stopAt; p += PIECE) inflate.push(data.subarray(p, p + PIECE), p + PIECE >= data.length);
  } catch (err) {
    fileError(file, `member '${e.name}'`, `corrupt deflate data (${(err as Error).message})`, err);
  }
  return have;
}

/**
 * The first `count` bytes of a member (fewer when it is shorter), inflating no more than needed:
 * enough to read an .npy header before deciding to inflate the rest.
 */
export function peekZipEntry(bytes: Uint8Array, e: ZipEntry, count: number, file: string): Uint8Array {
  const data = bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  if (e.method === 0) return data.subarray(0, Math.min(count, data.length));
  checkRatio(e, file);
  const out = new Uint8Array(Math.min(count, e.size));
  const have = inflateInto(data, out, out.length, e, file);
  return out.subarray(0, Math.min(have, out.length));
}

/** A member's bytes, inflated into exactly its declared size and checked against its CRC-32. */
export function readZipEntry(bytes: Uint8Array, e: ZipEntry, file: string): Uint8Array {
  const data = bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) out = data;
  else {
    checkRatio(e, file);
    try {
      out = new Uint8Array(e.size);
    } catch (err) {
      fileError(file, `member '${e.name}'`, `cannot allocate the ${e.size} bytes it declares (${(err as Error).message})`, err);
    }
    const have = inflateInto(data, out, e.size + 1, e, file);
    if (have > e.size) fileError(file, `member '${e.name}'`, `inflates past the ${e.size} bytes the archive declares`);
    if (have < e.size) fileError(file, `member '${e.name}'`, `inflates to ${have} bytes, but the archive declares ${e.size}`);
  }
  const actual = crc32(out) >>> 0;
  if (actual !== e.crc32) {
    fileError(file, `member '${e.name}'`, `CRC-32 mismatch (stored ${hex(e.crc32)}, data ${hex(actual)}): the archive is corrupt`);
  }
  return out;
}

function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}
