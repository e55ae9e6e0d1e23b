// A worker of the issue #20 pool benchmark (benches/browser/pool.mjs): our wasm in its own
// thread, `recoverSigner` for each message of a chunk (decode, payload, keccak, recovery, tag
// under the subscriber's pool key). Replies { id, results }.
import * as lib from 'streamr-e2ee';

const ready = lib.ready();
self.onmessage = async ({ data }) => {
  await ready;
  if (data.ping) { self.postMessage({ id: data.id }); return; }
  self.postMessage({ id: data.id, results: data.messages.map((bytes) => lib.recoverSigner(bytes, data.poolKey)) });
};
