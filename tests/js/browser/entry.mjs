// Browser entry: the shared suite against the package's bundler build (webpack resolves
// `streamr-e2ee` through its exports map, "browser" condition). Results go to
// window.__results for run.mjs to collect.
import * as lib from 'streamr-e2ee';
import aes from '../../vectors/aes_payload.json';
import rotation from '../../vectors/group_key_rotation.json';
import signatures from '../../vectors/signatures_secp256k1.json';
import content from '../../vectors/content_messages.json';
import keyExchange from '../../vectors/key_exchange_messages.json';
import { cases } from '../suite.mjs';

const results = { passed: 0, failed: 0, failures: [], userAgent: navigator.userAgent };
for (const { name, fn } of cases(lib, { aes, rotation, signatures, content, keyExchange })) {
  try {
    fn();
    results.passed += 1;
  } catch (e) {
    results.failed += 1;
    results.failures.push({ name, message: String(e && e.stack ? e.stack : e) });
  }
}
window.__results = results;
