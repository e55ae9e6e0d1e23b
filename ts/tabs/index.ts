/**
 * Multi-tab coordination (docs/multi-tab.md): `createPublisher` / `createSubscriber` as the
 * package exports them. In a page with Web Locks and BroadcastChannel, handles on one identity
 * and stream partition share one engine, run by a leader tab; otherwise, or with
 * `options.multiTab: false`, each handle runs its own (the core `createPublisher` /
 * `createSubscriber` of ts/api/).
 */
import { createPublisher as createCorePublisher } from '../api/publisher.js';
import { createSubscriber as createCoreSubscriber, verifyWorkersSetting } from '../api/subscriber.js';
import type { CreatePublisherArgs, CreateSubscriberArgs, PublisherHandle, SubscriberHandle } from '../api/types.js';
import { resolveMultiTab } from './support.js';
import { TabPublisher } from './publisher.js';
import { TabSubscriber } from './subscriber.js';

export { multiTabStatus, onMultiTabWarning } from './support.js';
export { KEY_STORE_LOCK } from './keystore.js';
export type { MultiTabOptions, MultiTabSetting, MultiTabStatus, MultiTabWarning } from './types.js';

/**
 * Creates a publisher for `streamId#partition` (ts/api/publisher.ts has the engine). In a
 * page, tabs on the same identity and stream partition share one engine (docs/multi-tab.md).
 */
export function createPublisher(args: CreatePublisherArgs): PublisherHandle {
  return resolveMultiTab(args.options?.multiTab) !== undefined ? new TabPublisher(args) : createCorePublisher(args);
}

/**
 * Creates a subscriber (ts/api/subscriber.ts has the engine). In a page, tabs on the same
 * identity share one engine per stream partition (docs/multi-tab.md).
 */
export function createSubscriber(args: CreateSubscriberArgs): SubscriberHandle {
  const multiTab = resolveMultiTab(args.options?.multiTab);
  verifyWorkersSetting(args.options?.verifyWorkers); // throws here, not later in a leading tab
  return multiTab !== undefined ? new TabSubscriber(args, multiTab.replayBuffer) : createCoreSubscriber(args);
}
