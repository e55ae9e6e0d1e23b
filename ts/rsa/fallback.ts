/**
 * The rsa-wasm module (`#rsa-wasm`, built from rsa-wasm/ by scripts/build-pkg.sh): the `rsa`
 * crate where the platform has no RSA-OAEP or refuses the key. Imported (fetched, compiled,
 * instantiated) on first use only.
 */
import type { ErrorCode } from '../errors.js';
import { createError } from '../errors.js';
import type { RsaImplementation, RsaPrivateKeyHandle } from './platform.js';

interface RsaWasmKey {
  publicKeyDer(): Uint8Array;
  toPkcs8Der(): Uint8Array;
  decrypt(ciphertext: Uint8Array): Uint8Array;
  free(): void;
}

interface RsaWasmModule {
  RsaPrivateKey: { generate(bits: number): RsaWasmKey; fromPkcs8Der(der: Uint8Array): RsaWasmKey };
  rsaOaepEncrypt(spkiDer: Uint8Array, data: Uint8Array): Uint8Array;
}

let loading: Promise<RsaWasmModule> | undefined;

/** Whether the module was imported (for tests and diagnostics: `rsaStats().wasmLoaded`). */
export function rsaWasmLoaded(): boolean {
  return loading !== undefined;
}

function load(): Promise<RsaWasmModule> {
  if (loading === undefined) {
    const attempt = import('#rsa-wasm').then(async (m) => {
      const mod = m as unknown as RsaWasmModule & { default?: unknown };
      // Node's build is CommonJS: its exports may arrive under `default`.
      if (mod.RsaPrivateKey === undefined) return mod.default as RsaWasmModule;
      // The web build (browsers, bundlers): its default export fetches the .wasm and compiles it
      // while it downloads, as the main module's ready() does (ts/ready.ts).
      if (typeof mod.default === 'function') await (mod.default as () => Promise<unknown>)();
      return mod;
    });
    // A failed fetch is not final: the next RSA operation tries again.
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
    loading = attempt;
  }
  return loading;
}

/** The module's errors carry our codes; rethrown as StreamrE2eeErrors. */
function typed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e?.code === 'string') throw createError(e.code as ErrorCode, String(e.message));
    throw err;
  }
}

function handle(key: RsaWasmKey, extractable: boolean): RsaPrivateKeyHandle {
  return {
    path: 'wasm',
    publicKeyDer: typed(() => key.publicKeyDer()),
    async decrypt(ciphertext) {
      return typed(() => key.decrypt(ciphertext));
    },
    async exportPkcs8() {
      if (!extractable) throw new Error('this RSA key is not extractable');
      return typed(() => key.toPkcs8Der());
    },
    dispose() {
      key.free();
    },
  };
}

export const rsa: RsaImplementation = {
  path: 'wasm',
  available() {
    return true;
  },
  async encrypt(spkiDer, data) {
    const m = await load();
    return typed(() => m.rsaOaepEncrypt(spkiDer, data));
  },
  async generate(bits, extractable) {
    const m = await load();
    return handle(typed(() => m.RsaPrivateKey.generate(bits)), extractable);
  },
  async importPkcs8(der, extractable) {
    const m = await load();
    return handle(typed(() => m.RsaPrivateKey.fromPkcs8Der(der)), extractable);
  },
};
