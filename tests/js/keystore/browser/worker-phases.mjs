// The package's Web Worker and WebCrypto RSA in Chromium: RSA-4096 generated off the main
// thread with no long task from the keygen path, and keys made that way unwrap group keys
// wrapped by wrapGroupKey (the SDK-compatible RSA-OAEP-SHA-1 wrapping).
import {
  CryptoWorker, WebCryptoRsaKeyExchange, generateRsaKeyPairWebCrypto, RsaKeyPair, GroupKey,
  AsymmetricEncryptionType, wrapGroupKey, encryptWithAES,
} from 'streamr-e2ee';
import { test, assert, assertEqual, assertBytes, assertRejects } from './harness.mjs';
import { measure } from './longtasks.mjs';

function checkUnwrap(unwrapped, key, label) {
  assertEqual(unwrapped.id, key.id, `${label}: key id`);
  assertBytes(unwrapped.data, key.data, `${label}: key bytes`);
}

export function workerPhase() {
  let worker;

  test('the worker loads the wasm (bundled as its own chunk)', async () => {
    worker = CryptoWorker.spawn();
    await worker.ready;
  });

  test('calls made right after spawn (while the worker loads its wasm) are not lost', async () => {
    const fresh = CryptoWorker.spawn();
    try {
      const key = GroupKey.generate();
      const ct = encryptWithAES(new Uint8Array([1, 2, 3]), key.data);
      const out = await fresh.decryptWithAES(key, [ct]);
      assertBytes(out[0], new Uint8Array([1, 2, 3]), 'decrypted');
    } finally {
      fresh.terminate();
    }
    const early = CryptoWorker.spawn();
    const pending = early.decryptWithAES(new Uint8Array(32), [new Uint8Array(20)]);
    early.terminate();
    await assertRejects(pending, 'WORKER_UNAVAILABLE', 'terminated before ready');
  });

  test('RSA-4096 in the worker: no long task on the main thread, and it unwraps wrapGroupKey output', async () => {
    const { result: pair, stats } = await measure(() => worker.generateRsaKeyPair(4096));
    assertEqual(pair.bits, 4096, 'modulus size');
    assertEqual(stats.longTasksFromPath.length, 0, `long tasks from the keygen path (${JSON.stringify(stats)})`);
    const key = GroupKey.generate();
    const wrapped = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKey);
    assertEqual(wrapped.length, 512, 'RSA-4096 ciphertext length');
    checkUnwrap(await pair.unwrapGroupKey(key.id, wrapped), key, 'worker key pair');
    return stats;
  });

  test('WebCrypto RSA-4096, non-extractable: no long task, unwraps wrapGroupKey output (the unwrapGroupKey answer)', async () => {
    const { result: kx, stats } = await measure(() => WebCryptoRsaKeyExchange.generate(4096));
    assertEqual(stats.longTasksFromPath.length, 0, `long tasks from the keygen path (${JSON.stringify(stats)})`);
    assertEqual(kx.keyExchange.encryptionType, AsymmetricEncryptionType.RSA, 'encryption type');
    assert(kx.publicKeyPem.startsWith('-----BEGIN PUBLIC KEY-----\n') && kx.publicKeyPem.endsWith('-----END PUBLIC KEY-----\n'), 'SPKI PEM');
    const key = GroupKey.generate();
    const wrapped = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, kx.publicKeyPem);
    const answer = await kx.answerUnwrap(wrapped);
    assertEqual(answer.type, 'groupKeyBytes', 'answer type');
    assertBytes(answer.bytes, key.data, 'unwrapped bytes');
    const tampered = wrapped.slice();
    tampered[10] ^= 1;
    assertEqual((await kx.answerUnwrap(tampered)).type, 'failed', 'tampered data is a failed answer');
    return stats;
  });

  test('WebCrypto RSA-4096 as an extractable RsaKeyPair: unwraps wrapGroupKey output', async () => {
    const { result: pair, stats } = await measure(() => generateRsaKeyPairWebCrypto(4096));
    assertEqual(pair.bits, 4096, 'modulus size');
    assertEqual(stats.longTasksFromPath.length, 0, `long tasks from the keygen path (${JSON.stringify(stats)})`);
    const key = GroupKey.generate();
    checkUnwrap(await pair.unwrapGroupKey(key.id, await wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKey)), key, 'WebCrypto key pair');
    return stats;
  });

  test('worker-held RSA-4096 key exchange: unwrap in the worker without a long task; dispose', async () => {
    const source = await generateRsaKeyPairWebCrypto(4096); // fast; the worker generates the same way as above
    const kx = await worker.importRsaKeyExchange(await source.toPkcs8Pem());
    assertEqual(kx.keyExchange.encryptionType, AsymmetricEncryptionType.RSA, 'encryption type');
    assertEqual(kx.publicKeyPem, source.publicKeyPem, 'same public key');
    const key = GroupKey.generate();
    const wrapped = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, kx.keyExchange.publicKey);
    const { result: answer, stats } = await measure(() => kx.answerUnwrap(wrapped));
    assertEqual(answer.type, 'groupKeyBytes', `answer (${JSON.stringify(answer)})`);
    assertBytes(answer.bytes, key.data, 'unwrapped bytes');
    assertEqual(stats.longTasksFromPath.length, 0, `long tasks from the unwrap path (${JSON.stringify(stats)})`);
    assertEqual((await kx.answerUnwrap(wrapped.subarray(1))).type, 'failed', 'wrong length is a failed answer');
    await kx.dispose();
    assertEqual((await kx.answerUnwrap(wrapped)).type, 'failed', 'disposed');
    await assertRejects(kx.unwrap(wrapped), 'INVALID_ARGUMENT', 'disposed key exchange');
    return stats;
  });

  test('bulk AES decryption in the worker: 1,000 payloads, in order; a short one fails in place', async () => {
    const key = GroupKey.generate();
    const plaintexts = Array.from({ length: 1000 }, (_, i) => new TextEncoder().encode(`message ${i} ${'x'.repeat(i % 50)}`));
    const cts = plaintexts.map((p) => encryptWithAES(p, key.data));
    cts.push(new Uint8Array(3));
    const out = await worker.decryptWithAES(key, cts);
    assertEqual(out.length, 1001, 'one outcome per input');
    plaintexts.forEach((p, i) => assertBytes(out[i], p, `payload ${i}`));
    assertEqual(out[1000].code, 'DECRYPT_ERROR', 'short payload');
  });

  test('bad sizes reject with INVALID_KEY; a terminated worker with WORKER_UNAVAILABLE', async () => {
    await assertRejects(worker.generateRsaKeyPair(100), 'INVALID_KEY', '100 bits');
    const pending = worker.generateRsaKeyPair(2048);
    worker.terminate();
    await assertRejects(pending, 'WORKER_UNAVAILABLE', 'pending call');
    await assertRejects(worker.generateRsaKeyPair(2048), 'WORKER_UNAVAILABLE', 'later call');
  });
}
