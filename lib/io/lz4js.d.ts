// Types of the part of lz4js (plain CommonJS, no bundled types) rdm2 and its tests use.
declare module 'lz4js' {
  /** Decompresses one LZ4 frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses to one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  const lz4: { decompress: typeof decompress; compress: typeof compress };
  export default lz4;
}
