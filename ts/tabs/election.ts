/**
 * Leader election with Web Locks: every tab asks for the same exclusive lock; the holder leads
 * until it steps down or its tab goes away. The browser releases a lock when the page that
 * holds it is closed, navigated away, or its renderer crashes, and grants it to the next
 * waiting tab at once: no heartbeat, no timeout of ours (docs/multi-tab.md, "Hand-off").
 */

/** A place in the queue for one lock. */
export interface Candidacy {
  /** Whether this tab holds the lock now. */
  readonly leading: boolean;
  /** Leaves the queue, or steps down (after `onLead` settled) when leading. */
  resign(): void;
}

interface LockManagerLike {
  request(name: string, options: { mode: 'exclusive'; signal: AbortSignal }, callback: () => Promise<void>): Promise<void>;
}

function lockManager(): LockManagerLike {
  return (globalThis as unknown as { navigator: { locks: LockManagerLike } }).navigator.locks;
}

/**
 * Queues for lock `name`; when granted, runs `onLead` and holds the lock until `resign()`.
 * A failing `onLead` is reported to `onError`; the lock is kept (the tab stays leader and says
 * why it cannot serve), so that tabs do not pass a failing start around in a loop.
 */
export function stand(name: string, onLead: () => Promise<void>, onError: (e: unknown) => void): Candidacy {
  const abort = new AbortController();
  let leading = false;
  let stepDown: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (stepDown = resolve));
  lockManager()
    .request(name, { mode: 'exclusive', signal: abort.signal }, async () => {
      leading = true;
      try {
        await onLead();
      } catch (e) {
        onError(e);
      }
      await held;
      leading = false;
    })
    .catch((e: unknown) => {
      if ((e as { name?: string }).name !== 'AbortError') onError(e);
    });
  return {
    get leading() {
      return leading;
    },
    resign() {
      abort.abort();
      stepDown();
    },
  };
}

/** Runs `f` while holding lock `name` (exclusive), across every tab of the origin. */
export function withLock<T>(name: string, f: () => Promise<T>): Promise<T> {
  let out: T;
  const locks = lockManager() as unknown as { request(name: string, cb: () => Promise<void>): Promise<void> };
  return locks.request(name, async () => {
    out = await f();
  }).then(() => out);
}
