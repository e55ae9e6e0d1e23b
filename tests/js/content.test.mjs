// encodeContent / decodeContent against the SDK's content vectors and rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeContent, decodeContent, ContentType } from 'streamr-e2ee';
import { fromHex } from './suite.mjs';
import { vectors } from './vectors.mjs';

test('JSON content is the UTF-8 of JSON.stringify, as in the SDK vectors', () => {
  for (const v of vectors.content.vectors) {
    if (v.streamMessage.contentType !== 0) continue;
    const plaintext = fromHex(v.plaintextHex);
    const value = decodeContent(plaintext, ContentType.JSON);
    const encoded = encodeContent(value);
    assert.equal(encoded.contentType, ContentType.JSON);
    assert.deepEqual(Buffer.from(encoded.content), Buffer.from(plaintext), v.label);
  }
});

test('binary content travels raw; top-level scalars are JSON', () => {
  const bytes = new Uint8Array([0, 1, 2, 255]);
  const bin = encodeContent(bytes);
  assert.equal(bin.contentType, ContentType.BINARY);
  assert.deepEqual(Array.from(bin.content), [0, 1, 2, 255]);
  assert.deepEqual(Array.from(decodeContent(bin.content, ContentType.BINARY)), [0, 1, 2, 255]);
  assert.equal(encodeContent(Buffer.from([7])).contentType, ContentType.BINARY);
  for (const scalar of [42, 'text', true, null]) {
    const e = encodeContent(scalar);
    assert.equal(e.contentType, ContentType.JSON);
    assert.equal(decodeContent(e.content, ContentType.JSON), scalar);
  }
});

test('content JSON cannot hold is INVALID_ARGUMENT; bad JSON content is INVALID_MESSAGE_CONTENT', () => {
  for (const bad of [undefined, () => 1, Symbol('s'), 10n]) {
    assert.throws(() => encodeContent(bad), (e) => e.code === 'INVALID_ARGUMENT', String(bad));
  }
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeContent(cyclic), (e) => e.code === 'INVALID_ARGUMENT');
  for (const bad of [new Uint8Array([0xff, 0xfe]), new TextEncoder().encode('{"a":'), new Uint8Array()]) {
    assert.throws(() => decodeContent(bad, ContentType.JSON), (e) => e.name === 'StreamrE2eeError' && e.code === 'INVALID_MESSAGE_CONTENT');
  }
});
