// The wire view: a plain listener on the stream part with a transport of its own, as any
// eavesdropper on the network (or the relay) would be. It decodes every frame with
// StreamMessage.fromBytes: what travels is ciphertext, signatures and key exchange messages.
import { describeWire } from './e2ee.js';
import { clock, h, nameOf, prepend, short, showError } from './dom.js';
import { transportWords } from './transports.js';

export function wirePanel({ config, transport, streamPart }) {
  const rows = h('tbody', { 'data-testid': 'wire' });
  const plain = new Map(); // "timestamp/seq" → plaintext, from the publisher's own side
  const el = h('section', { class: 'panel wire' },
    h('h2', {}, 'On the wire ', h('span', { class: 'muted' }, `what ${transportWords(config).carries} on ${streamPart}: every frame, decoded with StreamMessage.fromBytes`)),
    h('div', { class: 'tablewrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['time', 'type', 'from', 'seq', 'group key', 'ciphertext / body (hex)', 'signature', 'plaintext (publisher side, never on the wire)'].map((t) => h('th', {}, t)))),
      rows)));

  // The publishers (the page's and the stock client) tell us what they encrypted, keyed by message ref, for the last column.
  window.addEventListener('demo:published', (e) => {
    plain.set(e.detail.ref, e.detail.plaintext);
    const cell = rows.querySelector(`[data-ref="${e.detail.ref}"] .plain`);
    if (cell) cell.textContent = e.detail.plaintext;
  });

  const ready = transport.then((t) => t.subscribe(streamPart, (bytes) => {
    let w;
    try { w = describeWire(bytes); } catch (e) { showError('wire view', e.code ?? 'MALFORMED_MESSAGE', e.message); return; }
    window.demo.wire += 1;
    let body;
    let type;
    if (w.type === 'MESSAGE') {
      type = w.encrypted ? 'content (AES-256-CTR)' : 'content (NOT encrypted)';
      body = h('code', { class: 'cipher' }, w.content.slice(0, 66) + (w.content.length > 66 ? '…' : ''), h('small', {}, ` ${(w.content.length - 2) / 2} bytes`), w.newGroupKey ? h('small', { class: 'next' }, ` + next key ${short(w.newGroupKey, 3)} (encrypted)`) : '');
    } else if (w.type === 'GROUP_KEY_REQUEST') {
      type = 'key request';
      body = h('span', {}, `wants key ${w.groupKeyIds.map((k) => short(k, 3)).join(', ')} from ${nameOf(config, w.recipientId)}; ${w.encryptionType === 0 ? 'RSA' : 'ML-KEM'} public key ${w.publicKeyBytes} bytes`);
    } else {
      type = 'key response';
      body = h('span', {}, `for ${nameOf(config, w.recipientId)}: key ${w.groupKeyIds.map((k) => short(k, 3)).join(', ')} wrapped `, h('code', { class: 'cipher' }, `${w.wrappedKey.slice(0, 34)}…`));
    }
    prepend(rows, h('tr', { 'data-ref': w.ref, 'data-type': w.type, 'data-publisher': w.publisherId, class: w.type === 'MESSAGE' ? 'content' : 'exchange' },
      h('td', {}, clock()), h('td', {}, type), h('td', {}, nameOf(config, w.publisherId)), h('td', {}, w.sequenceNumber),
      h('td', {}, w.groupKeyId ? h('code', {}, short(w.groupKeyId, 3)) : '–'), h('td', {}, body),
      h('td', {}, h('code', { title: w.signature }, short(w.signature, 5)), h('small', {}, ` ${w.signatureType}`)),
      h('td', { class: 'plain' }, plain.get(w.ref) ?? '')), 40);
  })).catch((e) => { showError('wire view', e.code ?? 'TRANSPORT_ERROR', e.message); throw e; });
  return { el, ready };
}
