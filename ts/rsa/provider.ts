/**
 * Which RSA-OAEP-SHA-1 runs: the platform's (`#rsa-platform`: WebCrypto in browsers and
 * workers, node:crypto in Node), and the rsa-wasm module where the platform has none or
 * refuses the key (e.g. a modulus size its WebCrypto does not take). Both are imported on
 * first use only, so an app that never does RSA never fetches either.
 */
import { rsa as wasmRsa, rsaWasmLoaded } from './fallback.js';
import type { RsaImplementation, RsaPath, RsaPrivateKeyHandle } from './platform.js';

/** `'platform'` (default): the platform's RSA, the rsa-wasm module only where it fails; `'wasm'`: always the module. */
export type RsaPreference = 'platform' | 'wasm';

let preference: RsaPreference = 'platform';
let platformLoading: Promise<RsaImplementation | undefined> | undefined;
const operations: Record<RsaPath, number> = { webcrypto: 0, node: 0, wasm: 0 };

/** Chooses where RSA runs from now on (see {@link RsaPreference}). */
export function configureRsa(options: { prefer?: RsaPreference }): void {
  if (options.prefer !== undefined) {
    if (options.prefer !== 'platform' && options.prefer !== 'wasm') throw new TypeError("prefer must be 'platform' or 'wasm'");
    preference = options.prefer;
  }
}

/** What RSA did so far: operations per path, and whether the rsa-wasm module was loaded. */
export function rsaStats(): { operations: Record<RsaPath, number>; wasmLoaded: boolean; platformLoaded: boolean } {
  return { operations: { ...operations }, wasmLoaded: rsaWasmLoaded(), platformLoaded: platformLoading !== undefined };
}

function platform(): Promise<RsaImplementation | undefined> {
  platformLoading ??= import('#rsa-platform').then(
    (m) => (m.rsa.available() ? m.rsa : undefined),
    () => undefined,
  );
  return platformLoading;
}

/** `op` on the platform, then on rsa-wasm if the platform has no RSA or refused. */
async function withFallback<T>(op: (impl: RsaImplementation) => Promise<T>): Promise<T> {
  if (preference === 'platform') {
    const impl = await platform();
    if (impl !== undefined) {
      try {
        const out = await op(impl);
        operations[impl.path]++;
        return out;
      } catch {
        // Refused (a key size or exponent the platform does not take): the module decides.
      }
    }
  }
  const out = await op(wasmRsa);
  operations.wasm++;
  return out;
}

function counted(h: RsaPrivateKeyHandle): RsaPrivateKeyHandle {
  return {
    path: h.path,
    publicKeyDer: h.publicKeyDer,
    async decrypt(ciphertext) {
      const out = await h.decrypt(ciphertext);
      operations[h.path]++;
      return out;
    },
    exportPkcs8: () => h.exportPkcs8(),
    dispose: () => h.dispose(),
  };
}

/** RSA-OAEP-SHA-1 of `data` to an SPKI DER key the core already checked. */
export function rsaEncrypt(spkiDer: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return withFallback((impl) => impl.encrypt(spkiDer, data));
}

/** A fresh private key of `bits`, e = 65537. */
export async function rsaGenerate(bits: number, extractable: boolean): Promise<RsaPrivateKeyHandle> {
  return counted(await withFallback((impl) => impl.generate(bits, extractable)));
}

/** A private key from PKCS#8 DER. */
export async function rsaImportPkcs8(der: Uint8Array, extractable: boolean): Promise<RsaPrivateKeyHandle> {
  return counted(await withFallback((impl) => impl.importPkcs8(der, extractable)));
}
