/**
 * Whether tabs can be coordinated here, and the one-time warning when they cannot. In a page
 * (a `document` exists) coordination is on unless `multiTab: false`; elsewhere (Node, workers)
 * it is off unless `multiTab` is set, since a process or a worker is not a tab.
 */
import { Emitter } from '../api/emitter.js';
import { createError } from '../errors.js';
import type { MultiTabOptions, MultiTabSetting, MultiTabStatus, MultiTabWarning } from './types.js';

const DEFAULT_REPLAY_BUFFER = 1000;

const events = new Emitter<{ warning: MultiTabWarning }>();
let warned: MultiTabWarning | undefined;
/** Whether the warning event went out already (listeners added later get it replayed). */
let emitted = false;

function missingApis(): MultiTabWarning['missing'] {
  const missing: MultiTabWarning['missing'] = [];
  const locks = (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator?.locks;
  if (typeof locks?.request !== 'function') missing.push('navigator.locks');
  if (typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel !== 'function') missing.push('BroadcastChannel');
  return missing;
}

/** This page's coordination state (sticky: the warning stays readable after it fired). */
export function multiTabStatus(): MultiTabStatus {
  return { available: missingApis().length === 0, warning: warned };
}

/**
 * Listens for the one-time warning that this page runs one engine per handle because Web
 * Locks or BroadcastChannel are missing. A warning given before the listener was added is
 * passed to it at once (asynchronously), so no listener misses it.
 */
export function onMultiTabWarning(listener: (warning: MultiTabWarning) => void): () => void {
  const off = events.on('warning', listener);
  const given = warned;
  if (given !== undefined && emitted) queueMicrotask(() => listener(given));
  return off;
}

/**
 * The options to coordinate with, or `undefined` to run alone. Warns (once per page, on the
 * console and as an event) when coordination was wanted and the APIs are missing.
 */
export function resolveMultiTab(setting: MultiTabSetting | undefined): Required<MultiTabOptions> | undefined {
  if (setting === false) return undefined;
  const inPage = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  if (setting === undefined && !inPage) return undefined;
  const missing = missingApis();
  if (missing.length > 0) {
    if (warned === undefined) {
      const w: MultiTabWarning = {
        code: 'MULTI_TAB_UNAVAILABLE',
        missing,
        message: `${missing.join(' and ')} missing: each tab runs its own publisher and subscriber engines (keys, key requests and wallet prompts per tab)`,
      };
      warned = w;
      console.warn(`streamr-e2ee: ${w.message}`);
      // Later, so that a listener added right after createPublisher/createSubscriber hears it.
      queueMicrotask(() => {
        emitted = true;
        events.emit('warning', w);
      });
    }
    return undefined;
  }
  const o = typeof setting === 'object' ? setting : {};
  const replayBuffer = o.replayBuffer ?? DEFAULT_REPLAY_BUFFER;
  if (!Number.isInteger(replayBuffer) || replayBuffer < 0) throw createError('INVALID_ARGUMENT', 'multiTab.replayBuffer must be a non-negative integer');
  return { replayBuffer };
}
