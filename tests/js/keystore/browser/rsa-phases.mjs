// Issue #16 (RSA part) in a bundle (webpack 5 here, Vite in vite-app/): the main wasm module
// has no RSA, the RSA module (rsa-wasm) is not fetched until an RSA exchange needs it, and
// then it works. Real parts in the page: the package's Publisher and Subscriber exchanging
// keys through the core, the page as their host (WebCrypto RSA, or the rsa-wasm module).
//
// The runner passes the rsa-wasm module's size (`?rsaWasmBytes=`), so the page can tell its
// fetch from the main module's among the resource-timing entries.
import {
  Publisher, Subscriber, EvmSigner, ContentType, MlKemKeyPair, RsaKeyPair,
  answerWrapGroupKeys, configureRsa, rsaStats,
} from 'streamr-e2ee';
import { test, assert, assertEqual } from './harness.mjs';

const STREAM = '0x' + '77'.repeat(20) + '/rsa-lazy';
const rsaWasmBytes = Number(new URLSearchParams(location.search).get('rsaWasmBytes'));

/** The .wasm files this page fetched so far, with their sizes. */
function wasmFetches() {
  return performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname.endsWith('.wasm'))
    .map((e) => ({ path: new URL(e.name).pathname, bytes: e.decodedBodySize }));
}

const rsaWasmFetched = () => wasmFetches().some((f) => f.bytes === rsaWasmBytes);

/**
 * One publish from a fresh Publisher to a fresh Subscriber holding `keyPair`, the key exchange
 * included, with this page as both hosts. Resolves the delivered texts.
 */
async function exchange(keyPair) {
  const now = () => Date.now();
  const pub = new Publisher({ streamId: STREAM, minRsaKeyBits: 640 }, EvmSigner.generate());
  const rsa = keyPair instanceof RsaKeyPair;
  const sub = new Subscriber({ streamId: STREAM }, EvmSigner.generate(), rsa ? keyPair.keyExchange : keyPair, now());
  const answer = async (q) => {
    switch (q.type) {
      case 'permission': return { type: 'permission', allowed: true };
      case 'loadKey': return { type: 'storedKey' };
      case 'wrapGroupKeys': return answerWrapGroupKeys(q);
      case 'unwrapGroupKey': return keyPair.answerUnwrap(q.data);
      default: throw new Error(`unexpected question ${q.type}`);
    }
  };
  pub.publish(new TextEncoder().encode('{"rsa":"lazy"}'), ContentType.JSON, now());
  const delivered = [];
  const machines = [pub, sub];
  for (let round = 0; round < 30; round++) {
    let moved = false;
    for (const [i, m] of machines.entries()) {
      for (const o of m.pollOutputs()) {
        moved = true;
        if (o.type === 'send') machines.forEach((other, j) => j !== i && other.handleMessage(o.bytes, now()));
        else if (o.type === 'ask') m.answer(o.id, await answer(o.question), now());
        else if (o.type === 'deliver') delivered.push(new TextDecoder().decode(o.content));
        else if (o.type === 'event' && (o.event.type === 'error' || o.event.type === 'keyRequestDenied')) throw new Error(JSON.stringify(o.event));
      }
    }
    if (!moved) break;
  }
  pub.free();
  sub.free();
  return delivered;
}

export function rsaLazyPhase(label) {
  test(`${label}: the runner told the RSA module's size`, async () => {
    assert(rsaWasmBytes > 10_000, `rsaWasmBytes=${rsaWasmBytes}`);
  });

  test(`${label}: page load and an ML-KEM exchange fetch no RSA`, async () => {
    assertEqual((await exchange(MlKemKeyPair.generate())).join(), '{"rsa":"lazy"}', 'delivered over ML-KEM');
    const stats = rsaStats();
    assertEqual(stats.platformLoaded, false, 'platform RSA module imported');
    assertEqual(stats.wasmLoaded, false, 'rsa-wasm imported');
    const fetched = wasmFetches();
    assertEqual(fetched.length, 1, `only the main module fetched: ${JSON.stringify(fetched)}`);
    assert(!rsaWasmFetched(), 'rsa-wasm not fetched');
    return { wasmFetches: fetched };
  });

  test(`${label}: RSA-2048 exchange runs on WebCrypto (generate, wrap, unwrap); rsa-wasm still not fetched`, async () => {
    const pair = await RsaKeyPair.generate(2048, { extractable: false });
    assertEqual(pair.path, 'webcrypto', 'key held by WebCrypto');
    assertEqual((await exchange(pair)).join(), '{"rsa":"lazy"}', 'delivered over RSA');
    const stats = rsaStats();
    assertEqual(stats.operations.webcrypto, 3, `WebCrypto did the three operations: ${JSON.stringify(stats)}`);
    assertEqual(stats.operations.wasm, 0, 'rsa-wasm did none');
    assertEqual(stats.wasmLoaded, false, 'rsa-wasm imported');
    assert(!rsaWasmFetched(), `rsa-wasm not fetched: ${JSON.stringify(wasmFetches())}`);
    await assertRejectsAny(pair.toPkcs8Pem(), 'a non-extractable key does not export');
    return stats;
  });

  test(`${label}: RSA-640 (the SDK's test size): whichever path Chromium allows, the exchange works`, async () => {
    const pair = await RsaKeyPair.generate(640);
    assertEqual((await exchange(pair)).join(), '{"rsa":"lazy"}', 'delivered over RSA-640');
    const stats = rsaStats();
    assertEqual(stats.wasmLoaded, pair.path === 'wasm' || stats.operations.wasm > 0, 'rsa-wasm imported exactly when used');
    assertEqual(rsaWasmFetched(), stats.wasmLoaded, 'rsa-wasm fetched exactly when imported');
    return { path: pair.path, ...stats };
  });

  test(`${label}: configureRsa({ prefer: 'wasm' }): the RSA module is fetched now, and the exchange works on it`, async () => {
    configureRsa({ prefer: 'wasm' });
    try {
      const pair = await RsaKeyPair.generate(1024);
      assertEqual(pair.path, 'wasm', 'key held by rsa-wasm');
      const before = rsaStats().operations.wasm;
      assertEqual((await exchange(pair)).join(), '{"rsa":"lazy"}', 'delivered over RSA on rsa-wasm');
      assertEqual(rsaStats().operations.wasm - before, 2, 'wrap and unwrap on rsa-wasm');
      // A persisted key loads back (PKCS#8 PEM) and unwraps.
      const again = await RsaKeyPair.fromPkcs8Pem(await pair.toPkcs8Pem());
      assertEqual(again.publicKeyPem, pair.publicKeyPem, 'same key after export/import');
    } finally {
      configureRsa({ prefer: 'platform' });
    }
    assert(rsaWasmFetched(), `rsa-wasm fetched: ${JSON.stringify(wasmFetches())}`);
    return { wasmFetches: wasmFetches(), ...rsaStats() };
  });
}

async function assertRejectsAny(promise, message) {
  let threw = false;
  try {
    await promise;
  } catch {
    threw = true;
  }
  assert(threw, message);
}
