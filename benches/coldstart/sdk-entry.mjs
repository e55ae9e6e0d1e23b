// Cold start, the SDK: stock @streamr/sdk 103.3.2 (its browser build, bundled as an app
// would; the whole namespace is kept, as an app using StreamrClient keeps most of it), then the
// SDK's per-message work on the same message as ours: its protobuf decode
// (convertBytesToStreamMessage), EcdsaSecp256k1Evm verification of the signature payload and
// AES-256-CTR decryption (@streamr/utils, the module the SDK itself uses; the payload is built
// beforehand and there is no subscriber state: in the SDK's favour). window.__coldstart gets
// the times (ms since navigation).
import * as sdk from '@streamr/sdk';
import { EcdsaSecp256k1Evm, createDecipheriv } from '@streamr/utils';

window.__sdk = sdk;
const fromHex = (h) => Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));

async function main() {
  const fx = window.__coldstartFixture;
  const imported = performance.now();
  if (typeof sdk.StreamrClient !== 'function') throw new Error('the SDK did not load');
  const loaded = performance.now();
  const msg = sdk.convertBytesToStreamMessage(fromHex(fx.message));
  const ok = await new EcdsaSecp256k1Evm().verifySignature(fromHex(fx.publisherId.slice(2)), fromHex(fx.payload), msg.signature);
  if (!ok) throw new Error('the SDK does not verify the message');
  const content = msg.content;
  const d = createDecipheriv('aes-256-ctr', fromHex(fx.key), content.subarray(0, 16));
  const plaintext = new Uint8Array([...d.update(content.subarray(16)), ...d.final()]);
  if (plaintext.length !== fx.size) throw new Error('SDK decrypt');
  return { imported, loaded, decrypted: performance.now() };
}

main().then((r) => { window.__coldstart = r; }, (e) => { window.__coldstartError = String(e?.stack ?? e); });
