/**
 * Multi-tab coordination options and events (docs/multi-tab.md): one engine per origin,
 * identity and stream partition, run by a leader tab elected with Web Locks.
 */

/** `options.multiTab` of `createPublisher` / `createSubscriber`. */
export interface MultiTabOptions {
  /**
   * Raw messages each follower subscription keeps, newest last, so that after a hand-off the
   * new leader can replay what the old one had not delivered (default 1000). A hand-off loses
   * nothing as long as fewer messages than this arrived since the oldest one some tab had not
   * been given yet.
   */
  replayBuffer?: number;
}

/**
 * `true` / an object: coordinate the tabs of this origin (the default in a page, where Web
 * Locks and BroadcastChannel exist); `false`: every handle runs its own engine, as before.
 */
export type MultiTabSetting = boolean | MultiTabOptions;

/** Why a handle runs its own engine although coordination was wanted. */
export interface MultiTabWarning {
  code: 'MULTI_TAB_UNAVAILABLE';
  /** Which APIs are missing. */
  missing: Array<'navigator.locks' | 'BroadcastChannel'>;
  message: string;
}

/** What {@link multiTabStatus} says about this page. */
export interface MultiTabStatus {
  /** Web Locks and BroadcastChannel both exist here. */
  available: boolean;
  /** The warning given (once), if a handle wanted coordination and could not have it. */
  warning: MultiTabWarning | undefined;
}
