/**
 * Node's `Buffer` where the SDK expects one. The SDK itself relies on a global `Buffer` (Node,
 * or the polyfill its browser bundle needs), so the stand-ins use the same global rather than
 * importing a copy. Wrapping a wasm-bindgen result is zero-copy: it is already a fresh array.
 */
export interface BufferLike extends Uint8Array {
  toString(encoding?: string): string;
}

interface BufferConstructorLike {
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): BufferLike;
  from(data: Uint8Array | string, encoding?: string): BufferLike;
  alloc(size: number): BufferLike;
  isBuffer(value: unknown): boolean;
}

function bufferClass(): BufferConstructorLike {
  const b = (globalThis as { Buffer?: BufferConstructorLike }).Buffer;
  if (b === undefined) {
    throw new Error('streamr-e2ee/sdk-backend needs a global Buffer (Node, or the polyfill @streamr/sdk needs in a browser)');
  }
  return b;
}

/** `bytes` as a Buffer over the same memory. */
export function asBuffer(bytes: Uint8Array): BufferLike {
  return bufferClass().from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of a string in `encoding` (utf8 by default), as `Buffer.from(s, enc)`. */
export function bufferFrom(data: Uint8Array | string, encoding?: string): BufferLike {
  return bufferClass().from(data, encoding);
}

/** An empty Buffer. */
export function emptyBuffer(): BufferLike {
  return bufferClass().alloc(0);
}

/** Whether `value` is a Buffer. */
export function isBuffer(value: unknown): boolean {
  return bufferClass().isBuffer(value);
}
