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

/** {@link KeyStore.putKey} options. */
export interface PutKeyOptions {
  /**
   * Overwrite a stored key of the same `(publisherId, keyId)`; its bindings to other streams
   * are dropped (they named the old bytes). Default false: a stored key is never overwritten.
   */
  replace?: boolean;
}

/**
 * Where group keys persist, with the SDK's schema: `EncryptionKeys` maps
 * `<publisherId>::<keyId>` to the key, `LatestEncryptionKeyIds` maps
 * `<publisherId>::<streamId>` to a key id. Besides it, each key is **bound** to the streams it
 * was stored for (docs/key-store.md): `getKey` returns a key only for a stream it is bound to,
 * so a key id copied from one stream never loads a key of another. Key bytes are secret:
 * implementations never log them.
 */
export interface KeyStore {
  /**
   * The key `keyId` of `publisherId`, only if it is bound to `streamId`: stored for that
   * stream with `putKey`, or (keys the SDK wrote, which carry no binding) that stream's latest
   * key in `LatestEncryptionKeyIds`. Otherwise `undefined`, as for a key not stored at all.
   */
  getKey(publisherId: string, keyId: string, streamId: string): Promise<Uint8Array | undefined>;
  /**
   * Stores `key` under `(publisherId, keyId)` and binds it to `streamId`. Add-only: a key
   * already stored under that pair is kept (and bound to `streamId` too only if its bytes are
   * the same), unless `options.replace`.
   */
  putKey(publisherId: string, keyId: string, key: Uint8Array, streamId: string, options?: PutKeyOptions): Promise<void>;
  getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined>;
  setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void>;
  close(): Promise<void>;
}
