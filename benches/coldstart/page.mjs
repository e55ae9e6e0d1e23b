// Cold start, ours (shared by ours-entry.mjs and before-entry.mjs). From navigation to the
// first delivered plaintext: load the package, wait for its wasm, make a subscriber (EVM
// identity, ML-KEM key pair), hand it a signed, encrypted 1 KiB content message with its group
// key, and answer its permission question. window.__coldstart gets the times (ms since
// navigation).
const T0 = 1_800_000_000_000;
const fromHex = (h) => Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));

async function main(lib, ready) {
  const fx = window.__coldstartFixture;
  const imported = performance.now();
  await ready();
  const loaded = performance.now();
  const sub = new lib.Subscriber({ streamId: fx.streamId }, lib.EvmSigner.generate(), lib.MlKemKeyPair.generate(), T0);
  sub.addKey(fx.publisherId, { id: fx.keyId, data: fromHex(fx.key) }, T0);
  sub.handleMessage(fromHex(fx.message), T0);
  let plaintext;
  for (let outs = sub.pollOutputs(); outs.length > 0 && !plaintext; outs = sub.pollOutputs()) {
    for (const o of outs) {
      if (o.type === 'ask' && o.question.type === 'permission') sub.answer(o.id, { type: 'permission', allowed: true }, T0);
      else if (o.type === 'ask' && o.question.type === 'loadKey') sub.answer(o.id, { type: 'storedKey' }, T0);
      else if (o.type === 'deliver') plaintext = o.content;
    }
  }
  if (!plaintext || plaintext.length !== fx.size) throw new Error('no plaintext delivered');
  return { imported, loaded, decrypted: performance.now() };
}

export function coldStart(lib, ready) {
  main(lib, ready).then((r) => { window.__coldstart = r; }, (e) => { window.__coldstartError = String(e?.stack ?? e); });
}
