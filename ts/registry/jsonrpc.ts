/**
 * `JsonRpcRegistry`: the {@link RegistryPort} over `eth_call`, through the wallet's EIP-1193
 * provider or a JSON-RPC URL (read-only apps need no wallet). It only forwards bytes: the core
 * encodes the calls and decodes (strictly) what comes back.
 */
import type { CallOutcome, RegistryPort } from '../ports.js';
import { createError, isStreamrE2eeError } from '../errors.js';
import type { Eip1193Provider } from '../wallet/eip1193.js';
import { fromHex, toHex } from '../wallet/hex.js';

/** {@link JsonRpcRegistry} options: exactly one of `provider` and `rpcUrl`. */
export interface JsonRpcRegistryOptions {
  /** The StreamRegistry contract address (`0x` + 40 hex). */
  streamRegistryAddress: string;
  /** An EIP-1193 provider (the wallet) to `eth_call` through. */
  provider?: Eip1193Provider;
  /** A JSON-RPC HTTP(S) URL to `eth_call` through (with `fetch`). */
  rpcUrl?: string;
  /**
   * The chain the StreamRegistry is on (a number or `0x` hex). **Required with `provider`**:
   * a wallet reads from whatever chain the user has selected, so every read first checks the
   * wallet's `eth_chainId` (again after each `chainChanged`) and refuses another chain. With
   * `rpcUrl` optional (checked once when given).
   */
  chainId?: number | string;
  /** Give up on a call after this long, ms (default 10000): a rejection, which the core takes as "no". */
  timeoutMs?: number;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

interface RpcErrorShape {
  code?: unknown;
  message?: unknown;
  data?: unknown;
}

function isRevert(e: RpcErrorShape): boolean {
  // Geth, anvil and Hardhat answer a reverted eth_call with code 3 ("execution reverted",
  // revert data in `data`); some nodes use -32000/-32015 with the same message.
  return e.code === 3 || (typeof e.message === 'string' && /revert/i.test(e.message));
}

function revertData(e: RpcErrorShape): Uint8Array {
  let d = e.data;
  // Some providers nest it: { data: { data: '0x…' } } or { data: { originalError: { data } } }.
  for (let i = 0; i < 3 && d !== null && typeof d === 'object'; i++) {
    const o = d as { data?: unknown; originalError?: { data?: unknown } };
    d = o.data ?? o.originalError?.data;
  }
  if (typeof d === 'string') {
    try {
      return fromHex(d);
    } catch {
      return new Uint8Array(0);
    }
  }
  return new Uint8Array(0);
}

/**
 * `eth_call`s for the core: a result is `callResult`, a revert `callReverted` (with its data),
 * and anything else (network down, HTTP error, timeout, a node error, a response that is not
 * hex, the wrong chain) rejects with `RPC_ERROR`, which the core treats as "no" (fail closed).
 *
 * The chain is pinned: with a wallet `provider`, `chainId` is required, and no call is made
 * until the wallet's `eth_chainId` matches it; a `chainChanged` event makes the next call check
 * again, and a call that was under way when the chain changed is refused (its answer may come
 * from the other chain). A provider without events is checked before every call.
 */
export class JsonRpcRegistry implements RegistryPort {
  readonly streamRegistryAddress: string;
  private readonly provider: Eip1193Provider | undefined;
  private readonly rpcUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch | undefined;
  /** The pinned chain, or `undefined` (an `rpcUrl` without `chainId`). */
  private readonly chainId: bigint | undefined;
  /** Counts the provider's `chainChanged` events: a check holds for the count it saw. */
  private chainEpoch = 0;
  private checkedEpoch: number | undefined;
  /** A provider that cannot tell us about a switch is checked before every call. */
  private readonly checkEveryCall: boolean;
  private nextId = 1;
  /** `eth_call`s made (for tests and metrics). */
  calls = 0;

  constructor(options: JsonRpcRegistryOptions) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(options.streamRegistryAddress)) {
      throw createError('INVALID_ARGUMENT', 'streamRegistryAddress must be 0x + 40 hex digits');
    }
    if ((options.provider === undefined) === (options.rpcUrl === undefined)) {
      throw createError('INVALID_ARGUMENT', 'give exactly one of provider and rpcUrl');
    }
    if (options.provider !== undefined && options.chainId === undefined) {
      throw createError('INVALID_ARGUMENT', 'chainId is required with a provider: a wallet reads permissions from whatever chain it is on');
    }
    this.streamRegistryAddress = options.streamRegistryAddress.toLowerCase();
    this.provider = options.provider;
    this.rpcUrl = options.rpcUrl;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch;
    this.chainId = options.chainId === undefined ? undefined : parseChainId(options.chainId);
    // A wallet may switch chains under us: check again after every switch.
    const provider = this.provider;
    const events = typeof provider?.on === 'function';
    if (events) {
      provider.on!('chainChanged', () => {
        this.chainEpoch++;
      });
    }
    this.checkEveryCall = provider !== undefined && !events;
  }

  /** `eth_call` of `data` on `to` at the latest block. */
  async call(to: string, data: Uint8Array): Promise<CallOutcome> {
    this.calls++;
    const epoch = this.chainEpoch;
    await this.checkChain(epoch);
    let result: unknown;
    try {
      result = await this.request('eth_call', [{ to, data: toHex(data) }, 'latest']);
    } catch (e) {
      const shape = (e as { rpc?: RpcErrorShape }).rpc;
      if (shape !== undefined && isRevert(shape)) {
        this.assertSameChain(epoch);
        return { type: 'callReverted', data: revertData(shape) };
      }
      throw e;
    }
    if (typeof result !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(result)) {
      throw createError('RPC_ERROR', 'eth_call returned something that is not hex data');
    }
    this.assertSameChain(epoch);
    return { type: 'callResult', data: fromHex(result) };
  }

  /** Refuses to go on unless the node is on the pinned chain (checked once per chain epoch). */
  private async checkChain(epoch: number): Promise<void> {
    if (this.chainId === undefined) return;
    if (!this.checkEveryCall && this.checkedEpoch === epoch) return;
    const got = await this.request('eth_chainId', []);
    const id = typeof got === 'string' && /^0x[0-9a-fA-F]+$/.test(got) ? BigInt(got) : undefined;
    if (id !== this.chainId) {
      throw createError('RPC_ERROR', `the wallet or node is on chain ${String(got)}, not chain ${this.chainId}: permissions are read only from chain ${this.chainId}`);
    }
    this.assertSameChain(epoch);
    this.checkedEpoch = epoch;
  }

  /** A `chainChanged` since `epoch`: what was read may come from another chain. */
  private assertSameChain(epoch: number): void {
    if (this.chainEpoch !== epoch) throw createError('RPC_ERROR', 'the wallet switched chains during the call; its answer is not used');
  }

  /** One JSON-RPC request; node errors reject `RPC_ERROR` with the error object as `rpc`. */
  private async request(method: string, params: unknown[]): Promise<unknown> {
    if (this.provider !== undefined) {
      try {
        return await withTimeout(this.provider.request({ method, params }), this.timeoutMs, method);
      } catch (e) {
        throw rpcError(method, e);
      }
    }
    const f = this.fetchFn ?? globalThis.fetch;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let body: unknown;
    try {
      const res = await f(this.rpcUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: abort.signal,
      });
      if (!res.ok) throw createError('RPC_ERROR', `${method}: HTTP ${res.status}`);
      body = await res.json();
    } catch (e) {
      if (isStreamrE2eeError(e)) throw e;
      throw createError('RPC_ERROR', `${method}: ${abort.signal.aborted ? 'timed out' : String((e as Error)?.message ?? e)}`, e);
    } finally {
      clearTimeout(timer);
    }
    if (body === null || typeof body !== 'object') throw createError('RPC_ERROR', `${method}: the response is not a JSON-RPC object`);
    const b = body as { result?: unknown; error?: RpcErrorShape };
    if (b.error !== undefined) throw rpcError(method, b.error);
    if (!('result' in b)) throw createError('RPC_ERROR', `${method}: the response has no result`);
    return b.result;
  }
}

/** A chain id given as a number or `0x` hex; anything else is `INVALID_ARGUMENT`. */
function parseChainId(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return BigInt(value);
  if (typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) && BigInt(value) > 0n) return BigInt(value);
  throw createError('INVALID_ARGUMENT', 'chainId must be a positive integer or 0x hex');
}

function rpcError(method: string, e: unknown): Error {
  if (isStreamrE2eeError(e)) return e;
  const shape: RpcErrorShape = e !== null && typeof e === 'object' ? (e as RpcErrorShape) : { message: String(e) };
  const err = createError('RPC_ERROR', `${method}: ${typeof shape.message === 'string' ? shape.message : String(e)}`, e);
  (err as Error & { rpc?: RpcErrorShape }).rpc = shape;
  return err;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(createError('RPC_ERROR', `${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
