/**
 * The parts of a `SessionSigner` that talk to the registry and read its options: the checked
 * options (`Context`), a fresh key, and the grant (`setPermissionsForUser`, sent by the wallet
 * and read back). Internal to `session.ts`; the calldata and decoding are the core's.
 */
import {
  EvmSigner,
  decodeGetPermissionsForUserId,
  getPermissionsForUserIdCall,
  setPermissionsForUserCall,
  type UserPermissions,
} from '#wasm';
import type { RegistryPort } from '../ports.js';
import { createError } from '../errors.js';
import { Eip1193Signer, type Eip1193Provider } from './eip1193.js';
import { type SessionKeyStore, defaultSessionKeyStore, sessionSlot } from './session-store.js';
import type { SessionPermission, SessionSignerOptions } from './session.js';
import { sendAndWait } from './transactions.js';
import { ready } from '../ready.js';

const DAY = 86_400;

/** Ms since epoch until which `p` grants every one of `permissions`. */
export function grantedUntil(p: UserPermissions, permissions: readonly SessionPermission[]): number {
  let until = Infinity;
  if (permissions.includes('publish')) until = Math.min(until, p.publishExpiration * 1000);
  if (permissions.includes('subscribe')) until = Math.min(until, p.subscribeExpiration * 1000);
  return until;
}

export function seconds(value: number | undefined, fallback: number, name: string, min = 0): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) throw createError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}`);
  return v;
}

/** What a session needs from its options, checked once. */
export interface Context {
  provider: Eip1193Provider;
  account: string;
  streamId: string;
  registry: RegistryPort;
  chainId: bigint;
  permissions: readonly SessionPermission[];
  ttl: number;
  marginMs: number;
  expiringMs: number;
  store: SessionKeyStore;
  slot: string;
  clock: () => number;
  wait: { timeoutMs: number; pollMs: number };
  /** Undoes what connecting did (the listeners of an `Eip1193Signer` made here). */
  release(): void;
}

export async function context(o: SessionSignerOptions): Promise<Context> {
  await ready(); // session keys are wasm EvmSigners; in a browser the core may not be loaded yet
  if (o === null || typeof o !== 'object') throw createError('INVALID_ARGUMENT', 'options are required');
  if (typeof o.streamId !== 'string' || o.streamId.length === 0) throw createError('INVALID_ARGUMENT', 'streamId is required');
  if (o.registry === undefined || typeof o.registry.call !== 'function') throw createError('INVALID_ARGUMENT', 'registry is required');
  const permissions = [...new Set<SessionPermission>(o.permissions ?? ['publish'])];
  if (permissions.length === 0 || permissions.some((p) => p !== 'publish' && p !== 'subscribe')) {
    throw createError('INVALID_ARGUMENT', "permissions must be 'publish' and/or 'subscribe'");
  }
  const margin = seconds(o.safetyMarginSeconds, 300, 'safetyMarginSeconds');
  const ttl = seconds(o.ttlSeconds, DAY, 'ttlSeconds', margin + 1);
  const chainId = parseChainId(o.chainId);
  // A provider is connected here (eth_requestAccounts) only to learn and check the account.
  const own = !(o.wallet instanceof Eip1193Signer);
  const signer = o.wallet instanceof Eip1193Signer ? o.wallet : await Eip1193Signer.connect(o.wallet, o.account === undefined ? {} : { account: o.account });
  const account = signer.account;
  if (o.account !== undefined && o.account.toLowerCase() !== account) {
    throw createError('WALLET_ERROR', `the wallet signer is bound to ${account}, not ${o.account}`);
  }
  return {
    provider: signer.provider,
    account,
    streamId: o.streamId,
    registry: o.registry,
    chainId,
    permissions,
    ttl,
    marginMs: margin * 1000,
    expiringMs: seconds(o.expiringBeforeSeconds, 600, 'expiringBeforeSeconds') * 1000,
    store: o.store ?? defaultSessionKeyStore(),
    slot: sessionSlot(chainId, o.registry.streamRegistryAddress, account, o.streamId),
    clock: o.clock ?? Date.now,
    wait: { timeoutMs: o.receiptTimeoutMs ?? 120_000, pollMs: o.receiptPollMs ?? 1000 },
    release: () => {
      if (own) signer.close();
    },
  };
}

function parseChainId(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return BigInt(value);
  if (typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) && BigInt(value) > 0n) return BigInt(value);
  throw createError('INVALID_ARGUMENT', 'chainId must be a positive integer or 0x hex');
}

/** A fresh key: 32 bytes from the CSPRNG, loaded into wasm; the caller zeroes `bytes` once stored. */
export function newKey(): { signer: EvmSigner; bytes: Uint8Array } {
  for (let i = 0; i < 8; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    try {
      return { signer: EvmSigner.fromPrivateKey(bytes), bytes };
    } catch {
      bytes.fill(0); // not a valid scalar (probability ~2^-128): draw again
    }
  }
  throw createError('RANDOMNESS_UNAVAILABLE', 'no valid secp256k1 key from the CSPRNG');
}

/**
 * The stored key of `ctx`'s slot if the registry shows it still granted every requested
 * permission for more than the safety margin; else `undefined`, and a stored key is dropped.
 */
export async function storedSession(ctx: Context): Promise<{ evm: EvmSigner; until: number } | undefined> {
  const stored = await ctx.store.load(ctx.slot);
  if (stored === undefined) return undefined;
  let evm: EvmSigner | undefined;
  try {
    evm = EvmSigner.fromPrivateKey(stored);
  } catch {
    evm = undefined; // not a key: dropped below
  } finally {
    stored.fill(0);
  }
  if (evm !== undefined) {
    let until: number;
    try {
      until = grantedUntil(await readPermissions(ctx, evm.address), ctx.permissions);
    } catch (e) {
      evm.wipe();
      evm.free();
      throw e;
    }
    if (until - ctx.marginMs > ctx.clock()) return { evm, until };
    evm.wipe();
    evm.free();
  }
  await ctx.store.remove(ctx.slot);
  return undefined;
}

/** `getPermissionsForUserId(streamId, user)` through the registry port, decoded in the core. */
export async function readPermissions(ctx: Context, user: string): Promise<UserPermissions> {
  const out = await ctx.registry.call(ctx.registry.streamRegistryAddress, getPermissionsForUserIdCall(ctx.streamId, user));
  if (out.type === 'callReverted') throw createError('STREAM_NOT_FOUND', `the registry has no stream ${ctx.streamId} (getPermissionsForUserId reverted)`);
  return decodeGetPermissionsForUserId(out.data);
}

/**
 * Grants `address` the session's permissions until `expiration` (unix s) with one transaction,
 * then reads the grant back from the registry: resolves its expiry (ms), which must leave more
 * than the safety margin (else `TRANSACTION_FAILED`).
 */
export async function authorise(ctx: Context, address: string, expiration: number, onPrompt: () => void): Promise<number> {
  const publish = ctx.permissions.includes('publish') ? expiration : 0;
  const subscribe = ctx.permissions.includes('subscribe') ? expiration : 0;
  const data = setPermissionsForUserCall(ctx.streamId, address, publish, subscribe);
  await sendAndWait(ctx.provider, { from: ctx.account, to: ctx.registry.streamRegistryAddress, data, chainId: ctx.chainId, what: 'setPermissionsForUser' }, ctx.wait, onPrompt);
  const until = grantedUntil(await readPermissions(ctx, address), ctx.permissions);
  if (!(until - ctx.marginMs > ctx.clock())) {
    throw createError('TRANSACTION_FAILED', `the registry does not show the session's grant on ${ctx.streamId} after the transaction`);
  }
  return until;
}
