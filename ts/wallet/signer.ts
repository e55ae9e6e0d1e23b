/** What the publisher and subscriber handles need beyond {@link SignerPort}. */
import type { EvmSigner, MlDsa87Signer } from '#wasm';
import type { SignerPort } from '../ports.js';

/** A wasm signer the core can use directly (no `sign` questions, no await per signature). */
export type CoreLocalSigner = EvmSigner | MlDsa87Signer;

/**
 * A {@link SignerPort} whose key is held in wasm: `coreSigner()` hands it to the core, which
 * then signs without asking. `undefined` means "answer `sign` questions through `sign()`".
 */
export interface CoreSignerSource extends SignerPort {
  coreSigner(): CoreLocalSigner | undefined;
  /**
   * Called by the handles before every input to the core that may sign (a publish, a network
   * message, an answer, a timer): a signer whose key can lapse checks its clock here and
   * pauses its wasm key first (`SessionSigner`), so the core never signs with a lapsed key.
   */
  beforeCoreInput?(): void;
}

/** True when `signer` can give the core its wasm signer. */
export function isCoreSignerSource(signer: SignerPort): signer is CoreSignerSource {
  return typeof (signer as Partial<CoreSignerSource>).coreSigner === 'function';
}
