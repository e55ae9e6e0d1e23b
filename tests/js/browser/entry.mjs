// Browser entry: the shared suites (suite.mjs, scenarios.mjs) against the package's bundler
// build (webpack resolves `streamr-e2ee` through its exports map, "browser" condition). The
// host's RSA for the external key exchange is WebCrypto. Results go to window.__results for
// run.mjs to collect.
import * as lib from 'streamr-e2ee';
import aes from '../../vectors/aes_payload.json';
import rotation from '../../vectors/group_key_rotation.json';
import signatures from '../../vectors/signatures_secp256k1.json';
import content from '../../vectors/content_messages.json';
import keyExchange from '../../vectors/key_exchange_messages.json';
import { cases } from '../suite.mjs';
import { scenarioCases } from '../scenarios.mjs';

/** RSA-OAEP with SHA-1 in WebCrypto: the SPKI PEM as a browser writes it (base64 on one line). */
const rsaHost = {
  name: 'WebCrypto RSA-OAEP SHA-1, single-line PEM',
  async generate(bits) {
    const algorithm = { name: 'RSA-OAEP', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' };
    const { publicKey, privateKey } = await crypto.subtle.generateKey(algorithm, false, ['encrypt', 'decrypt']);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
    const base64 = btoa(String.fromCharCode(...spki));
    return {
      publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----\n`,
      decrypt: async (data) => new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, data)),
    };
  },
};

async function run() {
  await lib.ready();
  const suites = [
    ['suite.mjs', cases(lib, { aes, rotation, signatures, content, keyExchange })],
    ['scenarios.mjs', scenarioCases(lib, { rsaHost })],
  ];
  const results = { passed: 0, failed: 0, failures: [], suites: {}, userAgent: navigator.userAgent };
  for (const [suite, list] of suites) {
    const counts = { passed: 0, failed: 0 };
    for (const { name, fn } of list) {
      try {
        await fn();
        counts.passed += 1;
      } catch (e) {
        counts.failed += 1;
        results.failures.push({ name: `${suite}: ${name}`, message: String(e && e.stack ? e.stack : e) });
      }
    }
    results.suites[suite] = counts;
    results.passed += counts.passed;
    results.failed += counts.failed;
  }
  return results;
}

run().then((results) => {
  window.__results = results;
}, (e) => {
  window.__results = { passed: 0, failed: 1, failures: [{ name: 'runner', message: String(e && e.stack ? e.stack : e) }], suites: {}, userAgent: navigator.userAgent };
});
