// The JS-surface test suite, shared by Node (node.test.mjs, node:test) and headless Chromium
// (browser/entry.mjs, bundled by webpack). It uses no Node APIs: `lib` is the imported
// `streamr-e2ee` package and `vectors` the parsed files of tests/vectors/.
//
// What it tests is the JS boundary: the argument and return conversions of each wasm export
// (bytes, numbers, optional fields, nested objects, enums, the typed errors). Every SDK vector
// is already checked by the Rust suite (tests/suite/: natively, in Chromium and in Node) and
// against the stock SDK (tests/interop/), so here each export gets the one or two vectors
// whose shapes differ (REPRESENTATIVE below), plus the bad-input conversions.

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function fromHex(s) {
  if (s.length % 2 !== 0 || /[^0-9a-f]/i.test(s)) throw new Error(`bad hex: ${s.slice(0, 20)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const utf8 = (s) => new TextEncoder().encode(s);

export function fail(msg) {
  throw new Error(msg);
}

export function eq(actual, expected, what) {
  if (actual !== expected) fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function bytesEq(actual, expectedHex, what) {
  if (!(actual instanceof Uint8Array)) fail(`${what}: expected a Uint8Array, got ${typeof actual}`);
  eq(hex(actual), expectedHex, what);
}

/** Runs `fn`, requires a StreamrE2eeError with `code`, and returns it. */
export function throwsCode(fn, code, what) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) fail(`${what}: expected ${code}, nothing was thrown`);
  if (!(err instanceof Error)) fail(`${what}: expected an Error, got ${String(err)}`);
  eq(err.name, 'StreamrE2eeError', `${what}: error name`);
  if (err.code !== code) fail(`${what}: expected ${code}, got ${err.code}: ${err.message}`);
  return err;
}

/** `throwsCode` for a promise (or an async `fn`): requires a rejection with `code`. */
export async function rejectsCode(fn, code, what) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  return throwsCode(() => {
    if (err !== undefined) throw err;
  }, code, what);
}

/** Replaces the one occurrence of `from` in `bytes` (hex) by `to`. */
function replaceOnce(bytes, fromHexStr, toBytes) {
  const h = hex(bytes);
  const at = h.indexOf(fromHexStr);
  if (at < 0 || at % 2 !== 0 || h.indexOf(fromHexStr, at + 1) >= 0) fail('pattern must occur once');
  return fromHex(h.slice(0, at) + hex(toBytes) + h.slice(at + fromHexStr.length));
}

/**
 * The vectors used here, by index: those whose JS shapes differ. AES: empty content (a
 * zero-length array both ways) and JSON; content messages: #2 (prevMsgRef, newGroupKey),
 * #5 (unencrypted: no groupKeyId) and #6 (P-256: the NEEDS_P256 answer); key exchange: #0 (RSA,
 * secp256k1) and #2 (ML-KEM, ML-DSA-87: multi-kilobyte keys and signatures).
 */
export const REPRESENTATIVE = {
  aes: [0, 2],
  aesCounterEdge: [0],
  rotation: [0],
  signatures: [0],
  content: [2, 5, 6],
  createContent: [2, 5],
  keyExchange: [0, 2],
};

/** `[index, item]` of `list` at `indices`; a missing index is an error, not a smaller test. */
function pick(list, indices, what) {
  return indices.map((i) => {
    if (list[i] === undefined) fail(`${what}: no vector #${i}`);
    return [i, list[i]];
  });
}

/** The test cases: `[{ name, fn }]`; each `fn` throws on failure. */
export function cases(lib, vectors) {
  const {
    StreamMessage, GroupKey, EvmSigner, SignatureType, ContentType, EncryptionType,
    AsymmetricEncryptionType, encryptWithAES, decryptWithAES, encryptNextGroupKey,
    decryptNextGroupKey, recoverEvmAddress,
  } = lib;
  const out = [];
  const test = (name, fn) => out.push({ name, fn });
  const content = vectors.content.vectors;
  const msg1Bytes = fromHex(content[0].streamMessageProtobufHex);

  /** After an error the module must still work: decode, verify and decrypt msg1. */
  const stillWorks = () => {
    const m = StreamMessage.fromBytes(msg1Bytes);
    eq(m.verifySignature().status, 'VALID', 'msg1 still verifies');
    bytesEq(decryptWithAES(m.content, fromHex(content[0].groupKey.dataHex)), content[0].plaintextHex, 'msg1 still decrypts');
  };

  // --- aes_payload.json -------------------------------------------------------------------
  for (const [i, v] of pick(vectors.aes.vectors, REPRESENTATIVE.aes, 'aes_payload')) {
    test(`aes_payload #${i} (${v.description}): decrypt, and encrypt round trip`, () => {
      const key = fromHex(v.keyHex);
      const ct = fromHex(v.ciphertextHex);
      bytesEq(decryptWithAES(ct, key), v.plaintextHex, 'decrypted');
      const again = encryptWithAES(fromHex(v.plaintextHex), key);
      eq(again.length, 16 + v.plaintextHex.length / 2, 'iv ‖ ct length');
      bytesEq(decryptWithAES(again, key), v.plaintextHex, 'round trip');
      if (v.plaintextHex.length > 0 && hex(again) === v.ciphertextHex) fail('IV was not fresh');
    });
  }
  for (const [i, v] of pick(vectors.aes.counterEdgeVectors, REPRESENTATIVE.aesCounterEdge, 'aes counter edge')) {
    test(`aes_payload counter edge #${i} (${v.description.slice(0, 40)}): decrypt`, () => {
      eq(v.ciphertextHex.slice(0, 32), v.ivHex, 'iv prefix');
      bytesEq(decryptWithAES(fromHex(v.ciphertextHex), fromHex(v.keyHex)), v.plaintextHex, 'decrypted');
    });
  }

  // --- group_key_rotation.json ------------------------------------------------------------
  for (const [i, v] of pick(vectors.rotation.vectors, REPRESENTATIVE.rotation, 'group_key_rotation')) {
    test(`group_key_rotation #${i}: decryptNextGroupKey, encryptNextGroupKey round trip`, () => {
      const current = new GroupKey(v.currentKey.id, fromHex(v.currentKey.dataHex));
      eq(current.id, v.currentKey.id, 'current id');
      bytesEq(current.data, v.currentKey.dataHex, 'current data');
      const next = decryptNextGroupKey(current, { id: v.encryptedGroupKey.id, data: fromHex(v.encryptedGroupKey.dataHex) });
      eq(next.id, v.nextKey.id, 'next id');
      bytesEq(next.data, v.nextKey.dataHex, 'next data');
      const enc = encryptNextGroupKey(current, next);
      eq(enc.id, v.nextKey.id, 'encrypted id in clear');
      eq(enc.data.length, 48, 'encrypted length');
      bytesEq(decryptNextGroupKey(current, enc).data, v.nextKey.dataHex, 'round trip');
    });
  }
  test('GroupKey.generate: SDK id form, 32 random bytes', () => {
    const a = GroupKey.generate();
    const b = GroupKey.generate();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-GroupKey\d+$/.test(a.id)) fail(`id ${a.id}`);
    eq(a.data.length, 32, 'key length');
    if (a.id === b.id || hex(a.data) === hex(b.data)) fail('two generated keys are equal');
    bytesEq(new GroupKey(a.id, a.data).data, hex(a.data), 'rebuilt from id and bytes');
  });

  // --- signatures_secp256k1.json ----------------------------------------------------------
  const sigs = vectors.signatures;
  const signer = EvmSigner.fromPrivateKey(fromHex(sigs.signer.privateKeyHex));
  for (const [i, v] of pick(sigs.vectors, REPRESENTATIVE.signatures, 'signatures_secp256k1')) {
    test(`signatures_secp256k1 #${i} (${v.payloadHex.length / 2}-byte payload): sign, recover, tamper`, () => {
      eq(signer.address, sigs.signer.address, 'address');
      const payload = fromHex(v.payloadHex);
      bytesEq(signer.sign(payload), v.signatureHex, 'deterministic signature');
      eq(recoverEvmAddress(payload, fromHex(v.signatureHex)), sigs.signer.address, 'recovered');
      const tampered = utf8('x' + v.payloadHex);
      if (recoverEvmAddress(tampered, fromHex(v.signatureHex)) === sigs.signer.address) fail('tampered payload recovered the signer');
      const badSig = fromHex(v.signatureHex);
      badSig[10] ^= 1;
      let recovered;
      try { recovered = recoverEvmAddress(payload, badSig); } catch (e) { eq(e.code, 'INVALID_SIGNATURE', 'flipped r'); }
      if (recovered === sigs.signer.address) fail('flipped signature recovered the signer');
    });
  }

  // --- content_messages.json --------------------------------------------------------------
  const publisher = EvmSigner.fromPrivateKey(fromHex(vectors.content.publisher.privateKeyHex));
  for (const [i, v] of pick(content, REPRESENTATIVE.content, 'content_messages')) {
    const f = v.streamMessage;
    test(`content_messages #${i} (${v.label.slice(0, 48)}): decode, fields, re-encode, payload, verify, decrypt`, async () => {
      const bytes = fromHex(v.streamMessageProtobufHex);
      const m = StreamMessage.fromBytes(bytes);
      bytesEq(m.toBytes(), v.streamMessageProtobufHex, 're-encoded');
      eq(m.messageType, f.messageTypeName, 'messageType');
      eq(m.streamId, f.streamId, 'streamId');
      eq(m.streamPartition, f.streamPartition, 'streamPartition');
      eq(m.timestamp, f.timestamp, 'timestamp');
      eq(m.sequenceNumber, f.sequenceNumber, 'sequenceNumber');
      eq(m.publisherId, f.publisherId, 'publisherId');
      eq(m.msgChainId, f.msgChainId, 'msgChainId');
      eq(JSON.stringify(m.prevMsgRef ?? null), JSON.stringify(f.prevMsgRef), 'prevMsgRef');
      bytesEq(m.content, f.contentHex, 'content');
      eq(m.contentType, f.contentType, 'contentType');
      eq(m.encryptionType, f.encryptionType, 'encryptionType');
      eq(m.groupKeyId ?? null, f.groupKeyId, 'groupKeyId');
      eq(m.signatureType, f.signatureType, 'signatureType');
      eq(m.signatureTypeName, f.signatureTypeName, 'signatureTypeName');
      eq(SignatureType[m.signatureType], f.signatureTypeName, 'SignatureType enum name');
      bytesEq(m.signature, f.signatureHex, 'signature');
      eq(m.groupKeyRequest, undefined, 'no groupKeyRequest');
      eq(m.groupKeyResponse, undefined, 'no groupKeyResponse');
      bytesEq(m.signaturePayload(), v.signaturePayloadHex, 'signature payload');
      const check = m.verifySignature();
      if (f.signatureTypeName === 'ECDSA_SECP256R1') {
        // P-256 is the platform's (issue #16): the core checked the encodings and hands over
        // exactly the publisher key, the payload and the signature; the SDK's signature verifies.
        eq(check.status, 'NEEDS_P256', 'P-256 needs the host');
        bytesEq(check.publicKey, f.publisherId.slice(2), 'P-256 key = publisher id');
        bytesEq(check.payload, v.signaturePayloadHex, 'P-256 payload');
        eq(await lib.verifyP256Signature(check.publicKey, check.payload, check.signature), true, 'P-256 signature (platform)');
        const bad = check.signature.slice();
        bad[7] ^= 1;
        eq(await lib.verifyP256Signature(check.publicKey, check.payload, bad), false, 'P-256 tampered');
      } else {
        eq(check.status, 'VALID', 'signature');
      }
      let plaintext = m.content;
      if (m.encryptionType === EncryptionType.AES) {
        eq(m.groupKeyId, v.groupKey.id, 'key id');
        plaintext = decryptWithAES(m.content, fromHex(v.groupKey.dataHex));
      }
      bytesEq(plaintext, v.plaintextHex, 'plaintext');
      if (m.contentType === ContentType.JSON) JSON.parse(new TextDecoder().decode(plaintext));
      if (f.newGroupKey === null) {
        eq(m.newGroupKey, undefined, 'newGroupKey');
      } else {
        eq(m.newGroupKey.id, f.newGroupKey.id, 'newGroupKey.id');
        bytesEq(m.newGroupKey.data, f.newGroupKey.dataHex, 'newGroupKey.data');
        const next = decryptNextGroupKey(new GroupKey(v.groupKey.id, fromHex(v.groupKey.dataHex)), m.newGroupKey);
        eq(next.id, v.decryptedNewGroupKey.id, 'decrypted newGroupKey id');
        bytesEq(next.data, v.decryptedNewGroupKey.dataHex, 'decrypted newGroupKey data');
      }
    });
  }
  for (const [i, v] of pick(content, REPRESENTATIVE.createContent, 'content_messages')) {
    const f = v.streamMessage;
    test(`content_messages #${i}: createContentMessage from the fields reproduces the SDK bytes`, () => {
      const built = StreamMessage.createContentMessage({
        streamId: f.streamId,
        streamPartition: f.streamPartition,
        timestamp: f.timestamp,
        sequenceNumber: f.sequenceNumber,
        msgChainId: f.msgChainId,
        prevMsgRef: f.prevMsgRef,
        content: fromHex(f.contentHex),
        contentType: f.contentType,
        encryptionType: f.encryptionType,
        groupKeyId: f.groupKeyId,
        newGroupKey: f.newGroupKey && { id: f.newGroupKey.id, data: fromHex(f.newGroupKey.dataHex) },
      }, publisher);
      eq(built.publisherId, vectors.content.publisher.userId, 'publisherId');
      bytesEq(built.toBytes(), v.streamMessageProtobufHex, 'built bytes');
    });
  }

  // --- key_exchange_messages.json (envelopes only) -----------------------------------------
  for (const [i, v] of pick(vectors.keyExchange.vectors, REPRESENTATIVE.keyExchange, 'key_exchange_messages')) {
    for (const kind of ['request', 'response']) {
      const x = v[kind];
      test(`key_exchange_messages #${i} ${kind} (${v.label.slice(0, 40)}): decode, fields, re-encode, verify`, () => {
        const m = StreamMessage.fromBytes(fromHex(x.streamMessageProtobufHex));
        bytesEq(m.toBytes(), x.streamMessageProtobufHex, 're-encoded');
        eq(m.messageType, x.streamMessage.messageTypeName, 'messageType');
        eq(m.publisherId, x.streamMessage.publisherId, 'publisherId');
        eq(m.timestamp, x.streamMessage.timestamp, 'timestamp');
        eq(m.msgChainId, x.streamMessage.msgChainId, 'msgChainId');
        bytesEq(m.content, x.streamMessage.contentHex, 'content (inner message, as in the SDK)');
        eq(m.contentType, ContentType.BINARY, 'contentType');
        eq(m.encryptionType, EncryptionType.NONE, 'encryptionType');
        eq(m.signatureTypeName, x.streamMessage.signatureTypeName, 'signatureTypeName');
        bytesEq(m.signaturePayload(), x.signaturePayloadHex, 'signature payload');
        eq(m.verifySignature().status, 'VALID', 'signature');
        if (kind === 'request') {
          const r = m.groupKeyRequest;
          const e = x.groupKeyRequest;
          eq(m.groupKeyResponse, undefined, 'no response body');
          eq(r.requestId, e.requestId, 'requestId');
          eq(r.recipientId, `0x${e.recipientIdHex}`, 'recipientId');
          bytesEq(r.publicKey, e.publicKeyHex, 'publicKey');
          eq(JSON.stringify(r.groupKeyIds), JSON.stringify(e.groupKeyIds), 'groupKeyIds');
          eq(r.encryptionType, e.encryptionType, 'encryptionType');
          eq(AsymmetricEncryptionType[r.encryptionType], ['RSA', 'ML_KEM'][e.encryptionType], 'enum name');
        } else {
          const r = m.groupKeyResponse;
          const e = x.groupKeyResponse;
          eq(m.groupKeyRequest, undefined, 'no request body');
          eq(r.requestId, e.requestId, 'requestId');
          eq(r.recipientId, `0x${e.recipientIdHex}`, 'recipientId');
          eq(r.groupKeys.length, e.groupKeys.length, 'groupKeys');
          r.groupKeys.forEach((k, j) => {
            eq(k.id, e.groupKeys[j].id, 'key id');
            bytesEq(k.data, e.groupKeys[j].dataHex, 'key data');
          });
          eq(r.encryptionType, e.encryptionType, 'encryptionType');
        }
      });
    }
  }

  // --- ERC-1271: a contract check is needed, never "valid" -----------------------------------
  test('ERC_1271 signature type: verifySignature asks for the contract check', () => {
    // A repeated scalar field wins on decode: append signatureType = 2 (field 4, varint).
    const m = StreamMessage.fromBytes(Uint8Array.of(...msg1Bytes, 0x20, 0x02));
    eq(m.signatureTypeName, 'ERC_1271', 'type');
    const check = m.verifySignature();
    eq(check.status, 'NEEDS_ERC1271', 'status');
    eq(check.contract, content[0].streamMessage.publisherId, 'contract');
    eq(check.digest.length, 32, 'digest');
    bytesEq(check.signature, content[0].streamMessage.signatureHex, 'signature');
  });

  // --- bad input: typed errors, and the module keeps working -------------------------------
  const key32 = fromHex(vectors.aes.vectors[0].keyHex);
  test('bad input: ciphertext shorter than the IV -> DECRYPT_ERROR', () => {
    for (let n = 0; n < 16; n++) throwsCode(() => decryptWithAES(new Uint8Array(n), key32), 'DECRYPT_ERROR', `${n} bytes`);
    const k = GroupKey.generate();
    const enc = encryptNextGroupKey(k, GroupKey.generate());
    throwsCode(() => decryptNextGroupKey(k, { id: enc.id, data: enc.data.slice(0, 47) }), 'DECRYPT_ERROR', 'next key 47 bytes');
    stillWorks();
  });
  test('bad input: wrong key length -> INVALID_KEY', () => {
    for (const n of [0, 1, 16, 31, 33, 64]) {
      const k = new Uint8Array(n).fill(1);
      throwsCode(() => encryptWithAES(utf8('x'), k), 'INVALID_KEY', `encrypt, ${n}-byte key`);
      throwsCode(() => decryptWithAES(new Uint8Array(32), k), 'INVALID_KEY', `decrypt, ${n}-byte key`);
      throwsCode(() => new GroupKey('id', k), 'INVALID_KEY', `GroupKey, ${n}-byte key`);
      throwsCode(() => EvmSigner.fromPrivateKey(k), 'INVALID_KEY', `EvmSigner, ${n}-byte key`);
    }
    throwsCode(() => new GroupKey('', key32), 'INVALID_KEY', 'empty id');
    throwsCode(() => EvmSigner.fromPrivateKey(new Uint8Array(32)), 'INVALID_KEY', 'zero private key');
    stillWorks();
  });
  test('bad input: bytes that are not protobuf -> MALFORMED_MESSAGE', () => {
    for (const b of [new Uint8Array(0), utf8('hello world, not protobuf'), utf8('{"streamId":"x"}'), new Uint8Array(64).fill(0xff)]) {
      throwsCode(() => StreamMessage.fromBytes(b), 'MALFORMED_MESSAGE', hex(b).slice(0, 16));
    }
    stillWorks();
  });
  test('bad input: every truncation of a message -> MALFORMED_MESSAGE', () => {
    // One message: the error's conversion is the same for every vector (each is truncated in
    // tests/suite/bad_input.rs).
    const bytes = msg1Bytes;
    for (let n = 0; n < bytes.length; n++) throwsCode(() => StreamMessage.fromBytes(bytes.subarray(0, n)), 'MALFORMED_MESSAGE', `${n}/${bytes.length}`);
    stillWorks();
  });
  test('bad input: unknown enum value -> MALFORMED_MESSAGE', () => {
    for (const value of [5, 9, 0x7f]) {
      throwsCode(() => StreamMessage.fromBytes(Uint8Array.of(...msg1Bytes, 0x20, value)), 'MALFORMED_MESSAGE', `signatureType ${value}`);
    }
    stillWorks();
  });
  test('bad input: v not 27 or 28 -> INVALID_SIGNATURE', () => {
    const sigHex = content[0].streamMessage.signatureHex;
    for (const v of [0, 1, 26, 29, 255]) {
      const sig = fromHex(sigHex);
      sig[64] = v;
      const m = StreamMessage.fromBytes(replaceOnce(msg1Bytes, sigHex, sig));
      throwsCode(() => m.verifySignature(), 'INVALID_SIGNATURE', `v = ${v}`);
      throwsCode(() => recoverEvmAddress(m.signaturePayload(), sig), 'INVALID_SIGNATURE', `recover, v = ${v}`);
    }
    stillWorks();
  });
  test('bad input: signature by another key -> INVALID_SIGNATURE', () => {
    const m1 = StreamMessage.fromBytes(msg1Bytes);
    const other = EvmSigner.generate();
    const forged = StreamMessage.fromBytes(replaceOnce(msg1Bytes, content[0].streamMessage.signatureHex, other.sign(m1.signaturePayload())));
    const err = throwsCode(() => forged.verifySignature(), 'INVALID_SIGNATURE', 'forged');
    if (!/different address/.test(err.message)) fail(`message: ${err.message}`);
    stillWorks();
  });
  test('bad input: a 10 MB message -> MESSAGE_TOO_LARGE (accepted with a raised maxBytes)', () => {
    const big = StreamMessage.createContentMessage({
      streamId: 'big/stream', timestamp: 1700000000000, msgChainId: 'c', content: new Uint8Array(10 * 1024 * 1024), contentType: ContentType.BINARY,
    }, EvmSigner.generate()).toBytes();
    throwsCode(() => StreamMessage.fromBytes(big), 'MESSAGE_TOO_LARGE', '10 MB');
    const ok = StreamMessage.fromBytes(big, 16 * 1024 * 1024);
    eq(ok.content.length, 10 * 1024 * 1024, 'content with raised limit');
    eq(ok.verifySignature().status, 'VALID', 'big message verifies');
    stillWorks();
  });
  test('bad input: wrongly shaped JS arguments -> INVALID_ARGUMENT', () => {
    const k = GroupKey.generate();
    throwsCode(() => decryptNextGroupKey(k, 'not an object'), 'INVALID_ARGUMENT', 'string');
    throwsCode(() => decryptNextGroupKey(k, { id: 'x', data: [1, 2, 3] }), 'INVALID_ARGUMENT', 'array data');
    const fields = { streamId: 's', timestamp: 1, msgChainId: 'c', content: utf8('{}') };
    StreamMessage.createContentMessage(fields, publisher);
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, streamId: undefined }, publisher), 'INVALID_ARGUMENT', 'no streamId');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, timestamp: -1 }, publisher), 'INVALID_ARGUMENT', 'negative timestamp');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, timestamp: 1.5 }, publisher), 'INVALID_ARGUMENT', 'fractional timestamp');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, contentType: 7 }, publisher), 'INVALID_ARGUMENT', 'contentType 7');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, content: 'text' }, publisher), 'INVALID_ARGUMENT', 'string content');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, encryptionType: EncryptionType.AES }, publisher), 'MALFORMED_MESSAGE', 'AES without groupKeyId');
    throwsCode(() => StreamMessage.createContentMessage({ ...fields, prevMsgRef: { timestamp: 1, sequenceNumber: 0 } }, publisher), 'MALFORMED_MESSAGE', 'prevMsgRef not before');
    stillWorks();
  });
  return out;
}
