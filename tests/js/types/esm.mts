// Consumer code type-checked against the package's .d.ts (ES module import).
import {
  StreamMessage, GroupKey, EvmSigner, EncryptionType, ContentType, SignatureType,
  encryptWithAES, decryptNextGroupKey, encryptNextGroupKey,
  type SignatureCheck, type StreamrE2eeError, type EncryptedGroupKey, type MessageType,
} from 'streamr-e2ee';

const signer: EvmSigner = EvmSigner.generate();
const key: GroupKey = GroupKey.generate();
const m: StreamMessage = StreamMessage.createContentMessage({
  streamId: 's', timestamp: Date.now(), msgChainId: 'c',
  content: encryptWithAES(new Uint8Array([1]), key.data),
  contentType: ContentType.BINARY, encryptionType: EncryptionType.AES, groupKeyId: key.id,
}, signer);
const again: StreamMessage = StreamMessage.fromBytes(m.toBytes(), 2048);
const type: MessageType = again.messageType;
const ts: number = again.timestamp;
const prevTs: number | undefined = again.prevMsgRef?.timestamp;
const sigType: SignatureType = again.signatureType;
const check: SignatureCheck = again.verifySignature();
if (check.status === 'NEEDS_ERC1271') {
  const digest: Uint8Array = check.digest;
  const contract: string = check.contract;
  void digest; void contract;
}
const next: EncryptedGroupKey | undefined = again.newGroupKey;
const rotated: GroupKey = decryptNextGroupKey(key, encryptNextGroupKey(key, GroupKey.generate()));
try {
  StreamMessage.fromBytes(new Uint8Array(1));
} catch (e) {
  const err = e as StreamrE2eeError;
  const code: 'MALFORMED_MESSAGE' | string = err.code;
  void code;
}
// @ts-expect-error timestamp is read-only
again.timestamp = 1;
// @ts-expect-error content must be bytes
StreamMessage.createContentMessage({ streamId: 's', timestamp: 1, msgChainId: 'c', content: 'x' }, signer);
// @ts-expect-error not a status
const bad: SignatureCheck = { status: 'MAYBE' };
void type; void ts; void prevTs; void sigType; void next; void rotated; void bad;
