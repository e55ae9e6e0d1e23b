// Issue #16 (P-256 part) in a bundle (webpack 5 here, Vite in vite-app/): the main wasm module
// has no P-256 arithmetic; the platform module (`#p256-platform`, WebCrypto) is a separate chunk
// the page does not fetch until a P-256 signer or message appears, and then a P-256 publisher
// and a P-256 subscriber exchange keys and a message through the core, this page answering
// their `sign` and `verifyP256` questions. Runs after the RSA phase in the same document (which
// uses secp256k1 identities only), so nothing P-256 ran before.
import { Publisher, Subscriber, ContentType, MlKemKeyPair, P256Signer, answerVerifyP256, p256Stats } from 'streamr-e2ee';
import { test, assert, assertEqual } from './harness.mjs';

const STREAM = '0x' + '88'.repeat(20) + '/p256-lazy';

const scripts = () => performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('.js')).map((e) => new URL(e.name).pathname);

/** One publish from a P-256 publisher to a P-256 subscriber, this page as both hosts. */
async function exchange(pubSigner, subSigner) {
  const now = () => Date.now();
  const pub = new Publisher({ streamId: STREAM }, pubSigner.external);
  const sub = new Subscriber({ streamId: STREAM }, subSigner.external, MlKemKeyPair.generate(), now());
  const signerOf = new Map([[pub, pubSigner], [sub, subSigner]]);
  const answer = async (m, q) => {
    switch (q.type) {
      case 'permission': return { type: 'permission', allowed: true };
      case 'loadKey': return { type: 'storedKey' };
      case 'sign': return { type: 'signature', signature: await signerOf.get(m).sign(q.payload) };
      case 'verifyP256': return answerVerifyP256(q);
      default: throw new Error(`unexpected question ${q.type}`);
    }
  };
  pub.publish(new TextEncoder().encode('{"p256":"lazy"}'), ContentType.JSON, now());
  const delivered = [];
  const machines = [pub, sub];
  for (let round = 0; round < 30; round++) {
    let moved = false;
    for (const [i, m] of machines.entries()) {
      for (const o of m.pollOutputs()) {
        moved = true;
        if (o.type === 'send') machines.forEach((other, j) => j !== i && other.handleMessage(o.bytes, now()));
        else if (o.type === 'ask') m.answer(o.id, await answer(m, o.question), now());
        else if (o.type === 'deliver') delivered.push({ text: new TextDecoder().decode(o.content), publisherId: o.publisherId });
        else if (o.type === 'event' && (o.event.type === 'error' || o.event.type === 'keyRequestDenied')) throw new Error(JSON.stringify(o.event));
      }
    }
    if (!moved) break;
  }
  pub.free();
  sub.free();
  return delivered;
}

export function p256LazyPhase(label) {
  let before;
  test(`${label}: nothing P-256 was imported so far`, async () => {
    assertEqual(JSON.stringify(p256Stats()), JSON.stringify({ platformLoaded: false, verifications: 0, signatures: 0 }), 'p256Stats');
    before = scripts();
    return { scripts: before.length };
  });

  test(`${label}: P-256 publisher → P-256 subscriber on WebCrypto; the platform chunk is fetched now`, async () => {
    const pubSigner = await P256Signer.generate();
    const subSigner = await P256Signer.fromPrivateKey(new Uint8Array(32).fill(5));
    assertEqual(pubSigner.path, 'webcrypto', 'key held by WebCrypto');
    const got = await exchange(pubSigner, subSigner);
    assertEqual(got.length, 1, `delivered: ${JSON.stringify(got)}`);
    assertEqual(got[0].text, '{"p256":"lazy"}', 'the message');
    assertEqual(got[0].publisherId, pubSigner.userId, 'from the P-256 publisher');
    const stats = p256Stats();
    assertEqual(stats.platformLoaded, true, 'platform module imported');
    // content + key request + key response signed; key request, key response, content verified.
    assert(stats.signatures >= 3 && stats.verifications >= 3, JSON.stringify(stats));
    const fetched = scripts().filter((s) => !before.includes(s));
    assert(fetched.length >= 1, `a script chunk was fetched for P-256: ${JSON.stringify(scripts())}`);
    return { ...stats, newScripts: fetched };
  });
}
