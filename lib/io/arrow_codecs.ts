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
  const decoders: [CompressionType, (data: Uint8Array) => Uint8Array][] = [
    [CompressionType.LZ4_FRAME, (data) => lz4.decompress(data)],
    [CompressionType.ZSTD, (data) => zstdDecompress(data)],
  ];
  for (const [type, decode] of decoders) {
    const codec = compressionRegistry.get(type);
    // Keep an encoder the application registered (for writing); add the decoder it lacks.
    if (!codec?.decode) compressionRegistry.set(type, { ...codec, decode });
  }
}
