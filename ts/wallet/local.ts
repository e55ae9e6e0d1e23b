/** `LocalSigner`: a secp256k1 key held in wasm, for headless publishers, bots and tests. */
import { EvmSigner } from '#wasm';
import type { SignerPort } from '../ports.js';
import { createError } from '../errors.js';
import { fromHex } from './hex.js';
import type { CoreLocalSigner, CoreSignerSource } from './signer.js';

/** {@link LocalSigner} options. */
export interface LocalSignerOptions {
  /**
   * Sign on behalf of this ERC-1271 wallet contract (`0x` + 40 hex), whose `isValidSignature`
   * accepts this key's signatures: messages carry the contract as publisher and
   * `ERC_1271` as signature type.
   */
  erc1271Contract?: string;
}

/**
 * A {@link SignerPort} over the wasm `EvmSigner`: the private key never leaves wasm memory,
 * and the core signs without a question per message.
 */
export class LocalSigner implements SignerPort, CoreSignerSource {
  /** `'ECDSA_SECP256K1_EVM'`, or `'ERC_1271'` when signing for a contract. */
  readonly signatureType: string;
  private readonly userId: string;

  private constructor(
    private readonly evm: EvmSigner,
    options: LocalSignerOptions,
  ) {
    if (options.erc1271Contract !== undefined) {
      if (!/^0x[0-9a-fA-F]{40}$/.test(options.erc1271Contract)) {
        throw createError('INVALID_ARGUMENT', 'erc1271Contract must be 0x + 40 hex digits');
      }
      this.userId = options.erc1271Contract.toLowerCase();
      this.signatureType = 'ERC_1271';
    } else {
      this.userId = evm.address;
      this.signatureType = 'ECDSA_SECP256K1_EVM';
    }
  }

  /** A signer from a 32-byte private key (bytes or hex). Throws `INVALID_KEY` for a bad key. */
  static fromPrivateKey(key: Uint8Array | string, options: LocalSignerOptions = {}): LocalSigner {
    const bytes = typeof key === 'string' ? fromHex(key, 'private key') : key;
    return new LocalSigner(EvmSigner.fromPrivateKey(bytes), options);
  }

  /** A signer with a fresh random key (from the CSPRNG, in wasm). */
  static generate(options: LocalSignerOptions = {}): LocalSigner {
    return new LocalSigner(EvmSigner.generate(), options);
  }

  /** The address of the key (for ERC-1271, the owner, not the contract). */
  get address(): string {
    return this.evm.address;
  }

  /** The id messages carry: the address, or the ERC-1271 contract. */
  async getUserId(): Promise<string> {
    return this.userId;
  }

  /** EIP-191 `personal_sign` of `payload`, in wasm: 65 bytes r‖s‖v. */
  async sign(payload: Uint8Array): Promise<Uint8Array> {
    return this.evm.sign(payload);
  }

  /** The wasm signer for the core; `undefined` for ERC-1271 (the core then asks `sign`). */
  coreSigner(): CoreLocalSigner | undefined {
    return this.signatureType === 'ERC_1271' ? undefined : this.evm;
  }
}
