/**
 * `SessionSigner`: one wallet prompt per session instead of one per message (docs/wallet.md,
 * option 1). A secp256k1 key held in wasm signs; the wallet authorises it once with one
 * StreamRegistry transaction (`setPermissionsForUser`: PUBLISH and/or SUBSCRIBE on one stream,
 * until an expiry; never EDIT, DELETE or GRANT). To SDK subscribers the session address is just
 * another publisher with PUBLISH: nothing changes on the wire.
 */
import { type EvmSigner, revokeAllPermissionsForUserCall, sealCustodianIdentity } from '#wasm';
import { createError, type StreamrE2eeError } from '../errors.js';
import { Emitter } from '../api/emitter.js';
import type { Eip1193Provider, Eip1193Signer } from './eip1193.js';
import { type Context, authorise, context, newKey, readPermissions, seconds, storedSession } from './session-context.js';
import type { SessionKeyStore } from './session-store.js';
import type { CoreLocalSigner, CoreSignerSource } from './signer.js';
import { mayStillBeMined, sendAndWait } from './transactions.js';
import type { RegistryPort } from '../ports.js';

/** What the session key may do on the stream. */
export type SessionPermission = 'publish' | 'subscribe';

/** {@link SessionSigner.open} options. */
export interface SessionSignerOptions {
  /** The wallet that authorises the session (one transaction): a provider or a connected `Eip1193Signer`. */
  wallet: Eip1193Provider | Eip1193Signer;
  /** The wallet account (default: the selected one). It needs GRANT on the stream. */
  account?: string;
  streamId: string;
  /** Reads permissions (`eth_call`), e.g. a `JsonRpcRegistry`; its address is where the transactions go. */
  registry: RegistryPort;
  /** The registry's chain; the wallet must be on it to send. */
  chainId: number | string;
  /** Default `['publish']`. A subscriber's session: `['subscribe']`. */
  permissions?: readonly SessionPermission[];
  /** How long a new or renewed grant lasts, seconds (default 86400, a day). */
  ttlSeconds?: number;
  /**
   * Stop signing this long before the grant expires, seconds (default 300): subscribers check
   * PUBLISH when a message arrives, so one signed just before the expiry must still pass.
   */
  safetyMarginSeconds?: number;
  /** Emit `expiring` this long before signing stops, seconds (default 600). */
  expiringBeforeSeconds?: number;
  /** Where the key survives reloads (default: IndexedDB in browsers, process memory in Node). */
  store?: SessionKeyStore;
  /** Unix ms now (default `Date.now`); tests move it. */
  clock?: () => number;
  /** Give up waiting for a transaction's receipt after this long, ms (default 120000). */
  receiptTimeoutMs?: number;
  /** Ask for the receipt this often, ms (default 1000). */
  receiptPollMs?: number;
}

/** The `expired` event: a `SESSION_EXPIRED` error with the grant's expiry (unix ms). */
export interface SessionExpiredError extends StreamrE2eeError {
  code: 'SESSION_EXPIRED';
  expiresAt: number;
}

/** {@link SessionSigner} events. */
export interface SessionSignerEvents {
  /** Signing stops in `remainingMs`: renew now (one prompt) to keep publishing without a pause. */
  expiring: { expiresAt: number; remainingMs: number };
  /** Signing stopped; every signature waits (in order, inside the core) until `renew()` succeeds. */
  expired: SessionExpiredError;
  /** A renewal went through; waiting signatures are made now. */
  renewed: { expiresAt: number };
  /** `revoke()` went through: the grant is gone and the key wiped. */
  revoked: { address: string };
}

type State = 'active' | 'expired' | 'ended';

/** Timers re-read the clock at least this often (sleeping laptops, throttled tabs). */
const MAX_TIMER_MS = 60_000;

/**
 * A {@link SignerPort} over a session key: `getUserId()` is the session address, `coreSigner()`
 * hands the core the wasm key (no question per message), and the key stops signing
 * `safetyMarginSeconds` before its grant expires: the wasm key is paused, so the core asks the
 * host for each signature, and `sign` waits until {@link renew} succeeds. Publishes queue in
 * order behind the first one; nothing is sent unsigned. `transactionRequests` counts the
 * wallet prompts it caused.
 */
export class SessionSigner implements CoreSignerSource {
  readonly signatureType = 'ECDSA_SECP256K1_EVM';
  /** The session key's address: what messages carry as publisherId. */
  readonly address: string;
  /** The wallet account that authorised it. */
  readonly account: string;
  readonly streamId: string;
  readonly permissions: readonly SessionPermission[];
  /** True when `open` found a stored key still authorised (no prompt). */
  readonly reused: boolean;
  /** `eth_sendTransaction` requests made: the wallet prompts this session caused. */
  transactionRequests = 0;
  private grantExpiresAt: number;
  private state: State = 'active';
  private expiringSent = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private renewing: Promise<void> | undefined;
  private revokedDone = false;
  private readonly emitter = new Emitter<SessionSignerEvents>();

  private constructor(
    private evm: EvmSigner | undefined,
    private readonly ctx: Context,
    expiresAt: number,
    reused: boolean,
  ) {
    this.address = evm!.address;
    this.account = ctx.account;
    this.streamId = ctx.streamId;
    this.permissions = ctx.permissions;
    this.grantExpiresAt = expiresAt;
    this.reused = reused;
    this.arm(); // events come from the timer, after the caller has had a chance to listen
  }

  /**
   * A session for the wallet account on `streamId`. A stored key (same chain, registry,
   * account and stream) whose grant still has more than the safety margin left is reused with
   * no prompt. Otherwise a new key is made and authorised with one transaction, after checking
   * that the account holds GRANT: without it, `PERMISSION_DENIED` (sign with the wallet instead).
   * A refused or failed transaction rejects `WALLET_REJECTED`, `WALLET_ERROR` or
   * `TRANSACTION_FAILED`; a wallet on another chain `RPC_ERROR`.
   */
  static async open(options: SessionSignerOptions): Promise<SessionSigner> {
    const ctx = await context(options);
    try {
      const stored = await storedSession(ctx);
      if (stored !== undefined) return new SessionSigner(stored.evm, ctx, stored.until, true);
      const mine = await readPermissions(ctx, ctx.account);
      if (!mine.canGrant) {
        throw createError(
          'PERMISSION_DENIED',
          `the wallet account ${ctx.account} has no GRANT permission on ${ctx.streamId}, so it cannot authorise a session key; ` +
            'sign with the wallet instead (Eip1193Signer: one prompt per message and per key response), or have the stream owner grant it GRANT',
        );
      }
      const evm = newKey();
      const key = evm.bytes;
      try {
        await ctx.store.save(ctx.slot, key); // first: a reload while the transaction is mined finds it
      } finally {
        key.fill(0);
      }
      const counter = { n: 0 };
      try {
        const until = await authorise(ctx, evm.signer.address, Math.floor(ctx.clock() / 1000) + ctx.ttl, () => counter.n++);
        const session = new SessionSigner(evm.signer, ctx, until, false);
        session.transactionRequests = counter.n;
        return session;
      } catch (e) {
        evm.signer.wipe();
        evm.signer.free();
        // A receipt that did not come may still come: keep the key for the next open to find.
        if (!mayStillBeMined(e)) {
          await ctx.store.remove(ctx.slot).catch(() => undefined);
        }
        throw e;
      }
    } finally {
      ctx.release();
    }
  }

  /**
   * The stored session of this wallet account and stream if its grant still has more than the
   * safety margin left (`reused === true`), else `undefined`: for a page load, which must not
   * prompt. Never makes a key and never sends a transaction (a lapsed stored key is dropped).
   * A provider given as `wallet` is connected with `eth_requestAccounts` (a prompt on a site not
   * connected yet): pass `await Eip1193Signer.connect(provider, { requestAccounts: false })`
   * instead, which asks nothing.
   */
  static async restore(options: SessionSignerOptions): Promise<SessionSigner | undefined> {
    const ctx = await context(options);
    try {
      const stored = await storedSession(ctx);
      return stored === undefined ? undefined : new SessionSigner(stored.evm, ctx, stored.until, true);
    } finally {
      ctx.release();
    }
  }

  on<K extends keyof SessionSignerEvents>(event: K, listener: (value: SessionSignerEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof SessionSignerEvents>(event: K, listener: (value: SessionSignerEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** The grant's on-chain expiry, unix ms (the earliest of the granted permissions). */
  get expiresAt(): number {
    return this.grantExpiresAt;
  }

  /** When signing stops: `expiresAt` minus the safety margin, unix ms. */
  get signsUntil(): number {
    return this.grantExpiresAt - this.ctx.marginMs;
  }

  /** Ms left before signing stops (0 once expired, revoked or closed). */
  remainingMs(): number {
    return this.state === 'active' ? Math.max(0, this.signsUntil - this.ctx.clock()) : 0;
  }

  /** True while signatures wait for a renewal. */
  get expired(): boolean {
    this.check();
    return this.state === 'expired';
  }

  async getUserId(): Promise<string> {
    return this.address;
  }

  /** The wasm key for the core (which signs without a question until the key is paused). */
  coreSigner(): CoreLocalSigner | undefined {
    return this.state === 'ended' ? undefined : this.evm;
  }

  /** Called by the handles before every core input: pauses the key once its time is up. */
  beforeCoreInput(): void {
    this.check();
  }

  /**
   * Signs `payload` with the session key, with no prompt. After the deadline it waits until
   * `renew()` succeeds; rejects `CLOSED` once the session was revoked or closed.
   */
  async sign(payload: Uint8Array): Promise<Uint8Array> {
    for (;;) {
      this.check();
      if (this.state === 'active' && this.evm !== undefined) return this.evm.sign(payload);
      if (this.state === 'ended') throw createError('CLOSED', 'this session was revoked or closed; it signs nothing');
      await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
  }

  /**
   * Extends the grant with one transaction (one prompt): `ttlSeconds` (default: the session's)
   * from now. Signatures waiting for it are made at once, in order. Concurrent calls share one
   * transaction.
   */
  async renew(options: { ttlSeconds?: number } = {}): Promise<void> {
    if (this.state === 'ended') throw createError('CLOSED', 'this session was revoked or closed');
    const ttl = seconds(options.ttlSeconds, this.ctx.ttl, 'ttlSeconds', Math.floor(this.ctx.marginMs / 1000) + 1);
    this.renewing ??= (async () => {
      const until = await authorise(this.ctx, this.address, Math.floor(this.ctx.clock() / 1000) + ttl, () => this.transactionRequests++);
      if (this.state === 'ended') return;
      this.grantExpiresAt = until;
      this.state = 'active';
      this.expiringSent = false;
      this.evm?.resume();
      this.emitter.emit('renewed', { expiresAt: until });
      for (const w of this.waiters.splice(0)) w.resolve();
      this.check();
      this.arm();
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /**
   * The session key sealed for a key custodian (docs/custodian.md): ML-KEM-1024 to its
   * `publicKey`, then AES-256-GCM, bound to the session address. Hand the result to the
   * custodian (`addIdentity`, or `streamr-e2ee-custodian --identity-file`); it can then answer
   * key requests, and publish, as the session address until the grant expires or is revoked.
   * Reads the key from the session store (never prompts); `CLOSED` once it is gone.
   */
  async sealForCustodian(publicKey: Uint8Array): Promise<Uint8Array> {
    if (this.state === 'ended') throw createError('CLOSED', 'this session was revoked or closed');
    const key = await this.ctx.store.load(this.ctx.slot);
    if (key === undefined) throw createError('CLOSED', 'the session key is no longer in its store');
    try {
      return sealCustodianIdentity(key, publicKey);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Logout: `revokeAllPermissionsForUser` for the session address (one prompt), then the key is
   * wiped from wasm memory (for every handle using it) and from the store. Waiting signatures
   * reject `CLOSED`. If the transaction fails, nothing is wiped and it can be retried. Works
   * after `close()` too (the grant outlives the object).
   */
  async revoke(): Promise<void> {
    if (this.revokedDone) return;
    const data = revokeAllPermissionsForUserCall(this.streamId, this.address);
    const tx = { from: this.account, to: this.ctx.registry.streamRegistryAddress, data, chainId: this.ctx.chainId, what: 'revokeAllPermissionsForUser' };
    await sendAndWait(this.ctx.provider, tx, this.ctx.wait, () => this.transactionRequests++);
    await this.ctx.store.remove(this.ctx.slot);
    this.revokedDone = true;
    this.end('this session was revoked');
    this.emitter.emit('revoked', { address: this.address });
  }

  /**
   * Stops the timers and wipes the key from memory; the stored copy stays, so the next `open`
   * (a reload) reuses it without a prompt. Close the handles that use this signer first.
   */
  close(): void {
    this.end('this session was closed');
    this.emitter.clear();
  }

  private end(why: string): void {
    this.state = 'ended';
    clearTimeout(this.timer);
    this.evm?.wipe();
    this.evm?.free();
    this.evm = undefined;
    for (const w of this.waiters.splice(0)) w.reject(createError('CLOSED', why));
  }

  /** Reads the clock: emits `expiring` once, and at the deadline pauses the key and emits `expired`. */
  private check(): void {
    if (this.state !== 'active') return;
    const now = this.ctx.clock();
    if (now >= this.signsUntil) {
      this.state = 'expired';
      this.evm?.pause();
      const err = createError('SESSION_EXPIRED', `the session key ${this.address} stopped signing at ${new Date(this.signsUntil).toISOString()} (its grant on ${this.streamId} expires at ${new Date(this.grantExpiresAt).toISOString()}); renew() to go on`) as SessionExpiredError;
      err.expiresAt = this.grantExpiresAt;
      this.emitter.emit('expired', err);
      return;
    }
    if (!this.expiringSent && now >= this.signsUntil - this.ctx.expiringMs) {
      this.expiringSent = true;
      this.emitter.emit('expiring', { expiresAt: this.grantExpiresAt, remainingMs: this.signsUntil - now });
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.state !== 'active') return;
    const next = this.expiringSent ? this.signsUntil : this.signsUntil - this.ctx.expiringMs;
    const delay = Math.min(Math.max(0, next - this.ctx.clock()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.check();
      this.arm();
    }, delay);
    // Node: a session alone does not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
