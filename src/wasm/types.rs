//! TypeScript declarations for the plain objects the exports take and return. They land in
//! the generated `.d.ts` next to the classes.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Stable error codes: `error.code` of every error this package throws. */
export type ErrorCode =
  | 'MALFORMED_MESSAGE' | 'MESSAGE_TOO_LARGE' | 'INVALID_KEY' | 'DECRYPT_ERROR'
  | 'INVALID_SIGNATURE' | 'UNSUPPORTED_SIGNATURE_TYPE' | 'INVALID_ARGUMENT'
  | 'RANDOMNESS_UNAVAILABLE' | 'PERMISSION_DENIED' | 'PERMISSION_CHECK_FAILED'
  | 'KEY_REQUEST_TIMEOUT' | 'ENCRYPTION_POLICY_VIOLATION' | 'SIGNATURE_POLICY_VIOLATION'
  | 'RATE_LIMITED' | 'OVERLOADED' | 'BUFFER_OVERFLOW' | 'STALE_REQUEST' | 'SIGNER_ERROR'
  | 'MESSAGE_GAP' | 'INVALID_MESSAGE_CONTENT' | 'STREAM_NOT_FOUND';

/** What every export throws: `name` is `'StreamrE2eeError'`, `code` a stable {@link ErrorCode}. */
export interface StreamrE2eeError extends Error {
  name: 'StreamrE2eeError';
  code: ErrorCode;
}

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
 */
export type SignatureCheck =
  | { status: 'VALID' }
  | { status: 'NEEDS_ERC1271'; contract: string; digest: Uint8Array; signature: Uint8Array };

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
"#;
