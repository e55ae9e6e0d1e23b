/**
 * The ports: what the shim needs from the outside world. The core (wasm) decides; these
 * only move bytes and answer its questions. Every implementation lives in its own module
 * (transport/, wallet/, registry/, keystore/) and can be replaced by the app.
 */

/** `streamId#partition`, the name the relay and the Streamr network use for a stream partition. */
export type StreamPartId = string;

export function streamPartId(streamId: string, partition = 0): StreamPartId {
  return `${streamId}#${partition}`;
}

/** Carries StreamMessage bytes per stream partition (the relay, or the Streamr network). */
export interface Transport {
  /**
   * Deliver every StreamMessage published on `streamPart` (by others) to `onMessage` until
   * the returned function is called. Survives reconnects: the transport resubscribes.
   */
  subscribe(streamPart: StreamPartId, onMessage: (bytes: Uint8Array) => void): Promise<() => Promise<void>>;
  /**
   * Hand `bytes` over for broadcast on `streamPart`. Resolves once the transport owns them:
   * sent, or queued (bounded) while disconnected; rejects with a typed error when it cannot.
   */
  publish(streamPart: StreamPartId, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Signs as one identity. A wallet (EIP-1193) or a key held in wasm. */
export interface SignerPort {
  /** `0x` + lower-case hex: the address (or public key) messages carry as publisherId. */
  getUserId(): Promise<string>;
  /** `'ECDSA_SECP256K1_EVM'`, `'ERC_1271'`, `'ECDSA_SECP256R1'` or `'ML_DSA_87'`. */
  readonly signatureType: string;
  /** Sign exactly `payload` (for EVM: EIP-191 `personal_sign` over the bytes). 65-byte r‖s‖v for EVM. */
  sign(payload: Uint8Array): Promise<Uint8Array>;
  /** Called when the identity changes (wallet account switch); handles built on the old one stop signing. */
  onIdentityChange?(listener: (userId: string | undefined) => void): () => void;
}

/** The outcome of an `eth_call`. A transport or node failure rejects instead. */
export type CallOutcome = { type: 'callResult'; data: Uint8Array } | { type: 'callReverted'; data: Uint8Array };

/** Read-only access to the chain: `eth_call` on the StreamRegistry and on ERC-1271 wallets. */
export interface RegistryPort {
  /** The StreamRegistry contract address (`0x` + hex). */
  readonly streamRegistryAddress: string;
  call(to: string, data: Uint8Array): Promise<CallOutcome>;
}

/**
 * Where group keys persist, with the SDK's schema: `EncryptionKeys` maps
 * `<publisherId>::<keyId>` to the key, `LatestEncryptionKeyIds` maps
 * `<publisherId>::<streamId>` to a key id. Key bytes are secret: implementations never log them.
 */
export interface KeyStore {
  getKey(publisherId: string, keyId: string): Promise<Uint8Array | undefined>;
  putKey(publisherId: string, keyId: string, key: Uint8Array): Promise<void>;
  getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined>;
  setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void>;
  close(): Promise<void>;
}
