/**
 * The SDK passes the same private-key object to every `createSignature` call; building a wasm
 * signer from it each time would redo the public-key derivation. A WeakMap keyed by that
 * object keeps one signer per key object, and a constant-time compare against a copy of the
 * bytes notices a key object that was changed in place. Nothing is kept once the SDK drops
 * its key object (the wasm signer is freed, and zeroized, by its finalizer).
 */
import { sameBytes } from '../bytes.js';

interface Entry<S> {
  copy: Uint8Array;
  signer: S;
}

/** A cache of signers made by `make` from a key's bytes, keyed by the key object. */
export class SignerCache<S> {
  readonly #entries = new WeakMap<object, Entry<S>>();
  readonly #make: (key: Uint8Array) => S;

  constructor(make: (key: Uint8Array) => S) {
    this.#make = make;
  }

  /** The signer for `bytes`, cached under `owner` (the object the caller passed). */
  get(owner: object, bytes: Uint8Array): S {
    const hit = this.#entries.get(owner);
    if (hit !== undefined && sameBytes(hit.copy, bytes)) return hit.signer;
    const signer = this.#make(bytes);
    this.#entries.set(owner, { copy: Uint8Array.from(bytes), signer });
    return signer;
  }
}
