// TFRecord framing, as TensorFlow and TensorBoard read it: each record is
//   u64 length | u32 masked CRC-32C of the length bytes | data | u32 masked CRC-32C of the data
// little-endian. The CRC-32C comes from @aws-crypto/crc32c (pure JS, maintained with the AWS SDK).
import { crc32c } from '@aws-crypto/crc32c';

const MASK_DELTA = 0xa282ead8;

/**
 * TensorFlow's masked CRC-32C: the checksum rotated right by 15 bits plus a constant, so that a
 * record holding CRCs of its own does not checksum to a fixed point.
 *
 * @example
 * ```ts
 * maskedCrc32c(new TextEncoder().encode('123456789')); // crc32c = 0xe3069283, masked
 * ```
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One TFRecord around `data`. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
