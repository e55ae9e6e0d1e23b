/**
 * The high-level API's public types: options (named as in `@streamr/sdk` where the SDK has
 * the option), handles, messages and events. `createPublisher` / `createSubscriber` build on
 * the wasm `Publisher` / `Subscriber`; every protocol rule stays there.
 */
import type {
  ContentType,
  CustodianKey,
  ExternalKeyExchange,
  GroupKey,
  GroupKeyData,
  MessageRefWithChain,
  MlKemKeyPair,
  PublisherConfig,
  SubscriberConfig,
  PoolStats,
  SubscriberStats,
} from '#wasm';
import type { RecoveryWorker } from './verify-pool.js';
import type { ErrorCode, StreamrE2eeError } from '../errors.js';
import type { RsaKeyPair } from '../rsa/index.js';
import type { KeyStore, RegistryPort, SignerPort, Transport } from '../ports.js';
import type { MultiTabSetting } from '../tabs/types.js';

/** A group key given by the app, as the SDK's `encryption.keys` holds it: `data` as hex or bytes. */
export interface ExplicitKey {
  /** The key id, as messages name it. */
  id: string;
  /** 32 bytes: a `Uint8Array`, or hex with or without `0x`. */
  data: Uint8Array | string;
}

/**
 * Options both roles share. The core's fields (`registryCacheTtlMs`, `registryCacheMaxEntries`,
 * `strictFormats`: set it on both sides) are the core's own declarations, passed through.
 */
export interface CommonOptions
  extends Pick<PublisherConfig, 'registryCacheTtlMs' | 'registryCacheMaxEntries' | 'strictFormats'> {
  /**
   * SDK: never accept RSA key exchange. Publishers deny RSA key requests; subscribers always
   * request with ML-KEM (an `'RSA'` {@link SubscriberOptions.keyExchange} then throws). Default false.
   */
  requireQuantumResistantKeyExchange?: boolean;
  /**
   * SDK: `encryption.keys`, stream id → key. Publishers use the key of their stream as the
   * current key; subscribers use any of these keys without key exchange. An id not in the
   * SDK's form (`<uuid>-GroupKey<n>`) needs {@link strictFormats} `false`.
   */
  keys?: Record<string, ExplicitKey>;
  /**
   * Ours: share one engine among the tabs of this origin on the same identity and stream
   * partition, led by one tab (docs/multi-tab.md). Default: on in a page that has Web Locks and
   * BroadcastChannel (a one-time `MULTI_TAB_UNAVAILABLE` warning where it lacks them), off
   * elsewhere (Node, workers). `false`: this handle runs its own engine, as before.
   */
  multiTab?: MultiTabSetting;
}

/** The core's {@link PublisherConfig} fields that {@link PublisherOptions} passes through. */
export type PublisherCoreOptions = Pick<
  PublisherConfig,
  'maxKeyRequestsPerRequesterPerSecond' | 'maxQueuedPublishes' | 'maxPendingKeyRequests' | 'msgChainId'
>;

/** {@link createPublisher} options. Omitted fields take the defaults shown. */
export interface PublisherOptions extends CommonOptions, PublisherCoreOptions {
  /**
   * SDK: never publish unencrypted, even on a public stream (AES-256 content is quantum
   * resistant). Default false.
   */
  requireQuantumResistantEncryption?: boolean;
  /**
   * Ours: `'auto'` (default) asks the registry `hasPublicPermission(streamId, SUBSCRIBE)`
   * before the first publish and publishes unencrypted when the stream is public, as the SDK
   * does; `'always'` encrypts whatever the registry says. If the registry cannot answer, the
   * publisher encrypts (and reports an `error`).
   */
  encryption?: 'auto' | 'always';
  /**
   * Ours: key custodians that answer key requests for this publisher once it is offline
   * (docs/custodian.md). Every new key is handed to each, wrapped for its ML-KEM key, before
   * the first message that uses it; `close()` sends what is still queued. Default none.
   */
  custodians?: Array<Omit<CustodianKey, 'publicKey'> & { publicKey: Uint8Array | string }>;
  /** Advanced: raw wasm `PublisherConfig` fields, applied last. */
  core?: Partial<Omit<PublisherConfig, 'streamId' | 'partition' | 'permissionSource'>>;
}

/** The key-exchange algorithm a subscriber receives group keys with. */
export type KeyExchangeAlgorithm = 'ML_KEM' | 'RSA';

/**
 * A key-exchange key pair whose private key lives outside this thread (a Web Worker, a
 * WebCrypto non-extractable key): the subscriber asks it to unwrap each group key.
 */
export type RemoteKeyPair = {
  /** The public half and its algorithm, as the core's external key exchange takes it. */
  keyExchange: ExternalKeyExchange;
} & (
  | {
      /** Decrypts `data` (RSA-OAEP SHA-1 for RSA) and returns the 32 group-key bytes. */
      unwrapGroupKey(keyId: string, data: Uint8Array): Promise<Uint8Array>;
    }
  | {
      /** The same without the key id: the shape of `WebCryptoRsaKeyExchange` and `WorkerRsaKeyExchange`. */
      unwrap(data: Uint8Array): Promise<Uint8Array>;
    }
);

/**
 * What a {@link KeyPairFactory} returns: an ML-KEM key pair, an {@link RsaKeyPair} (the
 * platform's RSA or the rsa-wasm module) or a {@link RemoteKeyPair}.
 */
export type SubscriberKeyPair = MlKemKeyPair | RsaKeyPair | RemoteKeyPair;

/**
 * Makes the subscriber's key-exchange key pair (called once per subscriber, lazily). Inject
 * one to generate RSA keys in a worker; the default makes ML-KEM keys in wasm and RSA keys
 * with the platform (non-extractable WebCrypto, node:crypto) or the rsa-wasm module.
 */
export type KeyPairFactory = (spec: {
  algorithm: KeyExchangeAlgorithm;
  rsaKeyLength: number;
}) => SubscriberKeyPair | Promise<SubscriberKeyPair>;

/**
 * The core's {@link SubscriberConfig} fields that {@link SubscriberOptions} passes through
 * (`keyRequestTimeout` and `maxKeyRequestsPerSecond` named as in the SDK).
 */
export type SubscriberCoreOptions = Pick<
  SubscriberConfig,
  | 'keyRequestTimeout'
  | 'maxKeyRequestsPerSecond'
  | 'requireQuantumResistantSignatures'
  | 'keyRequestRetries'
  | 'maxHeldMessages'
  | 'maxHeldPerChain'
  | 'gapTimeoutMs'
  | 'acceptCustodianResponses'
>;

/** {@link createSubscriber} options. Omitted fields take the defaults shown. */
export interface SubscriberOptions extends CommonOptions, SubscriberCoreOptions {
  /** SDK: RSA modulus bits when key exchange is RSA (default 4096, as the SDK). */
  rsaKeyLength?: number;
  /**
   * SDK: reject content encrypted with non-quantum-resistant methods. Every encrypted
   * message is AES-256 here, so this changes nothing; accepted for config compatibility.
   */
  requireQuantumResistantEncryption?: boolean;
  /** Ours: `'ML_KEM'` (default) or `'RSA'` (the SDK's default without an ML-DSA identity). */
  keyExchange?: KeyExchangeAlgorithm;
  /** Ours: builds the key pair (for example in a Web Worker). */
  keyPairFactory?: KeyPairFactory;
  /**
   * Ours: messages an async-iterated subscription buffers for a slow consumer (default 10000);
   * past it messages are dropped with a `BUFFER_OVERFLOW` error event, never silently. It also
   * bounds the network input a subscription holds while its core is backlogged with signature
   * checks (a burst of ERC-1271 or P-256 messages; `OVERLOADED` past it).
   */
  maxBufferedMessages?: number;
  /**
   * Ours: recover the signers of incoming messages in this many Web Workers, beside the main
   * thread (docs/verify-pool.md). Every check still runs in the core, messages still reach it
   * in arrival order, and a worker's result counts only under the subscription's own secret
   * tag. Worth it with cores to spare (measured: 2 workers 1.3–1.6× one thread on 2 idle cores).
   * Default 0: everything on the calling thread. Where Web Workers are missing (Node),
   * `createSubscriber` throws `WORKER_UNAVAILABLE` unless `spawn` is given. A worker that fails
   * later is reported to each subscription as a `WORKER_UNAVAILABLE` error event; its messages
   * are verified in the core.
   */
  verifyWorkers?: number | VerifyWorkersSetting;
  /** Advanced: raw wasm `SubscriberConfig` fields, applied last. */
  core?: Partial<Omit<SubscriberConfig, 'streamId' | 'partition' | 'permissionSource'>>;
}

/** {@link SubscriberOptions.verifyWorkers} in full. */
export interface VerifyWorkersSetting {
  /** How many workers (1 to 64). */
  count: number;
  /**
   * Makes a worker: default `CryptoWorker.spawn()` (the package's worker script). Anything with
   * `recoverSigners` and `terminate` will do, e.g. a `CryptoWorker` on a custom URL, or Node
   * `worker_threads` running the package's `recoverSigner`.
   */
  spawn?: () => RecoveryWorker;
  /** A worker that does not answer within this many ms is stopped; its messages are verified in the core. Default 10000. */
  timeoutMs?: number;
}

/** Content `publish` takes: a `Uint8Array` goes as BINARY, anything else as JSON (as the SDK). */
export type PublishContent = Uint8Array | string | number | boolean | null | object;

/** What a published message resolves to. */
export interface PublishResult {
  /** The message's timestamp (Unix ms) as passed to the core. */
  timestamp: number;
}

/** An error event: a `StreamrE2eeError` naming the message concerned, if any. */
export type E2eeError = StreamrE2eeError & { messageRef?: MessageRefWithChain };

/** Publisher events. */
export interface PublisherEvents {
  /** A subscriber's key request was answered: `requesterId` got `keyIds`. */
  keyRequest: { requesterId: string; keyIds: string[] };
  /** A key request was refused: `PERMISSION_DENIED`, `PERMISSION_CHECK_FAILED`, `RATE_LIMITED`, …. */
  keyDenied: { requesterId: string; code: ErrorCode; message: string };
  /** Something failed: an RPC, the wallet, the transport, a key store write. */
  error: E2eeError;
}

/** What {@link createPublisher} returns: publishes on one stream partition. */
export interface PublisherHandle {
  readonly streamId: string;
  readonly partition: number;
  /** Resolves once started: identity known, public check done, stored keys restored. */
  readonly ready: Promise<void>;
  /** The publisher id messages carry (`0x` + lower-case hex). Valid after `ready`. */
  readonly publisherId: string;
  /** Whether content is encrypted (false on a public stream). Valid after `ready`. */
  readonly encrypted: boolean;
  /**
   * Publishes `content`. Resolves when the transport owns the message (sent or queued);
   * rejects with a typed error (`WALLET_REJECTED`, `WALLET_ACCOUNT_CHANGED`,
   * `TRANSPORT_QUEUE_FULL`, `OVERLOADED`, `CLOSED`, …) when nothing was published. A rejected
   * publish leaves no gap: later publishes work and chain correctly.
   */
  publish(content: PublishContent, timestamp?: number): Promise<PublishResult>;
  /** Rotation: the next message carries a new key (or `key`); no key exchange needed. */
  rotate(key?: GroupKey | GroupKeyData): Promise<void>;
  /**
   * Re-key: a new key (or `key`) from the next message on, never sent under an old key; every
   * subscriber comes back through key exchange and has its permission checked again.
   * `revoke` runs first and is awaited (for example the on-chain `revokePermission`
   * transaction), so no answer after the re-key predates it.
   */
  rekey(options?: { key?: GroupKey | GroupKeyData; revoke?: () => Promise<unknown> }): Promise<void>;
  /**
   * Forgets cached permission answers (`registryCacheTtlMs`): the next key request is checked
   * on chain again. For an app that learns of a revocation and will not re-key; `rekey` does
   * this itself.
   */
  invalidatePermissions(): Promise<void>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): void;
  /** Stops: unsubscribes from the transport, rejects waiting publishes with `CLOSED`. Does not close the ports. */
  close(): Promise<void>;
}

/** A message delivered to the app: decrypted, verified, once, in chain order. */
export interface ReceivedMessage {
  /** JSON content parsed, BINARY content as a `Uint8Array`. */
  content: unknown;
  contentType: ContentType;
  streamId: string;
  partition: number;
  publisherId: string;
  timestamp: number;
  sequenceNumber: number;
  msgChainId: string;
  /** False for messages published unencrypted (public streams). */
  encrypted: boolean;
  /** The group key it was encrypted with; absent when unencrypted. */
  groupKeyId?: string;
}

/** Subscription events. */
export interface SubscriptionEvents {
  /** A message could not be delivered, or something failed (codes in `docs/errors.md`). */
  error: E2eeError;
  /** A key request went out for `keyId` of `publisherId`. */
  keyRequestSent: { publisherId: string; keyId: string; attempt: number };
}

/**
 * One stream partition subscribed: an async iterator of {@link ReceivedMessage}s (when no
 * `onMessage` callback was given) with `unsubscribe()`.
 */
export interface Subscription extends AsyncIterable<ReceivedMessage> {
  readonly streamId: string;
  readonly partition: number;
  /** Counters of the core subscriber (delivered, duplicates, dropped, key requests, keys learned). */
  readonly stats: SubscriberStats;
  /**
   * With {@link SubscriberOptions.verifyWorkers}: recoveries the core took from the pool
   * (`accepted`) and refused (`refused`, verified in the core instead). Messages a worker could
   * not recover, or that came while no worker was left, are in neither. Otherwise undefined.
   */
  readonly poolStats?: PoolStats;
  /** Forgets cached answers about publishers' PUBLISH permission: each publisher's next message is checked again. */
  invalidatePermissions(): void;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): void;
  /** Stops delivery; ends the async iterator. */
  unsubscribe(): Promise<void>;
}

/** What {@link createSubscriber} returns: subscribes as one identity. */
export interface SubscriberHandle {
  /** The subscriber's user id, after the first `subscribe`. */
  readonly userId: string | undefined;
  /** Subscribes to `streamId#partition`; with `onMessage` messages go there instead of the iterator. */
  subscribe(
    streamId: string,
    partition?: number,
    onMessage?: (message: ReceivedMessage) => void,
  ): Promise<Subscription>;
  /** Ends every subscription. Does not close the ports. */
  close(): Promise<void>;
}

/** {@link createPublisher} arguments. */
export interface CreatePublisherArgs {
  /** The stream to publish on (`0x…/path`). */
  streamId: string;
  /** Default 0. */
  partition?: number;
  /** Who signs: `Eip1193Signer` (a wallet) or `LocalSigner` (a key in wasm). */
  signer: SignerPort;
  /** Where messages go: `WebSocketTransport` to the relay. */
  transport: Transport;
  /** `eth_call`s for permission checks: `JsonRpcRegistry`. */
  registry: RegistryPort;
  /** Where group keys persist; without one, keys live as long as the handle. */
  keyStore?: KeyStore;
  options?: PublisherOptions;
}

/** {@link createSubscriber} arguments. */
export interface CreateSubscriberArgs {
  /** Who signs key requests: `Eip1193Signer` or `LocalSigner`. */
  signer: SignerPort;
  /** Where messages come from: `WebSocketTransport` to the relay. */
  transport: Transport;
  /** `eth_call`s for publishers' permissions and ERC-1271 checks: `JsonRpcRegistry`. */
  registry: RegistryPort;
  /** Where learned group keys persist, so a reloaded subscriber does not ask again. */
  keyStore?: KeyStore;
  options?: SubscriberOptions;
}
