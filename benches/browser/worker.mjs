// RSA off the main thread (group `worker`, docs/worker.md): key generation and one unwrap in
// the package's Web Worker (`CryptoWorker`), side by side with the same work on the main thread
// and with bare WebCrypto. Besides the wall time, each sample records how long the main thread
// was blocked while it ran (Long Tasks, and the worst gap of a 5 ms timer): that, not the
// speed, is what the worker is for. Moved here from tests/js/keystore/browser/worker-phases.mjs
// (issue #18), where these were `bench:` "tests" that asserted nothing; the worker's
// assertions (no long task from the keygen path) stay in that test. Case names differ from
// the `kem` group's (report.mjs groups rows by case name).
import {
  CryptoWorker, WebCryptoRsaKeyExchange, generateRsaKeyPairWebCrypto, RsaKeyPair, GroupKey,
  AsymmetricEncryptionType, wrapGroupKey,
} from 'streamr-e2ee';
import { measure as blocking } from '../../tests/js/keystore/browser/longtasks.mjs';
import { summary } from '../timing.mjs';

/** The row of `samples` runs of `fn`: wall-time statistics plus the main-thread blocking. */
async function sampled(fn, samples) {
  const runs = [];
  const walls = [];
  for (let i = 0; i < samples; i++) {
    // The wall time unrounded (the blocking stats round to whole ms; an unwrap takes about one).
    const { result, stats } = await blocking(async () => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    });
    walls.push(result);
    runs.push(stats);
  }
  const row = summary(walls, 1);
  const blocked = summary(runs.map((r) => r.blockedMs), 1);
  return {
    ...row,
    blockedMs: blocked.medianMs,
    maxTimerGapMs: Math.max(...runs.map((r) => r.maxTimerGapMs)),
    longTasksFromPath: runs.reduce((n, r) => n + r.longTasksFromPath.length, 0),
  };
}

/**
 * Records the `worker` rows with `record(group, name, impl, stats, extra)`. "ours" is the path
 * docs/worker.md recommends for RSA in a page: the work in the worker.
 */
export async function workerBench({ record, status, bits, samples }) {
  const worker = CryptoWorker.spawn();
  await worker.ready;
  try {
    status(`RSA-${bits} keygen, main-thread blocking`);
    const keygen = [
      ['ours', 'CryptoWorker.generateRsaKeyPair', async () => (await worker.generateRsaKeyPair(bits)).free()],
      ['ours, main thread', 'RsaKeyPair.generate', async () => (await RsaKeyPair.generate(bits)).free()],
      ['WebCrypto, non-extractable', 'WebCryptoRsaKeyExchange.generate', () => WebCryptoRsaKeyExchange.generate(bits)],
      ['WebCrypto, extractable', 'generateRsaKeyPairWebCrypto', async () => (await generateRsaKeyPairWebCrypto(bits)).free()],
    ];
    for (const [impl, api, fn] of keygen) {
      record('worker', `RSA-${bits} keygen, worker vs main thread`, impl, await sampled(fn, samples), { api });
    }

    status(`RSA-${bits} unwrap, main-thread blocking`);
    const pair = await generateRsaKeyPairWebCrypto(bits);
    const kx = await WebCryptoRsaKeyExchange.generate(bits);
    const inWorker = await worker.importRsaKeyExchange(await pair.toPkcs8Pem());
    const key = GroupKey.generate();
    const forPair = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKey);
    const forKx = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, kx.publicKeyPem);
    // Every path must unwrap the right key before it is timed.
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    const pairKey = await pair.unwrapGroupKey(key.id, forPair);
    if (!same(await inWorker.unwrap(forPair), key.data) || !same(pairKey.data, key.data) || !same(await kx.unwrap(forKx), key.data)) {
      throw new Error('worker bench: an RSA unwrap returned another key');
    }
    pairKey.free();
    const unwrap = [
      ['ours', 'CryptoWorker.importRsaKeyExchange, unwrap', () => inWorker.unwrap(forPair)],
      ['ours, main thread', 'RsaKeyPair.unwrapGroupKey', async () => (await pair.unwrapGroupKey(key.id, forPair)).free()],
      ['WebCrypto, non-extractable', 'WebCryptoRsaKeyExchange.unwrap', () => kx.unwrap(forKx)],
    ];
    for (const [impl, api, fn] of unwrap) {
      record('worker', `RSA-${bits} unwrap of one group key, worker vs main thread`, impl, await sampled(fn, samples), { api });
    }
    pair.free();
  } finally {
    worker.terminate();
  }
}
