// Error messages that quote a JS number print it as JS does (src/wasm/host_io.rs `js_number`):
// the wasm module carries no float printing of its own (issue #16, a size cut).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentType, EvmSigner, Publisher } from 'streamr-e2ee';

const STREAM = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/numbers';
const throwsWith = (fn, code, message) => assert.throws(fn, (e) => {
  assert.equal(e.code, code);
  assert.equal(e.message, `invalid argument: ${message}`);
  return true;
});

test('a bad nowMs or enum number is quoted the way JS prints it', () => {
  const signer = EvmSigner.generate();
  const pub = new Publisher({ streamId: STREAM, encrypt: false }, signer);
  try {
    const content = new Uint8Array([1]);
    throwsWith(() => pub.publish(content, ContentType.BINARY, 1.5), 'INVALID_ARGUMENT', 'nowMs must be an integer from 0 to 9007199254740991, got 1.5');
    throwsWith(() => pub.publish(content, ContentType.BINARY, -1e21), 'INVALID_ARGUMENT', 'nowMs must be an integer from 0 to 9007199254740991, got -1e+21');
    throwsWith(() => pub.publish(content, ContentType.BINARY, Infinity), 'INVALID_ARGUMENT', 'nowMs must be an integer from 0 to 9007199254740991, got Infinity');
    throwsWith(() => pub.publish(content, 7.5, 1), 'INVALID_ARGUMENT', 'unknown contentType 7.5');
  } finally {
    pub.free();
    signer.free();
  }
});
