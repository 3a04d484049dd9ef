// The decompressors apache-arrow needs for compressed IPC record batches: LZ4 frames (pyarrow's
// Feather default) with lz4js, ZSTD with fzstd. apache-arrow ships none; both are pure JavaScript.
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

let registered = false;

/** Registers the LZ4 and ZSTD decoders with apache-arrow (once per process). */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME)) {
    compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data: Uint8Array) => lz4.decompress(data) });
  }
  if (!compressionRegistry.get(CompressionType.ZSTD)) {
    compressionRegistry.set(CompressionType.ZSTD, { decode: (data: Uint8Array) => zstdDecompress(data) });
  }
}
