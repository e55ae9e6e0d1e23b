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

// --- Publisher, Subscriber, key pairs and the sans-IO contract --------------------------------
import {
  Publisher, Subscriber, MlKemKeyPair, RsaKeyPair, P256Signer, MlDsa87Signer, AsymmetricEncryptionType,
  wrapGroupKey, verifyP256Signature,
  type Output, type Answer, type Question, type E2eeEvent, type PublisherConfig, type SubscriberConfig,
  type Signer, type KeyExchange, type SubscriberStats, type ErrorCode, type GroupKeyData,
} from 'streamr-e2ee';

const pubConfig: PublisherConfig = { streamId: 's', partition: 0, encrypt: true, msgChainId: 'c' };
const subConfig: SubscriberConfig = { streamId: 's', keyRequestTimeout: 30_000, keyRequestRetries: 3, permissionSource: 'registry', registryCacheTtlMs: 60_000, maxKeys: 100 };
// @ts-expect-error not a permission source
const badSource: PublisherConfig = { streamId: 's', permissionSource: 'chain' };
const wallet: Signer = { userId: '0x00', signatureType: SignatureType.ECDSA_SECP256K1_EVM };
// P256Signer is the platform's (issue #16): async, and given to the raw machines as `.external`.
const p256: P256Signer = await P256Signer.generate();
const signers: Signer[] = [signer, p256.external, MlDsa87Signer.fromSeed(new Uint8Array(32)), wallet];
// @ts-expect-error the shim's P256Signer is not a core signer: pass `.external`
const notACoreSigner: Signer = p256;
void notACoreSigner;
const p256Ok: Promise<boolean> = verifyP256Signature(p256.publicKey, new Uint8Array(1), new Uint8Array(64));
void p256Ok;
// RSA key pairs are the platform's (issue #16): async, and given to a raw Subscriber by keyExchange.
const rsaPair: RsaKeyPair = await RsaKeyPair.generate(640, { extractable: false });
const kx: KeyExchange[] = [MlKemKeyPair.generate(), rsaPair.keyExchange,
  { encryptionType: AsymmetricEncryptionType.RSA, publicKey: '-----BEGIN PUBLIC KEY-----\n' }];
const pub = new Publisher(pubConfig, signers[0]);
const sub = new Subscriber(subConfig, signers[1], kx[0], Date.now());
const publishId: number = pub.publish(new Uint8Array([1]), ContentType.JSON, Date.now());
pub.rotate();
pub.rekey(GroupKey.generate());
const stored: GroupKeyData = { id: 'k', data: new Uint8Array(32) };
pub.restoreKeys(key, [stored]);
pub.restoreKeys();
const currentKeyId: string | undefined = pub.currentKeyId;
sub.addKey(pub.userId, stored, Date.now());
const known: boolean = sub.hasKey(pub.userId, 'k');
const wrapped: Promise<Uint8Array> = wrapGroupKey(key, AsymmetricEncryptionType.ML_KEM, new Uint8Array(1568));
const pem: Promise<string> = rsaPair.toPkcs8Pem();
void pem;
function answerFor(q: Question): Answer {
  switch (q.type) {
    case 'permission': return { type: 'permission', allowed: q.permission === 'SUBSCRIBE' };
    case 'erc1271': return { type: 'permission', allowed: q.digest.length === 32 };
    case 'sign': return { type: 'signature', signature: signer.sign(q.payload) };
    case 'verifyP256': return { type: 'signatureValid', valid: q.publicKey.length === 33 && q.signature.length === 64 && q.payload.length > 0 };
    case 'unwrapGroupKey': return { type: 'groupKeyBytes', bytes: q.data };
    case 'wrapGroupKeys': return { type: 'wrappedGroupKeys', data: q.keys.map((k) => k.data.subarray(0, q.bits / 8)) };
    case 'registryCall': return { type: 'callResult', data: q.data };
    case 'contractCall': return q.to.startsWith('0x') ? { type: 'callReverted', data: q.data } : { type: 'failed', reason: 'no' };
    case 'loadKey': return q.streamId.length > 0 && q.keyId.length > 0 ? { type: 'storedKey' } : { type: 'storedKey', data: new Uint8Array(32) };
  }
}
const outputs: Output[] = [...pub.pollOutputs(), ...sub.pollOutputs()];
for (const o of outputs) {
  switch (o.type) {
    case 'send': { const b: Uint8Array = o.bytes; const p: number | undefined = o.publishId; void b; void p; break; }
    case 'ask': sub.answer(o.id, answerFor(o.question), Date.now()); break;
    case 'deliver': { const c: Uint8Array = o.content; const k: string | undefined = o.groupKeyId; void c; void k; break; }
    case 'storeKey': { const k: GroupKey = o.key; const s: string = o.streamId; const latest: boolean = o.latest; const replace: boolean = o.replace; void k; void s; void latest; void replace; break; }
    case 'event': {
      const e: E2eeEvent = o.event;
      if (e.type === 'error' || e.type === 'keyRequestDenied') { const code: ErrorCode = e.code; void code; }
      if (e.type === 'error' && e.messageRef) { const seq: number = e.messageRef.sequenceNumber; void seq; }
      break;
    }
    default: { const never: never = o; void never; }
  }
}
const timeout: number | undefined = sub.pollTimeout();
sub.handleTimeout(timeout ?? Date.now());
const stats: SubscriberStats = sub.stats;
const held: number = sub.heldMessages + sub.pendingKeyFetches + pub.knownKeys + pub.pendingKeyRequests;
// @ts-expect-error not an answer
const badAnswer: Answer = { type: 'yes' };
// @ts-expect-error a subscriber option on a publisher
new Publisher({ streamId: 's', keyRequestTimeout: 1 }, signer);
// @ts-expect-error the SDK name is keyRequestTimeout
new Subscriber({ streamId: 's', keyRequestTimeoutMs: 1 }, signer, kx[0], 0);
// @ts-expect-error a key pair is not a signer
new Publisher(pubConfig, MlKemKeyPair.generate());
// @ts-expect-error a signer is not a key pair
new Subscriber(subConfig, signer, signer, 0);
// @ts-expect-error content must be bytes
pub.publish('x', ContentType.JSON, 0);
// @ts-expect-error userId is read-only
pub.userId = 'x';
// @ts-expect-error permission is PUBLISH or SUBSCRIBE
const badQuestion: Question = { type: 'permission', streamId: 's', userId: '0x', permission: 'EDIT' };
void publishId; void currentKeyId; void known; void wrapped; void stats; void held; void badAnswer; void badQuestion;

// The KeyStore port (issue #13): every read and write names the stream the key is bound to.
import { MemoryKeyStore, type KeyStore, type PutKeyOptions } from 'streamr-e2ee';
const keyStore: KeyStore = new MemoryKeyStore();
const putOptions: PutKeyOptions = { replace: false };
const put: Promise<void> = keyStore.putKey('0x01', 'k', new Uint8Array(32), 's', putOptions);
const loaded: Promise<Uint8Array | undefined> = keyStore.getKey('0x01', 'k', 's');
// @ts-expect-error getKey needs the stream
keyStore.getKey('0x01', 'k');
// @ts-expect-error putKey needs the stream
keyStore.putKey('0x01', 'k', new Uint8Array(32));
void put; void loaded;

// Many tabs (issue #17): the multiTab option and the one-time warning.
import { multiTabStatus, onMultiTabWarning, type PublisherOptions, type SubscriberOptions, type MultiTabWarning, type MultiTabStatus } from 'streamr-e2ee';
const tabsOff: PublisherOptions = { multiTab: false };
const tabsOn: SubscriberOptions = { multiTab: { replayBuffer: 500 } };
const offWarning: () => void = onMultiTabWarning((w: MultiTabWarning) => {
  const code: 'MULTI_TAB_UNAVAILABLE' = w.code;
  const missing: string[] = w.missing;
  void code; void missing;
});
const tabStatus: MultiTabStatus = multiTabStatus();
const available: boolean = tabStatus.available;
// @ts-expect-error multiTab is a boolean or { replayBuffer }
const tabsBad: PublisherOptions = { multiTab: 'yes' };
// @ts-expect-error replayBuffer is a number
const tabsBad2: SubscriberOptions = { multiTab: { replayBuffer: '1' } };
void tabsOff; void tabsOn; void offWarning; void available; void tabsBad; void tabsBad2;
// Key custodians (issue #19): the publisher names them, the custodian is its own entry.
// The Custodian class is Node-only (issue #16): streamr-e2ee/custodian, not the main entry.
import { custodianIdOf, sealCustodianIdentity } from 'streamr-e2ee';
import { Custodian, FileCustodianStore, createCustodian, type CustodianConfig, type CustodianHandle, type CustodianEvents } from 'streamr-e2ee/custodian';
const custodianConfig: CustodianConfig = { streamId: 's', graceMs: 1000, maxIdentities: 4 };
const pubOptions: PublisherOptions = { custodians: [{ publicKey: new Uint8Array(1568), userId: '0x01' }] };
const subOptions: SubscriberOptions = { acceptCustodianResponses: false };
// @ts-expect-error a custodian names no custodians
const badCustodianConfig: CustodianConfig = { streamId: 's', custodians: [] };
const sealedIdentity: Uint8Array = sealCustodianIdentity(new Uint8Array(32), new Uint8Array(1568));
const custodianId: string = custodianIdOf(new Uint8Array(1568));
const deadline: number | undefined = (null as unknown as Custodian).nextDeadline;
const openStore: Promise<FileCustodianStore> = FileCustodianStore.open({ path: 'c.json', secret: new Uint8Array(32) });
const started: (s: FileCustodianStore) => CustodianHandle = (store) =>
  createCustodian({ streamId: 's', transport: null as never, registry: null as never, store, options: { graceMs: 500 } });
const onReceived: (e: CustodianEvents['keyReceived']) => string = (e) => e.publisherId + e.keyId;
void custodianConfig; void pubOptions; void subOptions; void badCustodianConfig; void sealedIdentity; void custodianId;
void deadline; void openStore; void started; void onReceived;
