// Unit tests of the multi-tab pieces that need no browser (docs/multi-tab.md): a tab's delivery
// filter (what it skips after a hand-off) and the choice to coordinate or not, with its
// one-time warning. The browser behaviour is tests/js/tabs/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { multiTabStatus, onMultiTabWarning } from 'streamr-e2ee';
import { TabDelivery } from '../../../pkg/dist/tabs/delivery.js';
import { resolveMultiTab } from '../../../pkg/dist/tabs/support.js';

const msg = (chain, timestamp, sequenceNumber, i) => ({
  content: { i }, contentType: 'JSON', streamId: 's', partition: 0, publisherId: '0x01',
  timestamp, sequenceNumber, msgChainId: chain, encrypted: true, groupKeyId: 'k',
});

test('a tab gives each delivery once: a repeat at or before the last reference of its chain is skipped', () => {
  const got = [];
  const d = new TabDelivery((m) => got.push(`${m.msgChainId}${m.content.i}`), 10, () => assert.fail('no error expected'));
  d.accept(msg('a', 100, 0, 1));
  d.accept(msg('a', 100, 1, 2));
  d.accept(msg('b', 50, 0, 1)); // another chain: its own order
  d.accept(msg('a', 100, 1, 2)); // the same reference again (a new leader's replay)
  d.accept(msg('a', 100, 0, 1)); // an older one
  d.accept(msg('a', 99, 5, 0)); // older by timestamp
  d.accept(msg('a', 101, 0, 3));
  d.accept(msg('b', 50, 0, 1));
  assert.deepEqual(got, ['a1', 'a2', 'b1', 'a3']);
  assert.equal(d.delivered, 4);
  assert.equal(d.repeats, 4);
  assert.deepEqual(d.followerStats(), { delivered: 4, duplicates: 4, dropped: 0, keyRequestsSent: 0, keysLearned: 0 });
});

test('the same reference from another publisher is another message', () => {
  const got = [];
  const d = new TabDelivery((m) => got.push(m.publisherId), 10, () => undefined);
  d.accept(msg('a', 1, 0, 0));
  d.accept({ ...msg('a', 1, 0, 0), publisherId: '0x02' });
  assert.deepEqual(got, ['0x01', '0x02']);
});

test('without a callback deliveries go to the iterator; past the buffer a BUFFER_OVERFLOW error names the message', async () => {
  const errors = [];
  const d = new TabDelivery(undefined, 2, (e) => errors.push(e));
  for (let i = 0; i < 3; i++) d.accept(msg('a', 10 + i, 0, i));
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'BUFFER_OVERFLOW');
  assert.deepEqual(errors[0].messageRef, { publisherId: '0x01', msgChainId: 'a', timestamp: 12, sequenceNumber: 0 });
  const it = d.iterator(async () => d.end());
  assert.equal((await it.next()).value.content.i, 0);
  assert.equal((await it.next()).value.content.i, 1);
  const waiting = it.next();
  d.end();
  assert.deepEqual(await waiting, { done: true, value: undefined });
});

test('outside a page coordination is off unless asked; asked for without Web Locks it warns once', async () => {
  assert.equal(typeof globalThis.document, 'undefined');
  assert.equal(resolveMultiTab(undefined), undefined);
  assert.equal(resolveMultiTab(false), undefined);
  assert.equal(multiTabStatus().warning, undefined, 'no warning when nobody asked');
  const heard = [];
  onMultiTabWarning((w) => heard.push(w));
  const logged = [];
  const warn = console.warn;
  console.warn = (...a) => logged.push(a.join(' '));
  const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  // Node 21+ has a navigator (still without locks); hide it so the test reads the same on all.
  Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
  try {
    assert.equal(resolveMultiTab(true), undefined);
    assert.equal(resolveMultiTab({ replayBuffer: 5 }), undefined);
  } finally {
    console.warn = warn;
    if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
    else delete globalThis.navigator;
  }
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(heard.length, 1, 'one warning event for two handles');
  assert.equal(heard[0].code, 'MULTI_TAB_UNAVAILABLE');
  assert.deepEqual(heard[0].missing, ['navigator.locks']);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^streamr-e2ee: navigator\.locks missing/);
  // A listener added afterwards still hears it, once.
  const late = [];
  onMultiTabWarning((w) => late.push(w));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(late.length, 1);
  assert.equal(multiTabStatus().warning?.code, 'MULTI_TAB_UNAVAILABLE');
});

test('with the APIs present, a bad replayBuffer is a typed error', () => {
  const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  // Stubbed (this unit test only checks the options): the real Web Locks are exercised in Chromium by run.mjs.
  Object.defineProperty(globalThis, 'navigator', { value: { locks: { request() {} } }, configurable: true });
  try {
    assert.deepEqual(resolveMultiTab(true), { replayBuffer: 1000 });
    assert.deepEqual(resolveMultiTab({ replayBuffer: 0 }), { replayBuffer: 0 });
    assert.throws(() => resolveMultiTab({ replayBuffer: -1 }), (e) => e.code === 'INVALID_ARGUMENT');
    assert.throws(() => resolveMultiTab({ replayBuffer: 1.5 }), (e) => e.code === 'INVALID_ARGUMENT');
  } finally {
    if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
    else delete globalThis.navigator;
  }
});
