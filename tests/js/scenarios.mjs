// Publisher ↔ subscriber scenarios through the package's JS surface (`Publisher`,
// `Subscriber`, the key pairs and signers), over the in-memory network of net.mjs: the JS twin
// of tests/suite/scenarios.rs, plus bad input through the new classes. Shared by Node
// (node.test.mjs) and headless Chromium (browser/entry.mjs); no Node APIs.
//
// `env.rsaHost` is the host's own RSA (Node crypto or WebCrypto) for the external key exchange:
//   { name, generate(bits) → Promise<{ publicKeyPem: string, decrypt(data) → Promise<Uint8Array> }> }

import { Net, STREAM, T0, messageType, requestCounts } from './net.mjs';
import { hex, fromHex, utf8, fail, eq, throwsCode, rejectsCode } from './suite.mjs';

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function ok(cond, what) {
  if (!cond) fail(what);
}

const count = (list, x) => list.filter((y) => y === x).length;

/** Replaces the one occurrence of `fromBytes` in `bytes` by `toBytes`. */
function replaceOnce(bytes, fromBytes, toBytes) {
  const h = hex(bytes);
  const f = hex(fromBytes);
  const at = h.indexOf(f);
  if (at < 0 || at % 2 !== 0 || h.indexOf(f, at + 1) >= 0) fail('pattern must occur once');
  return fromHex(h.slice(0, at) + hex(toBytes) + h.slice(at + f.length));
}

/** `bytes` with the signature replaced by `signer`'s over the (possibly tampered) payload. */
function resign(lib, bytes, signer) {
  const m = lib.StreamMessage.fromBytes(bytes);
  return replaceOnce(bytes, m.signature, signer.sign(m.signaturePayload()));
}

const idBytes = (userId) => fromHex(userId.slice(2));

/** Whether `needle` occurs inside `hay` (both Uint8Array). */
function contains(hay, needle) {
  return hex(hay).includes(hex(needle));
}

/** Every Uint8Array reachable from a plain output object. */
function byteFields(value, out = []) {
  if (value instanceof Uint8Array) out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) byteFields(v, out);
  return out;
}

/** The test cases: `[{ name, fn }]`; each `fn` is async and throws on failure. */
export function scenarioCases(lib, env) {
  const { Publisher, Subscriber, EvmSigner, P256Signer, MlDsa87Signer, MlKemKeyPair, RsaKeyPair, GroupKey,
    SignatureType, AsymmetricEncryptionType, ContentType, StreamMessage, wrapGroupKey } = lib;
  const out = [];
  const test = (name, fn) => out.push({ name: `scenario: ${name}`, fn });
  const net = () => new Net(lib);

  async function firstKeyFlow(keyExchange) {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber({ keyExchange });
    for (let i = 0; i < 3; i++) await n.publish(p, `{"n":${i}}`);
    same(n.nodes[s].texts(), ['{"n":0}', '{"n":1}', '{"n":2}'], 'delivered');
    eq(n.nodes[s].requestsSent(), 1, 'one request for the one key');
    eq(n.nodes[p].answered(), 1, 'answered');
    same(n.nodes[s].errorCodes(), [], 'subscriber errors');
    const asked = n.nodes[p].asked;
    ok(asked.some((q) => q.type === 'permission' && q.userId === n.nodes[s].id && q.permission === 'SUBSCRIBE'), 'asked SUBSCRIBE of the requester');
    ok(asked.some((q) => q.type === 'permission' && q.userId === n.nodes[p].id && q.permission === 'PUBLISH'), 'asked PUBLISH of itself');
    eq(n.nodes[s].machine.heldMessages, 0, 'nothing held');
    eq(n.nodes[s].machine.pendingKeyFetches, 0, 'no fetch pending');
    const d = n.nodes[s].delivered[0];
    eq(d.publisherId, n.nodes[p].id, 'deliver.publisherId');
    eq(d.msgChainId, n.nodes[p].machine.msgChainId, 'deliver.msgChainId');
    eq(d.timestamp, T0, 'deliver.timestamp');
    eq(d.sequenceNumber, 0, 'deliver.sequenceNumber');
    eq(d.contentType, ContentType.JSON, 'deliver.contentType');
    eq(d.groupKeyId, n.nodes[p].machine.currentKeyId, 'deliver.groupKeyId');
    same(n.nodes[s].machine.stats, { delivered: 3, duplicates: 0, dropped: 0, keyRequestsSent: 1, keysLearned: 1 }, 'stats');
    // Both sides were told to persist the key, the publisher as the stream's latest.
    same(n.nodes[p].stored, [{ publisherId: n.nodes[p].id, keyId: d.groupKeyId, streamId: STREAM, latest: true }], 'publisher storeKey');
    same(n.nodes[s].stored, [{ publisherId: n.nodes[p].id, keyId: d.groupKeyId, streamId: STREAM, latest: false }], 'subscriber storeKey');
    ok(n.nodes[s].machine.hasKey(n.nodes[p].id, d.groupKeyId), 'hasKey');
    return n;
  }

  test('first key with ML-KEM', async () => {
    await firstKeyFlow(MlKemKeyPair.generate());
  });

  // 2048 bits: the publisher's default minRsaKeyBits (smaller keys are denied).
  test('first key with RSA (2048-bit RsaKeyPair)', async () => {
    const n = await firstKeyFlow(await RsaKeyPair.generate(2048));
    const request = n.nodes[1].sent.map((b) => StreamMessage.fromBytes(b).groupKeyRequest).find(Boolean);
    eq(request.encryptionType, AsymmetricEncryptionType.RSA, 'request encryption type');
    // The main module has no RSA (issue #16): the publisher asked its host to wrap, once.
    const wraps = n.nodes[0].asked.filter((q) => q.type === 'wrapGroupKeys');
    eq(wraps.length, 1, 'one wrapGroupKeys question');
    eq(wraps[0].bits, 2048, 'with the requester key size');
    const stats = lib.rsaStats();
    ok(stats.operations.webcrypto + stats.operations.node + stats.operations.wasm >= 3, `RSA ran: ${JSON.stringify(stats)}`);
  });

  test('rotation: the boundary message is still under the old key, no new request', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    await n.publish(p, '"a"');
    const first = n.nodes[p].machine.currentKeyId;
    n.nodes[p].machine.rotate();
    await n.publish(p, '"boundary"');
    await n.publish(p, '"after"');
    const second = n.nodes[p].machine.currentKeyId;
    ok(first !== second, 'the key changed');
    same(n.nodes[s].texts(), ['"a"', '"boundary"', '"after"'], 'delivered');
    same(n.nodes[s].delivered.map((d) => d.groupKeyId), [first, first, second], 'keys used');
    eq(n.nodes[s].requestsSent(), 1, 'the rotated key came inside the stream');
    eq(n.nodes[p].machine.knownKeys, 2, 'knownKeys');
  });

  test('rekey: a new key request', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    await n.publish(p, '1');
    n.nodes[p].machine.rekey(null);
    await n.publish(p, '2');
    same(n.nodes[s].texts(), ['1', '2'], 'delivered');
    eq(n.nodes[s].requestsSent(), 2, 'rekey needs a new request');
    eq(requestCounts(lib, n).size, 2, 'two keys requested');
  });

  test('revoke + rekey: the revoked subscriber gets nothing new, the other has no gap', async () => {
    const n = net();
    const p = n.addPublisher();
    const kept = n.addSubscriber();
    const revoked = n.addSubscriber();
    await n.publish(p, '1');
    same(n.nodes[revoked].texts(), ['1'], 'before the revocation');
    n.subscribersAllowed.delete(n.nodes[revoked].id);
    n.nodes[p].machine.rekey();
    await n.publish(p, '2');
    await n.publish(p, '3');
    same(n.nodes[kept].texts(), ['1', '2', '3'], 'kept subscriber');
    ok(n.nodes[p].denials().includes('PERMISSION_DENIED'), 'publisher denied the revoked one');
    const denial = n.nodes[p].events.find((e) => e.type === 'keyRequestDenied');
    eq(denial.requesterId, n.nodes[revoked].id, 'denial names the requester');
    eq(typeof denial.message, 'string', 'denial message');
    await n.advance(31_000);
    same(n.nodes[revoked].texts(), ['1'], 'nothing after the rekey');
    eq(count(n.nodes[revoked].errorCodes(), 'KEY_REQUEST_TIMEOUT'), 2, 'one timeout per held message');
    eq(n.nodes[revoked].machine.heldMessages, 0, 'nothing held');
    ok(!n.nodes[kept].errorCodes().includes('MESSAGE_GAP'), 'no gap for the kept subscriber');
  });

  test('late joiner gets the current key', async () => {
    const n = net();
    const p = n.addPublisher();
    await n.publish(p, 'early');
    n.nodes[p].machine.rotate(GroupKey.generate());
    await n.publish(p, 'boundary');
    await n.publish(p, 'after-rotation');
    const late = n.addSubscriber();
    await n.publish(p, 'late-1');
    await n.publish(p, 'late-2');
    same(n.nodes[late].texts(), ['late-1', 'late-2'], 'delivered');
    eq(n.nodes[late].requestsSent(), 1, 'one request');
  });

  test('out-of-order and duplicate delivery: once, in order', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    await n.publish(p, '0');
    n.dropIf = () => true;
    for (const t of ['1', '2', '3']) await n.publish(p, t);
    n.dropIf = null;
    const captured = n.nodes[p].sent.slice(1);
    for (const bytes of [...captured].reverse()) {
      await n.inject(p, bytes);
      await n.inject(p, bytes);
    }
    same(n.nodes[s].texts(), ['0', '1', '2', '3'], 'delivered');
    eq(n.nodes[s].machine.stats.duplicates, 3, 'duplicates counted');
    await n.inject(p, captured[0]);
    eq(n.nodes[s].texts().length, 4, 'a replay is dropped too');
  });

  test('gap: reported after gapTimeoutMs, delivery goes on', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber({ config: { gapTimeoutMs: 3_000 } });
    await n.publish(p, '0');
    n.dropIf = () => true;
    await n.publish(p, 'lost');
    n.dropIf = null;
    await n.publish(p, '2');
    same(n.nodes[s].texts(), ['0'], '2 waits for its predecessor');
    eq(n.nodes[s].machine.pollTimeout(), n.now + 3_000, 'pollTimeout is the gap deadline');
    await n.advance(2_999);
    same(n.nodes[s].texts(), ['0'], 'still waiting');
    await n.advance(1);
    same(n.nodes[s].texts(), ['0', '2'], 'delivered after the gap');
    const gap = n.nodes[s].events.find((e) => e.type === 'error' && e.code === 'MESSAGE_GAP');
    ok(gap, 'MESSAGE_GAP event');
    eq(gap.messageRef.publisherId, n.nodes[p].id, 'gap messageRef.publisherId');
    eq(gap.messageRef.msgChainId, n.nodes[p].machine.msgChainId, 'gap messageRef.msgChainId');
  });

  test('lost response: retried after keyRequestRetryBaseMs (handleTimeout/pollTimeout)', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    let dropped = 0;
    n.dropIf = (bytes) => {
      if (messageType(lib, bytes) === 'GROUP_KEY_RESPONSE' && dropped === 0) {
        dropped += 1;
        return true;
      }
      return false;
    };
    await n.publish(p, 'x');
    same(n.nodes[s].texts(), [], 'nothing yet');
    eq(n.nodes[s].machine.pollTimeout(), T0 + 2_000, 'the retry is due after 2 s');
    await n.advance(2_000);
    same(n.nodes[s].texts(), ['x'], 'delivered after the retry');
    eq(n.nodes[s].requestsSent(), 2, 'two requests');
    same(n.nodes[s].events.filter((e) => e.type === 'keyRequestSent').map((e) => e.attempt), [1, 2], 'attempts');
    eq(n.nodes[p].answered(), 2, 'answered twice');
  });

  test('timeout: KEY_REQUEST_TIMEOUT per held message after keyRequestTimeout, retries included', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.dropIf = (bytes) => messageType(lib, bytes) === 'GROUP_KEY_REQUEST';
    await n.publish(p, 'a');
    await n.publish(p, 'b');
    await n.advance(29_999);
    same(n.nodes[s].errorCodes(), [], 'no error before the timeout');
    eq(n.nodes[s].machine.heldMessages, 2, 'held');
    await n.advance(1);
    same(n.nodes[s].errorCodes(), ['KEY_REQUEST_TIMEOUT', 'KEY_REQUEST_TIMEOUT'], 'one per message');
    const refs = n.nodes[s].events.filter((e) => e.type === 'error').map((e) => e.messageRef.sequenceNumber);
    same(refs, [0, 1], 'each names its message');
    eq(n.nodes[s].requestsSent(), 4, 'first request + 3 retries');
    eq(n.nodes[s].machine.heldMessages, 0, 'nothing held');
    eq(n.nodes[s].machine.pollTimeout(), undefined, 'nothing waits on time');
    n.dropIf = null;
    await n.publish(p, 'c');
    same(n.nodes[s].texts(), ['c'], 'the next message asks again and gets through');
  });

  test('timeout: the SDK option names keyRequestTimeout and keyRequestRetries are honoured', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber({ config: { keyRequestTimeout: 10_000, keyRequestRetries: 0 } });
    n.dropIf = (bytes) => messageType(lib, bytes) === 'GROUP_KEY_REQUEST';
    await n.publish(p, 'a');
    eq(n.nodes[s].machine.pollTimeout(), T0 + 10_000, 'pollTimeout is the timeout');
    await n.advance(10_000);
    same(n.nodes[s].errorCodes(), ['KEY_REQUEST_TIMEOUT'], 'timed out at 10 s');
    eq(n.nodes[s].requestsSent(), 1, 'no retry');
  });

  test('permission denied: an unknown subscriber is denied every time and times out', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.subscribersAllowed.delete(n.nodes[s].id);
    await n.publish(p, 'secret');
    same(n.nodes[p].denials(), ['PERMISSION_DENIED'], 'denied');
    await n.advance(30_000);
    same(n.nodes[s].texts(), [], 'nothing delivered');
    same(n.nodes[s].errorCodes(), ['KEY_REQUEST_TIMEOUT'], 'timed out');
    eq(n.nodes[p].denials().length, 4, 'every retry was checked and denied');
    eq(n.nodes[p].answered(), 0, 'nothing ever sent to it');
  });

  test('registry down: the publisher fails closed, the subscriber holds and asks again', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.registryDown.add(p);
    await n.publish(p, 'x');
    ok(n.nodes[p].denials().includes('PERMISSION_CHECK_FAILED'), 'publisher failed closed');
    same(n.nodes[s].texts(), [], 'nothing released');
    n.registryDown.clear();
    await n.advance(2_000);
    same(n.nodes[s].texts(), ['x'], 'the retry gets through');
    n.registryDown.add(s);
    n.now += 10 * 60 * 1000;
    await n.publish(p, 'y');
    same(n.nodes[s].texts(), ['x'], 'held, not dropped');
    ok(n.nodes[s].errorCodes().includes('PERMISSION_CHECK_FAILED'), 'reported');
    n.registryDown.clear();
    await n.advance(5_000);
    same(n.nodes[s].texts(), ['x', 'y'], 'delivered once the registry answers');
  });

  test('a request addressed to another publisher is ignored', async () => {
    const n = net();
    const p = n.addPublisher();
    const other = n.addPublisher();
    const s = n.addSubscriber();
    await n.publish(p, 'for-p');
    same(n.nodes[s].texts(), ['for-p'], 'delivered');
    eq(n.nodes[p].answered(), 1, 'p answered');
    eq(n.nodes[other].answered(), 0, 'the other did not');
    same(n.nodes[other].denials(), [], 'silently ignored');
    same(n.nodes[other].asked, [], 'no question asked');
    eq(n.nodes[other].machine.pendingKeyRequests, 0, 'nothing pending');
  });

  test('forged request signature: INVALID_SIGNATURE denial; a stale replay: STALE_REQUEST', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.dropIf = (bytes) => messageType(lib, bytes) === 'GROUP_KEY_REQUEST';
    await n.publish(p, 'x');
    n.dropIf = null;
    const genuine = n.nodes[s].sent.find((b) => messageType(lib, b) === 'GROUP_KEY_REQUEST');
    // The same request in the subscriber's name, signed by someone else.
    await n.inject(s, resign(lib, genuine, EvmSigner.generate()));
    same(n.nodes[p].denials(), ['INVALID_SIGNATURE'], 'forged request denied');
    eq(n.nodes[p].answered(), 0, 'nothing released');
    same(n.nodes[s].texts(), [], 'nothing delivered');
    // The genuine request still works.
    await n.inject(s, genuine);
    same(n.nodes[s].texts(), ['x'], 'the genuine request is answered');
    // Replayed much later it is refused.
    n.now += 11 * 60 * 1000;
    await n.inject(s, genuine);
    same(n.nodes[p].denials(), ['INVALID_SIGNATURE', 'STALE_REQUEST'], 'replay denied');
    eq(n.nodes[p].answered(), 1, 'answered once');
  });

  test('forged response and response from a non-publisher: INVALID_SIGNATURE, the real one still works', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.dropIf = (bytes) => messageType(lib, bytes) === 'GROUP_KEY_RESPONSE';
    await n.publish(p, 'x');
    n.dropIf = null;
    const genuine = n.nodes[p].sent.find((b) => messageType(lib, b) === 'GROUP_KEY_RESPONSE');
    const attacker = EvmSigner.generate();
    // 1. In the publisher's name, signed by the attacker.
    await n.inject(p, resign(lib, genuine, attacker));
    // 2. In the attacker's own name, validly signed: not the publisher that was asked.
    const renamed = replaceOnce(genuine, idBytes(n.nodes[p].id), idBytes(attacker.address));
    await n.inject(p, resign(lib, renamed, attacker));
    same(n.nodes[s].errorCodes(), ['INVALID_SIGNATURE', 'INVALID_SIGNATURE'], 'both rejected');
    same(n.nodes[s].texts(), [], 'nothing delivered');
    await n.inject(p, genuine);
    same(n.nodes[s].texts(), ['x'], 'the real response gets through');
  });

  test('external (wallet) publisher: sign questions, a refusal in the middle loses nothing, no gap', async () => {
    const n = net();
    const p = n.addWalletPublisher();
    const s = n.addSubscriber();
    await n.publish(p, '1');
    n.nodes[p].walletRefusals = 1;
    await n.publish(p, 'refused');
    await n.publish(p, '3');
    ok(n.nodes[p].errorCodes().includes('SIGNER_ERROR'), 'SIGNER_ERROR event');
    same(n.nodes[p].events.filter((e) => e.type === 'publishFailed').map((e) => e.publishId), [2], 'publishFailed names the refused publish');
    same(n.nodes[s].texts(), ['1', '3'], 'delivered');
    ok(!n.nodes[s].errorCodes().includes('MESSAGE_GAP'), 'no gap: the chain skipped nothing');
    eq(n.nodes[p].asked.filter((q) => q.type === 'sign').length, 4, '3 publishes + 1 key response');
    same(n.nodes[s].delivered.map((d) => d.sequenceNumber), [0, 1], 'consecutive sequence numbers');
  });

  test('external (wallet) subscriber signs its key request through a sign question', async () => {
    const n = net();
    const p = n.addPublisher();
    const wallet = EvmSigner.generate();
    const s = n.addSubscriber({ signer: { userId: wallet.address, signatureType: SignatureType.ECDSA_SECP256K1_EVM }, wallet });
    eq(n.nodes[s].id, wallet.address, 'user id');
    await n.publish(p, 'w');
    same(n.nodes[s].texts(), ['w'], 'delivered');
    eq(n.nodes[s].asked.filter((q) => q.type === 'sign').length, 1, 'one signature');
  });

  test('ERC-1271 publisher: erc1271 questions, delivered only while the contract accepts', async () => {
    const n = net();
    const contract = `0x${'ab'.repeat(20)}`;
    const p = n.addWalletPublisher({}, contract);
    const s = n.addSubscriber();
    eq(n.nodes[p].id, contract, 'publishes as the contract');
    let accept = true;
    const seen = [];
    n.contractAccepts = (q) => {
      seen.push(q);
      return accept && q.contract === contract && q.digest.length === 32 && q.signature.length === 65;
    };
    await n.publish(p, '"signed by the owner"');
    same(n.nodes[s].texts(), ['"signed by the owner"'], 'delivered');
    eq(seen.length, 2, 'the content and the key response were checked');
    const content = StreamMessage.fromBytes(n.nodes[p].sent[0]);
    eq(content.signatureTypeName, 'ERC_1271', 'signature type');
    eq(hex(seen[0].digest), hex(content.verifySignature().digest), 'digest is the EIP-191 hash of the payload');
    accept = false;
    await n.publish(p, '"rejected"');
    same(n.nodes[s].texts(), ['"signed by the owner"'], 'not delivered');
    same(n.nodes[s].errorCodes(), ['INVALID_SIGNATURE'], 'INVALID_SIGNATURE');
  });

  test(`external RSA key exchange answered by the host's RSA-OAEP SHA-1 (${env.rsaHost.name})`, async () => {
    const host = await env.rsaHost.generate(2048);
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber({
      keyExchange: { encryptionType: AsymmetricEncryptionType.RSA, publicKey: host.publicKeyPem },
      unwrap: (data) => host.decrypt(data),
    });
    await n.publish(p, '"rsa"');
    await n.publish(p, '"again"');
    same(n.nodes[s].texts(), ['"rsa"', '"again"'], 'delivered');
    const unwraps = n.nodes[s].asked.filter((q) => q.type === 'unwrapGroupKey');
    eq(unwraps.length, 1, 'one unwrap question');
    eq(unwraps[0].encryptionType, AsymmetricEncryptionType.RSA, 'its type');
    eq(unwraps[0].keyId, n.nodes[p].machine.currentKeyId, 'its key id');
    eq(unwraps[0].data.length, 256, '2048-bit ciphertext');
    const request = n.nodes[s].sent.map((b) => StreamMessage.fromBytes(b).groupKeyRequest).find(Boolean);
    const pem = new TextDecoder().decode(request.publicKey);
    ok(pem.startsWith('-----BEGIN PUBLIC KEY-----\n') && pem.endsWith('-----END PUBLIC KEY-----\n'), 'request carries the PEM');
    ok(pem.split('\n').slice(1, -3).every((l) => l.length === 64), 'PEM re-encoded in Node layout');
  });

  test('external key exchange: a failed host unwrap is DECRYPT_ERROR and the retry works', async () => {
    const host = await env.rsaHost.generate(2048);
    const n = net();
    const p = n.addPublisher();
    let failures = 1;
    const s = n.addSubscriber({
      keyExchange: { encryptionType: AsymmetricEncryptionType.RSA, publicKey: utf8(host.publicKeyPem) },
      unwrap: (data) => {
        if (failures-- > 0) throw new Error('OperationError');
        return host.decrypt(data);
      },
    });
    await n.publish(p, '"once"');
    same(n.nodes[s].errorCodes(), ['DECRYPT_ERROR'], 'reported');
    same(n.nodes[s].texts(), [], 'held');
    await n.advance(2_000);
    same(n.nodes[s].texts(), ['"once"'], 'delivered after the retry');
  });

  test('public stream (encrypt: false): unencrypted, no key exchange', async () => {
    const n = net();
    const p = n.addPublisher({ encrypt: false });
    const s = n.addSubscriber();
    await n.publish(p, '"open"');
    same(n.nodes[s].texts(), ['"open"'], 'delivered');
    ok(!('groupKeyId' in n.nodes[s].delivered[0]), 'no groupKeyId');
    eq(n.nodes[s].requestsSent(), 0, 'no request');
    eq(n.nodes[p].machine.currentKeyId, undefined, 'no key');
    throwsCode(() => new Publisher({ streamId: STREAM, encrypt: false, requireEncryption: true }, EvmSigner.generate()),
      'ENCRYPTION_POLICY_VIOLATION', 'unencrypted refused when encryption is required');
  });

  test('requireQuantumResistantKeyExchange: RSA requests refused, ML-KEM served', async () => {
    const n = net();
    const p = n.addPublisher({ requireQuantumResistantKeyExchange: true });
    const rsa = n.addSubscriber({ keyExchange: await RsaKeyPair.generate(640), config: { keyRequestRetries: 0 } });
    const mlkem = n.addSubscriber();
    await n.publish(p, 'q');
    same(n.nodes[p].denials(), ['ENCRYPTION_POLICY_VIOLATION'], 'RSA refused');
    same(n.nodes[mlkem].texts(), ['q'], 'ML-KEM served');
    same(n.nodes[rsa].texts(), [], 'RSA subscriber got nothing');
  });

  test('unauthorised publisher: not delivered, PERMISSION_DENIED', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.publishersAllowed.delete(n.nodes[p].id);
    await n.publish(p, 'spoof');
    same(n.nodes[s].texts(), [], 'nothing delivered');
    ok(n.nodes[s].errorCodes().includes('PERMISSION_DENIED'), 'PERMISSION_DENIED');
  });

  test('ML-DSA-87 publisher and P-256 subscriber (local signer classes), one signer shared by two machines', async () => {
    const n = net();
    const mldsa = MlDsa87Signer.generate();
    const p = n.addPublisher({}, mldsa);
    // The P-256 key is the platform's (issue #16): the core asks it to sign (`sign` questions).
    const p256 = await P256Signer.generate();
    const s = n.addSubscriber({ signer: p256.external, wallet: p256 });
    // The same key pair and signer serve a second subscriber; the JS objects stay usable.
    const kx = MlKemKeyPair.generate();
    const s2 = n.addSubscriber({ signer: p256.external, wallet: p256, keyExchange: kx, config: { partition: 0 } });
    await n.publish(p, '"pq"');
    same(n.nodes[s].texts(), ['"pq"'], 'delivered to the P-256 subscriber');
    same(n.nodes[s2].texts(), ['"pq"'], 'delivered to the second one');
    eq(n.nodes[p].id, mldsa.userId, 'ML-DSA user id');
    eq(n.nodes[p].id.length, 2 + 2 * 2592, 'ML-DSA user id length');
    eq(n.nodes[s].id, p256.userId, 'P-256 user id');
    // The publisher verified the P-256 key requests on the platform (verifyP256 questions).
    ok((n.nodes[p].p256Checks ?? 0) >= 1, 'key requests verified through verifyP256');
    eq(p256.publicKey.length, 33, 'P-256 public key');
    eq(mldsa.signatureType, SignatureType.ML_DSA_87, 'signatureType');
    eq(kx.publicKey.length, 1568, 'key pair still usable');
    const content = StreamMessage.fromBytes(n.nodes[p].sent[0]);
    eq(content.signatureTypeName, 'ML_DSA_87', 'content signed with ML-DSA-87');
    eq(content.verifySignature().status, 'VALID', 'verifies');
  });

  test('requireQuantumResistantSignatures: non-ML-DSA content dropped, ML-DSA delivered', async () => {
    throwsCode(() => new Subscriber({ streamId: STREAM, requireQuantumResistantSignatures: true }, EvmSigner.generate(), MlKemKeyPair.generate(), T0),
      'SIGNATURE_POLICY_VIOLATION', 'EVM identity refused');
    const n = net();
    const evm = n.addPublisher();
    const pq = n.addPublisher({}, MlDsa87Signer.generate());
    const s = n.addSubscriber({ signer: MlDsa87Signer.generate(), config: { requireQuantumResistantSignatures: true } });
    await n.publish(evm, '"classic"');
    await n.publish(pq, '"pq"');
    same(n.nodes[s].texts(), ['"pq"'], 'only ML-DSA delivered');
    ok(n.nodes[s].errorCodes().includes('SIGNATURE_POLICY_VIOLATION'), 'policy violation reported');
  });

  test('restoreKeys and addKey: keys from storage, no key exchange', async () => {
    const n = net();
    const key = GroupKey.generate();
    const old = { id: 'old-key-id', data: new Uint8Array(32).fill(7) };
    const p = n.addPublisher();
    n.nodes[p].machine.restoreKeys(key, [old]);
    eq(n.nodes[p].machine.currentKeyId, key.id, 'restored as current');
    eq(n.nodes[p].machine.knownKeys, 2, 'two keys known');
    const s = n.addSubscriber();
    ok(!n.nodes[s].machine.hasKey(n.nodes[p].id, key.id), 'not known yet');
    n.nodes[s].machine.addKey(n.nodes[p].id, { id: key.id, data: key.data }, n.now);
    ok(n.nodes[s].machine.hasKey(n.nodes[p].id, key.id), 'known');
    await n.publish(p, '"stored"');
    same(n.nodes[s].texts(), ['"stored"'], 'delivered');
    eq(n.nodes[s].requestsSent(), 0, 'no key exchange');
    eq(key.id.length > 0, true, 'the GroupKey was not consumed');
    same(n.nodes[p].stored, [], 'nothing new to store');
  });

  test('secrets: no output but storeKey carries key bytes', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    await n.publish(p, '"a"');
    n.nodes[p].machine.rotate();
    await n.publish(p, '"b"');
    await n.publish(p, '"c"');
    n.nodes[p].machine.rekey();
    await n.publish(p, '"d"');
    same(n.nodes[s].texts(), ['"a"', '"b"', '"c"', '"d"'], 'delivered');
    const keys = [];
    for (const node of n.nodes) {
      for (const o of node.outputs) if (o.type === 'storeKey') keys.push(o.key.data);
    }
    eq(keys.length, 6, 'three keys, stored by both sides');
    for (const node of n.nodes) {
      for (const o of node.outputs) {
        if (o.type === 'storeKey') continue;
        for (const bytes of byteFields(o)) {
          for (const k of keys) ok(!contains(bytes, k), `${o.type} output carries a key`);
        }
      }
    }
  });

  // --- bad input through the new classes ----------------------------------------------------

  test('bad input: garbage bytes to handleMessage give an error event, not a throw; both keep working', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    for (const garbage of [new Uint8Array(0), utf8('not protobuf at all'), new Uint8Array(64).fill(0xff)]) {
      for (const node of [n.nodes[p], n.nodes[s]]) {
        node.machine.handleMessage(garbage, n.now);
        const outs = node.machine.pollOutputs();
        eq(outs.length, 1, `${node.role}: one output`);
        eq(outs[0].type, 'event', `${node.role}: an event`);
        eq(outs[0].event.type, 'error', `${node.role}: an error event`);
        eq(outs[0].event.code, 'MALFORMED_MESSAGE', `${node.role}: code`);
        eq(typeof outs[0].event.message, 'string', `${node.role}: message`);
      }
    }
    const tooBig = new Subscriber({ streamId: STREAM, maxMessageBytes: 10 }, EvmSigner.generate(), MlKemKeyPair.generate(), T0);
    tooBig.handleMessage(new Uint8Array(11), T0);
    eq(tooBig.pollOutputs()[0].event.code, 'MESSAGE_TOO_LARGE', 'maxMessageBytes');
    await n.publish(p, '"still works"');
    same(n.nodes[s].texts(), ['"still works"'], 'delivered afterwards');
  });

  test('bad input: unknown or repeated question id, malformed answers -> INVALID_ARGUMENT', async () => {
    const n = net();
    const p = n.addPublisher();
    const s = n.addSubscriber();
    n.nodes[p].holdAnswers = true;
    await n.publish(p, 'x');
    const [first] = n.nodes[p].held;
    eq(first.type, 'ask', 'a held question');
    const pub = n.nodes[p].machine;
    throwsCode(() => pub.answer(987654, { type: 'permission', allowed: true }, n.now), 'INVALID_ARGUMENT', 'unknown id');
    throwsCode(() => n.nodes[s].machine.answer(987654, { type: 'failed', reason: 'x' }, n.now), 'INVALID_ARGUMENT', 'unknown id (subscriber)');
    for (const id of [-1, 1.5, NaN, Infinity]) throwsCode(() => pub.answer(id, { type: 'permission', allowed: true }, n.now), 'INVALID_ARGUMENT', `id ${id}`);
    for (const bad of [null, 42, 'yes', {}, { type: 'maybe' }, { type: 'permission' }, { type: 'permission', allowed: 'yes' },
      { type: 'signature', signature: 'sig' }, { type: 'groupKeyBytes', bytes: [1, 2] }]) {
      throwsCode(() => pub.answer(first.id, bad, n.now), 'INVALID_ARGUMENT', `answer ${JSON.stringify(bad)}`);
    }
    throwsCode(() => pub.answer(first.id, { type: 'permission', allowed: true }, -5), 'INVALID_ARGUMENT', 'negative nowMs');
    // None of that consumed the question: answering it properly still works, once.
    await n.releaseAnswers(p);
    same(n.nodes[s].texts(), ['x'], 'delivered');
    throwsCode(() => pub.answer(first.id, { type: 'permission', allowed: true }, n.now), 'INVALID_ARGUMENT', 'answered twice');
  });

  test('bad input: wrong config types -> INVALID_ARGUMENT', async () => {
    const signer = EvmSigner.generate();
    const kx = MlKemKeyPair.generate();
    const pub = (config) => () => new Publisher(config, signer);
    const sub = (config) => () => new Subscriber(config, signer, kx, T0);
    for (const [config, what] of [
      [undefined, 'no config'], [null, 'null'], [STREAM, 'a string'], [[STREAM], 'an array'], [{}, 'no streamId'],
      [{ streamId: 42 }, 'numeric streamId'], [{ streamId: '' }, 'empty streamId'], [{ streamId: STREAM, partition: -1 }, 'partition -1'],
      [{ streamId: STREAM, partition: 1.5 }, 'partition 1.5'], [{ streamId: STREAM, partition: '0' }, 'partition "0"'],
      [{ streamId: STREAM, encrypt: 'yes' }, 'encrypt "yes"'], [{ streamId: STREAM, maxPendingKeyRequests: -3 }, 'negative limit'],
      [{ streamId: STREAM, msgChainId: 7 }, 'numeric msgChainId'], [{ streamId: STREAM, msgChainId: '' }, 'empty msgChainId'],
      [{ streamId: STREAM, keyRequestTimeout: 5 }, 'a subscriber option'], [{ streamId: STREAM, encypt: true }, 'misspelt option'],
    ]) throwsCode(pub(config), 'INVALID_ARGUMENT', `publisher config: ${what}`);
    for (const [config, what] of [
      [undefined, 'no config'], [{ streamId: 1 }, 'numeric streamId'], [{ streamId: STREAM, keyRequestTimeoutMs: 1000 }, 'keyRequestTimeoutMs'],
      [{ streamId: STREAM, keyRequestTimeout: '30s' }, 'string timeout'], [{ streamId: STREAM, keyRequestRetries: -1 }, 'negative retries'],
      [{ streamId: STREAM, requireQuantumResistantSignatures: 1 }, 'numeric boolean'], [{ streamId: STREAM, gapTimeoutMs: 2 ** 60 }, 'unsafe integer'],
      [{ streamId: STREAM, encrypt: true }, 'a publisher option'],
    ]) throwsCode(sub(config), 'INVALID_ARGUMENT', `subscriber config: ${what}`);
    throwsCode(() => new Subscriber({ streamId: STREAM }, signer, kx, -1), 'INVALID_ARGUMENT', 'negative nowMs');
    throwsCode(() => new Subscriber({ streamId: STREAM }, signer, kx, 'soon'), 'INVALID_ARGUMENT', 'string nowMs');
    // Good configs with every option work.
    new Publisher({ streamId: STREAM, partition: 3, encrypt: true, requireEncryption: true, requireQuantumResistantKeyExchange: false,
      maxKeyRequestsPerRequesterPerSecond: 1, maxTrackedRequesters: 10, maxPendingKeyRequests: 10, maxKeyRequestAgeMs: 1000,
      maxQueuedPublishes: 10, msgChainId: 'chain', strictFormats: false }, signer);
    new Subscriber({ streamId: STREAM, partition: 3, keyRequestTimeout: 1, keyRequestRetries: 0, keyRequestRetryBaseMs: 1,
      maxKeyRequestsPerSecond: 1, maxKeyFetches: 1, maxHeldMessages: 1, maxHeldPerChain: 1, gapTimeoutMs: 1,
      permissionCacheTtlMs: 1, permissionRetryMs: 1, requireQuantumResistantSignatures: false, maxMessageBytes: 100 }, signer, kx, T0);
    const named = new Publisher({ streamId: STREAM, msgChainId: 'myChain0123456789abc', partition: undefined }, signer);
    eq(named.msgChainId, 'myChain0123456789abc', 'msgChainId');
    throwsCode(() => new Publisher({ streamId: STREAM, msgChainId: 'my-chain' }, signer), 'INVALID_ARGUMENT', 'a chain id strict subscribers drop');
    eq(new Publisher({ streamId: STREAM, msgChainId: 'my-chain', strictFormats: false }, signer).msgChainId, 'my-chain', 'relaxed');
    eq(named.userId, signer.address, 'userId');
  });

  test('bad input: wrong signer, key exchange and method arguments -> INVALID_ARGUMENT / INVALID_KEY', async () => {
    const kx = MlKemKeyPair.generate();
    const cfg = { streamId: STREAM };
    const evm = EvmSigner.generate();
    for (const [signer, what] of [
      [undefined, 'no signer'], [null, 'null'], [42, 'a number'], ['0xabc', 'a string'], [{}, 'empty object'],
      [kx, 'a key pair'], [GroupKey.generate(), 'a group key'], [{ userId: evm.address }, 'no signatureType'],
      [{ userId: 'abc', signatureType: 1 }, 'no 0x'], [{ userId: evm.address, signatureType: 9 }, 'unknown type'],
      [{ userId: evm.address, signatureType: SignatureType.ECDSA_SECP256K1_LEGACY }, 'legacy type'],
      [{ userId: evm.address, signatureType: SignatureType.ML_DSA_87 }, 'id length does not fit the type'],
    ]) {
      throwsCode(() => new Publisher(cfg, signer), 'INVALID_ARGUMENT', `publisher signer: ${what}`);
      throwsCode(() => new Subscriber(cfg, signer, kx, T0), 'INVALID_ARGUMENT', `subscriber signer: ${what}`);
    }
    const freed = EvmSigner.generate();
    freed.free();
    throwsCode(() => new Publisher(cfg, freed), 'INVALID_ARGUMENT', 'freed signer');
    for (const [keyExchange, what] of [
      [undefined, 'none'], [evm, 'a signer'], [{ publicKey: kx.publicKey }, 'no encryptionType'],
      [{ encryptionType: 5, publicKey: kx.publicKey }, 'unknown type'], [{ encryptionType: AsymmetricEncryptionType.RSA }, 'no publicKey'],
      [{ encryptionType: AsymmetricEncryptionType.RSA, publicKey: 12 }, 'numeric publicKey'],
    ]) throwsCode(() => new Subscriber(cfg, evm, keyExchange, T0), 'INVALID_ARGUMENT', `keyExchange: ${what}`);
    const pem = (await RsaKeyPair.generate(640)).publicKeyPem;
    for (const [publicKey, what] of [
      [pem.slice(0, -1), 'no final newline'], [`${pem}\n`, 'two final newlines'], [pem.replace(/\n/g, '\r\n'), 'CRLF'],
      ['hello', 'not PEM'], [kx.publicKey, 'an ML-KEM key as RSA'],
    ]) {
      throwsCode(() => new Subscriber(cfg, evm, { encryptionType: AsymmetricEncryptionType.RSA, publicKey }, T0), 'INVALID_KEY', `RSA PEM: ${what}`);
    }
    throwsCode(() => new Subscriber(cfg, evm, { encryptionType: AsymmetricEncryptionType.ML_KEM, publicKey: kx.publicKey.slice(1) }, T0),
      'INVALID_KEY', 'short ML-KEM key');
    // The browser's single-line layout is accepted.
    const body = pem.split('\n').slice(1, -2).join('');
    new Subscriber(cfg, evm, { encryptionType: AsymmetricEncryptionType.RSA, publicKey: `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n` }, T0);

    const p = new Publisher(cfg, evm);
    throwsCode(() => p.publish('text', ContentType.JSON, T0), 'INVALID_ARGUMENT', 'string content');
    throwsCode(() => p.publish([1, 2], ContentType.JSON, T0), 'INVALID_ARGUMENT', 'array content');
    throwsCode(() => p.publish(utf8('1'), 7, T0), 'INVALID_ARGUMENT', 'contentType 7');
    throwsCode(() => p.publish(utf8('1'), 'JSON', T0), 'INVALID_ARGUMENT', 'contentType "JSON"');
    throwsCode(() => p.publish(utf8('1'), ContentType.JSON, -1), 'INVALID_ARGUMENT', 'nowMs -1');
    throwsCode(() => p.publish(utf8('1'), ContentType.JSON, 1.5), 'INVALID_ARGUMENT', 'nowMs 1.5');
    throwsCode(() => p.handleMessage('bytes', T0), 'INVALID_ARGUMENT', 'handleMessage string');
    throwsCode(() => p.handleMessage(utf8('x'), NaN), 'INVALID_ARGUMENT', 'handleMessage NaN');
    throwsCode(() => p.rotate({ id: 'k' }), 'INVALID_ARGUMENT', 'rotate key without data');
    throwsCode(() => p.rotate({ id: 'k', data: new Uint8Array(31) }), 'INVALID_KEY', 'rotate key of 31 bytes');
    throwsCode(() => p.rekey('key'), 'INVALID_ARGUMENT', 'rekey string');
    throwsCode(() => p.restoreKeys(undefined, 'keys'), 'INVALID_ARGUMENT', 'restoreKeys old not an array');
    throwsCode(() => p.restoreKeys(undefined, [{ id: '', data: new Uint8Array(32) }]), 'INVALID_KEY', 'restoreKeys empty id');
    eq(p.pollOutputs().length, 0, 'nothing happened');
    eq(p.publish(utf8('1'), ContentType.JSON, T0), 1, 'still works: publish id 1');
    eq(p.publish(utf8('2'), ContentType.BINARY, T0), 2, 'publish id 2');
    same(p.pollOutputs().map((o) => o.type), ['storeKey', 'send', 'send'], 'outputs');

    const s = new Subscriber(cfg, evm, kx, T0);
    throwsCode(() => s.addKey('nothex', GroupKey.generate(), T0), 'INVALID_ARGUMENT', 'addKey bad publisher id');
    throwsCode(() => s.addKey(evm.address, 'key', T0), 'INVALID_ARGUMENT', 'addKey string key');
    throwsCode(() => s.hasKey(evm.address, 5), 'INVALID_ARGUMENT', 'hasKey numeric key id');
    throwsCode(() => s.handleTimeout(-1), 'INVALID_ARGUMENT', 'handleTimeout -1');
    eq(evm.address.length, 42, 'the shared signer is still usable');
  });

  test('key pairs: wrapGroupKey round trips through MlKemKeyPair and RsaKeyPair; export and import', async () => {
    const key = GroupKey.generate();
    const mlkem = MlKemKeyPair.generate();
    const wrapped = await wrapGroupKey(key, AsymmetricEncryptionType.ML_KEM, mlkem.publicKey);
    eq(wrapped.length, 1680, 'ML-KEM wrapped length');
    const back = mlkem.unwrapGroupKey(key.id, wrapped);
    eq(back.id, key.id, 'id');
    eq(hex(back.data), hex(key.data), 'ML-KEM round trip');
    const restored = MlKemKeyPair.fromExpandedSecretKey(mlkem.expandedSecretKey());
    eq(hex(restored.publicKey), hex(mlkem.publicKey), 'ML-KEM export/import');
    eq(hex(restored.unwrapGroupKey(key.id, wrapped).data), hex(key.data), 'restored pair unwraps');
    eq(mlkem.encryptionType, AsymmetricEncryptionType.ML_KEM, 'ML-KEM type');

    // RSA is the platform's or the rsa-wasm module's (issue #16): asynchronous.
    const rsa = await RsaKeyPair.generate(640);
    eq(rsa.bits, 640, 'bits');
    eq(rsa.encryptionType, AsymmetricEncryptionType.RSA, 'RSA type');
    eq(new TextDecoder().decode(rsa.publicKey), rsa.publicKeyPem, 'publicKey is the PEM bytes');
    const rsaWrapped = await wrapGroupKey({ id: key.id, data: key.data }, AsymmetricEncryptionType.RSA, rsa.publicKeyPem);
    eq(rsaWrapped.length, 80, '640-bit ciphertext');
    eq(hex((await rsa.unwrapGroupKey(key.id, rsaWrapped)).data), hex(key.data), 'RSA round trip');
    const reimported = await RsaKeyPair.fromPkcs8Pem(await rsa.toPkcs8Pem());
    eq(reimported.publicKeyPem, rsa.publicKeyPem, 'RSA export/import');
    eq(hex((await reimported.unwrapGroupKey(key.id, rsaWrapped)).data), hex(key.data), 'the reimported pair unwraps');

    throwsCode(() => mlkem.unwrapGroupKey(key.id, wrapped.slice(1)), 'DECRYPT_ERROR', 'short ML-KEM data');
    await rejectsCode(() => rsa.unwrapGroupKey(key.id, rsaWrapped.slice(1)), 'DECRYPT_ERROR', 'short RSA data');
    throwsCode(() => mlkem.unwrapGroupKey('', wrapped), 'INVALID_KEY', 'empty key id');
    throwsCode(() => mlkem.unwrapGroupKey(key.id, 'data'), 'INVALID_ARGUMENT', 'string data');
    await rejectsCode(() => wrapGroupKey(key, AsymmetricEncryptionType.RSA, mlkem.publicKey), 'INVALID_KEY', 'ML-KEM key as RSA');
    await rejectsCode(() => wrapGroupKey(key, AsymmetricEncryptionType.ML_KEM, rsa.publicKey), 'INVALID_KEY', 'RSA key as ML-KEM');
    await rejectsCode(() => wrapGroupKey(key, 3, mlkem.publicKey), 'INVALID_ARGUMENT', 'unknown type');
    await rejectsCode(() => wrapGroupKey('key', AsymmetricEncryptionType.ML_KEM, mlkem.publicKey), 'INVALID_ARGUMENT', 'string key');
    throwsCode(() => MlKemKeyPair.fromExpandedSecretKey(new Uint8Array(3167)), 'INVALID_KEY', 'short ML-KEM secret key');
    await rejectsCode(() => RsaKeyPair.fromPkcs8Pem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'INVALID_KEY', 'bad PKCS#8');
    await rejectsCode(() => RsaKeyPair.generate(512), 'INVALID_KEY', '512 bits');
    await rejectsCode(() => RsaKeyPair.generate(1000.5), 'INVALID_ARGUMENT', 'fractional bits');
  });

  test('signers: P256Signer and MlDsa87Signer import, sign and verify through StreamMessage', async () => {
    // P256Signer is the platform's (issue #16): asynchronous constructors.
    const p256 = await P256Signer.fromPrivateKey(new Uint8Array(32).fill(1));
    eq(p256.userId, (await P256Signer.fromPrivateKey(new Uint8Array(32).fill(1))).userId, 'deterministic id');
    // The SDK's (noble) public key of d = 0x0101…01, compressed: the platform derives the same.
    eq(p256.userId, '0x026ff03b949241ce1dadd43519e6960e0a85b41a69a05c328103aa2bce1594ca16', 'P-256 public key of d = 1…1');
    const sig = await p256.sign(utf8('x'));
    eq(sig.length, 64, 'P-256 signature length');
    eq(await lib.verifyP256Signature(p256.publicKey, utf8('x'), sig), true, 'verifies');
    eq(await lib.verifyP256Signature(p256.publicKey, utf8('y'), sig), false, 'another payload does not');
    await rejectsCode(() => P256Signer.fromPrivateKey(new Uint8Array(31)), 'INVALID_KEY', 'P-256 31 bytes');
    await rejectsCode(() => P256Signer.fromPrivateKey(new Uint8Array(32)), 'INVALID_KEY', 'P-256 zero key');
    await rejectsCode(() => P256Signer.fromPrivateKey('key'), 'INVALID_ARGUMENT', 'P-256 string key');
    const seed = new Uint8Array(32).fill(2);
    const a = MlDsa87Signer.fromSeed(seed);
    eq(a.userId, MlDsa87Signer.fromSeed(seed).userId, 'seed is deterministic');
    eq(a.publicKey.length, 2592, 'ML-DSA public key');
    eq(a.sign(utf8('x')).length, 4627, 'ML-DSA signature length');
    throwsCode(() => MlDsa87Signer.fromSeed(new Uint8Array(31)), 'INVALID_KEY', 'ML-DSA short seed');
    throwsCode(() => MlDsa87Signer.fromExpandedSecretKey(new Uint8Array(4895)), 'INVALID_KEY', 'ML-DSA short key');
    throwsCode(() => MlDsa87Signer.fromExpandedSecretKey(new Uint8Array(4896), 'pk'), 'INVALID_ARGUMENT', 'ML-DSA string public key');
  });

  return out;
}
