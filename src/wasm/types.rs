//! TypeScript declarations for the plain objects the exports take and return. They land in
//! the generated `.d.ts` next to the classes.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/**
 * The stable error codes the core raises: `error.code` of what the wasm exports throw, and
 * the `code` of their `error` / `keyRequestDenied` events. The package's `ErrorCode` adds the
 * codes only the shim raises (`ShimErrorCode`, ts/errors.ts).
 */
export type CoreErrorCode =
  | 'MALFORMED_MESSAGE' | 'MESSAGE_TOO_LARGE' | 'INVALID_KEY' | 'DECRYPT_ERROR'
  | 'INVALID_SIGNATURE' | 'UNSUPPORTED_SIGNATURE_TYPE' | 'INVALID_ARGUMENT'
  | 'RANDOMNESS_UNAVAILABLE' | 'PERMISSION_DENIED' | 'PERMISSION_CHECK_FAILED'
  | 'KEY_REQUEST_TIMEOUT' | 'ENCRYPTION_POLICY_VIOLATION' | 'SIGNATURE_POLICY_VIOLATION'
  | 'RATE_LIMITED' | 'OVERLOADED' | 'BUFFER_OVERFLOW' | 'STALE_REQUEST' | 'SIGNER_ERROR'
  | 'MESSAGE_GAP' | 'INVALID_MESSAGE_CONTENT' | 'STREAM_NOT_FOUND' | 'KEY_STORE_UNAVAILABLE'
  | 'REPLAYED_MESSAGE' | 'TIMESTAMP_OUT_OF_RANGE';

/** The kind of a StreamMessage, from which body it carries. */
export type MessageType = 'MESSAGE' | 'GROUP_KEY_REQUEST' | 'GROUP_KEY_RESPONSE';

/** Reference to the previous message of a publisher's chain. */
export interface MessageRef {
  timestamp: number;
  sequenceNumber: number;
}

/** A group key encrypted for someone: `id` in clear, `data` the wrapped key bytes. */
export interface EncryptedGroupKey {
  id: string;
  data: Uint8Array;
}

/** The fields of a GroupKeyRequest body. */
export interface GroupKeyRequestFields {
  requestId: string;
  /** `0x` + lower-case hex. */
  recipientId: string;
  /** SPKI PEM text (RSA) or 1568 bytes (ML-KEM). */
  publicKey: Uint8Array;
  groupKeyIds: string[];
  encryptionType: AsymmetricEncryptionType;
}

/** The fields of a GroupKeyResponse body. */
export interface GroupKeyResponseFields {
  requestId: string;
  /** `0x` + lower-case hex. */
  recipientId: string;
  groupKeys: EncryptedGroupKey[];
  encryptionType: AsymmetricEncryptionType;
}

/**
 * Outcome of {@link StreamMessage.verifySignature}. `NEEDS_ERC1271` is NOT valid yet: the
 * caller must call `isValidSignature(digest, signature)` on `contract` and expect `0x1626ba7e`.
 * `NEEDS_P256` (the npm package's module has no P-256 arithmetic; encodings already checked)
 * is NOT valid until ECDSA P-256 / SHA-256 verifies `signature` over `payload` with
 * `publicKey`: `await verifyP256Signature(publicKey, payload, signature)`.
 */
export type SignatureCheck =
  | { status: 'VALID' }
  | { status: 'NEEDS_ERC1271'; contract: string; digest: Uint8Array; signature: Uint8Array }
  | { status: 'NEEDS_P256'; publicKey: Uint8Array; payload: Uint8Array; signature: Uint8Array };

/** Fields of a content message to build and sign with {@link StreamMessage.createContentMessage}. */
export interface ContentMessageFields {
  streamId: string;
  streamPartition?: number;
  /** Unix milliseconds. */
  timestamp: number;
  sequenceNumber?: number;
  msgChainId: string;
  prevMsgRef?: MessageRef | null;
  /** The bytes as sent: `iv ‖ ct` from {@link encryptWithAES} when encrypted. */
  content: Uint8Array;
  contentType?: ContentType;
  encryptionType?: EncryptionType;
  groupKeyId?: string | null;
  newGroupKey?: EncryptedGroupKey | null;
}

/** A group key as plain data: what a key store holds. A {@link GroupKey} also fits. */
export interface GroupKeyData {
  id: string;
  /** The 32 key bytes. */
  data: Uint8Array;
}

/**
 * A signer whose key the host keeps (a wallet): every signature becomes a `sign` question.
 * `signatureType` is `ECDSA_SECP256K1_EVM` for an EOA (EIP-1193 `personal_sign`), `ERC_1271`
 * for a contract (the `userId` is the contract's address), or `ECDSA_SECP256R1` / `ML_DSA_87`
 * for keys in a host keystore. A shim `P256Signer` (the platform's P-256 key; the npm
 * package's module has no P-256 arithmetic) is given as `p256Signer.external`.
 */
export interface ExternalSigner {
  /** `0x` + hex: the address, contract address or public key the messages carry. */
  userId: string;
  signatureType: SignatureType;
}

/** Who a {@link Publisher} or {@link Subscriber} signs as. Local signers are shared, not consumed. */
export type Signer = EvmSigner | MlDsa87Signer | ExternalSigner;

/**
 * A key-exchange key pair whose private key the host keeps (WebCrypto RSA-OAEP with SHA-1):
 * every unwrap becomes an `unwrapGroupKey` question. For RSA `publicKey` is the SPKI PEM
 * (string or UTF-8 bytes) starting `-----BEGIN PUBLIC KEY-----\n` and ending
 * `-----END PUBLIC KEY-----\n` with exactly one final newline, the base64 either at 64
 * columns or on one line; for ML-KEM the 1568-byte encapsulation key.
 */
export interface ExternalKeyExchange {
  encryptionType: AsymmetricEncryptionType;
  publicKey: Uint8Array | string;
}

/** The key pair a {@link Subscriber} receives keys with. Key-pair objects are shared, not consumed. */
export type KeyExchange = MlKemKeyPair | ExternalKeyExchange;

/** A stream registry permission. */
export type Permission = 'PUBLISH' | 'SUBSCRIBE';

/**
 * A user's StreamRegistry permissions ({@link decodeGetPermissionsForUserId}). Expirations
 * are unix seconds, held while after the chain's time; "forever" is `Number.MAX_SAFE_INTEGER`.
 */
export interface UserPermissions {
  canEdit: boolean;
  canDelete: boolean;
  publishExpiration: number;
  subscribeExpiration: number;
  canGrant: boolean;
}

/** Does `userId` hold `permission` on `streamId` now (public grants included)? Answer `{ type: 'permission', allowed }`. */
export interface PermissionQuestion {
  type: 'permission';
  streamId: string;
  userId: string;
  permission: Permission;
}

/**
 * Does `contract` accept `signature` (`isValidSignature(digest, signature)` returns
 * `0x1626ba7e`)? Answer `{ type: 'permission', allowed: accepted }`.
 */
export interface Erc1271Question {
  type: 'erc1271';
  contract: string;
  /** The EIP-191 hash of the signature payload. */
  digest: Uint8Array;
  signature: Uint8Array;
}

/**
 * Verify an ECDSA_SECP256R1 signature (the main module has no P-256 arithmetic): ECDSA P-256
 * with SHA-256 over `payload`, `signature` 64 bytes `r ‖ s` (high S allowed), `publicKey` SEC1
 * (33 or 65 bytes). The core checked the encodings and everything else; compute only. Answer
 * `{ type: 'signatureValid', valid }` (`failed` counts as invalid). The high-level handles
 * answer it (WebCrypto, `node:crypto`): `answerVerifyP256(question)`.
 */
export interface VerifyP256Question {
  type: 'verifyP256';
  publicKey: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** Sign exactly these bytes with the external signer (`personal_sign`). Answer `{ type: 'signature', signature }`. */
export interface SignQuestion {
  type: 'sign';
  payload: Uint8Array;
}

/**
 * Decrypt a wrapped group key with the external key-exchange private key (RSA-OAEP, SHA-1).
 * Answer `{ type: 'groupKeyBytes', bytes }` with the 32 key bytes.
 */
export interface UnwrapGroupKeyQuestion {
  type: 'unwrapGroupKey';
  encryptionType: AsymmetricEncryptionType;
  keyId: string;
  data: Uint8Array;
}

/**
 * RSA-OAEP-SHA-1-encrypt each key's 32 bytes to `publicKey` (a publisher serving an RSA key
 * request; the main module has no RSA). The core already checked everything (signature,
 * permissions, policy, `minRsaKeyBits`); compute only. Answer `{ type: 'wrappedGroupKeys',
 * data }` with one `bits / 8`-byte ciphertext per key, in order, or `{ type: 'failed' }`.
 * The high-level `createPublisher` answers it (WebCrypto, `node:crypto` or the rsa-wasm module).
 */
export interface WrapGroupKeysQuestion {
  type: 'wrapGroupKeys';
  /** The requester's SPKI DER (rsaEncryption, 640..=4096 bits). */
  publicKey: Uint8Array;
  bits: number;
  /** Secret: the group keys to wrap. */
  keys: GroupKeyData[];
}

/**
 * Load the group key `keyId` of `publisherId` from the key store, **only if it is bound to
 * `streamId`** there (`KeyStore.getKey(publisherId, keyId, streamId)`). Answer
 * `{ type: 'storedKey', data }` with the 32 bytes, or `{ type: 'storedKey' }` when there is no
 * such key. Asked only after the core's checks passed (a verified key request of an allowed
 * subscriber; a verified message of an allowed publisher).
 */
export interface LoadKeyQuestion {
  type: 'loadKey';
  streamId: string;
  publisherId: string;
  keyId: string;
}

/**
 * Registry mode: `eth_call` the StreamRegistry contract with `data`. Answer
 * `{ type: 'callResult', data }`, `{ type: 'callReverted', data }` or `failed`.
 */
export interface RegistryCallQuestion {
  type: 'registryCall';
  data: Uint8Array;
}

/** Registry mode: `eth_call` the contract `to` (ERC-1271 `isValidSignature`); answered like `registryCall`. */
export interface ContractCallQuestion {
  type: 'contractCall';
  to: string;
  data: Uint8Array;
}

/** Something only the host can find out or do. */
export type Question =
  | PermissionQuestion
  | Erc1271Question
  | RegistryCallQuestion
  | ContractCallQuestion
  | SignQuestion
  | VerifyP256Question
  | UnwrapGroupKeyQuestion
  | WrapGroupKeysQuestion
  | LoadKeyQuestion;

/** The host's answer to a {@link Question}. `failed` is always taken as "no". */
export type Answer =
  | { type: 'permission'; allowed: boolean }
  | { type: 'signature'; signature: Uint8Array }
  | { type: 'signatureValid'; valid: boolean }
  | { type: 'groupKeyBytes'; bytes: Uint8Array }
  | { type: 'wrappedGroupKeys'; data: Uint8Array[] }
  | { type: 'storedKey'; data?: Uint8Array | undefined }
  | { type: 'callResult'; data: Uint8Array }
  | { type: 'callReverted'; data: Uint8Array }
  | { type: 'failed'; reason: string };

/** Names one message of a publisher's chain. */
export interface MessageRefWithChain {
  publisherId: string;
  msgChainId: string;
  timestamp: number;
  sequenceNumber: number;
}

/** A publisher sent a response with `keyIds` to `requesterId`. */
export interface KeyRequestAnsweredEvent {
  type: 'keyRequestAnswered';
  requesterId: string;
  keyIds: string[];
}

/**
 * A publisher refused (or could not serve) a key request: `PERMISSION_DENIED`,
 * `PERMISSION_CHECK_FAILED`, `INVALID_SIGNATURE`, `RATE_LIMITED`, `OVERLOADED`,
 * `STALE_REQUEST`, `REPLAYED_MESSAGE`, `MALFORMED_MESSAGE`, `TIMESTAMP_OUT_OF_RANGE`,
 * `UNSUPPORTED_SIGNATURE_TYPE` (LEGACY), `ENCRYPTION_POLICY_VIOLATION` (RSA refused, or under
 * `minRsaKeyBits`), `SIGNER_ERROR`, `INVALID_KEY`, ….
 */
export interface KeyRequestDeniedEvent {
  type: 'keyRequestDenied';
  requesterId: string;
  code: CoreErrorCode;
  message: string;
}

/** A subscriber sent a key request for `keyId` to `publisherId` (`attempt` 1 is the first). */
export interface KeyRequestSentEvent {
  type: 'keyRequestSent';
  publisherId: string;
  keyId: string;
  attempt: number;
}

/**
 * A publish was not sent: the signer (a wallet) refused or failed (`SIGNER_ERROR`). `publishId`
 * is what `publish()` returned. The chain and keys were rolled back; later publishes link on.
 */
export interface PublishFailedEvent {
  type: 'publishFailed';
  publishId: number;
  code: CoreErrorCode;
  message: string;
}

/** Something went wrong with an input; `messageRef` names the content message concerned. */
export interface E2eeErrorEvent {
  type: 'error';
  code: CoreErrorCode;
  message: string;
  messageRef?: MessageRefWithChain;
}

/** Informational; none needs an answer. */
export type E2eeEvent = KeyRequestAnsweredEvent | KeyRequestDeniedEvent | KeyRequestSentEvent | PublishFailedEvent | E2eeErrorEvent;

/** Broadcast these StreamMessage bytes on the stream partition. */
export interface SendOutput {
  type: 'send';
  bytes: Uint8Array;
  /** The `publish` call whose content message this is (its return value); absent for key requests and responses. */
  publishId?: number;
}

/** Answer `question` with `answer(id, …)`, now or later. */
export interface AskOutput {
  type: 'ask';
  id: number;
  question: Question;
}

/** A message for the app, in chain order, once. */
export interface DeliverOutput {
  type: 'deliver';
  publisherId: string;
  msgChainId: string;
  timestamp: number;
  sequenceNumber: number;
  contentType: ContentType;
  /** The plaintext. */
  content: Uint8Array;
  /** The key it was encrypted with; absent for unencrypted messages. */
  groupKeyId?: string;
}

/**
 * Persist `key` under `(publisherId, key.id)` (the SDK store `EncryptionKeys`) bound to
 * `streamId` (`KeyStore.putKey(publisherId, key.id, key.data, streamId, { replace })`); with
 * `latest`, also record it as the stream's latest key (`LatestEncryptionKeyIds`). A stored key
 * is never overwritten unless `replace` is set. The only output carrying secret material.
 */
export interface StoreKeyOutput {
  type: 'storeKey';
  publisherId: string;
  key: GroupKey;
  streamId: string;
  latest: boolean;
  replace: boolean;
}

/** An {@link E2eeEvent}. */
export interface EventOutput {
  type: 'event';
  event: E2eeEvent;
}

/** What `pollOutputs()` returns, in order. */
export type Output = SendOutput | AskOutput | DeliverOutput | StoreKeyOutput | EventOutput;

/** Counters of a {@link Subscriber}. */
export interface SubscriberStats {
  delivered: number;
  duplicates: number;
  dropped: number;
  keyRequestsSent: number;
  keysLearned: number;
}
"#;
