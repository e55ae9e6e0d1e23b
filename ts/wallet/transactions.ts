/**
 * One wallet transaction, sent and waited for: `eth_sendTransaction` (the wallet's prompt)
 * with calldata the core encoded, then `eth_getTransactionReceipt` until it is mined. Only
 * I/O: what the calldata says is decided in the core.
 */
import { createError } from '../errors.js';
import type { Eip1193Provider } from './eip1193.js';
import { toHex } from './hex.js';
import { walletError } from './wallet-error.js';

/** A transaction to the StreamRegistry from the wallet account. */
export interface RegistryTransaction {
  from: string;
  to: string;
  data: Uint8Array;
  /** The chain it must go to; the wallet must be on it. */
  chainId: bigint;
  /** Names the call in errors (`setPermissionsForUser`, …). */
  what: string;
}

/** How long to wait for the receipt, and how often to ask. */
export interface ReceiptWait {
  timeoutMs: number;
  pollMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Refuses to send on another chain than `chainId` (`RPC_ERROR`, as the registry's reads do). */
export async function assertWalletChain(provider: Eip1193Provider, chainId: bigint): Promise<void> {
  let got: unknown;
  try {
    got = await provider.request({ method: 'eth_chainId' });
  } catch (e) {
    throw walletError(e, 'eth_chainId');
  }
  const id = typeof got === 'string' && /^0x[0-9a-fA-F]+$/.test(got) ? BigInt(got) : undefined;
  if (id !== chainId) {
    throw createError('RPC_ERROR', `the wallet is on chain ${String(got)}, not chain ${chainId}: switch it to chain ${chainId} first`);
  }
}

/**
 * Sends `tx` through the wallet (one prompt) and resolves its hash once a receipt with status
 * 1 is in. Rejects `WALLET_REJECTED` / `WALLET_ERROR` when the wallet refuses or fails,
 * `TRANSACTION_FAILED` when it reverted or no receipt came within `wait.timeoutMs`.
 * `onPrompt` is called just before the wallet is asked.
 */
export async function sendAndWait(provider: Eip1193Provider, tx: RegistryTransaction, wait: ReceiptWait, onPrompt: () => void): Promise<string> {
  await assertWalletChain(provider, tx.chainId);
  onPrompt();
  let hash: unknown;
  try {
    hash = await provider.request({
      method: 'eth_sendTransaction',
      params: [{ from: tx.from, to: tx.to, data: toHex(tx.data), chainId: `0x${tx.chainId.toString(16)}` }],
    });
  } catch (e) {
    // Wallets and nodes estimate gas first: a call that would revert fails here.
    const shape = e as { code?: unknown; message?: unknown } | null;
    if (shape?.code === 3 || (typeof shape?.message === 'string' && /revert/i.test(shape.message))) {
      throw createError('TRANSACTION_FAILED', `${tx.what} transaction would revert: ${String(shape?.message)}`, e);
    }
    throw walletError(e, `${tx.what} transaction`);
  }
  if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
    throw createError('WALLET_ERROR', `${tx.what} transaction: the wallet returned no transaction hash`);
  }
  const deadline = Date.now() + wait.timeoutMs;
  let lastError: unknown;
  for (;;) {
    let receipt: unknown;
    try {
      receipt = await provider.request({ method: 'eth_getTransactionReceipt', params: [hash] });
    } catch (e) {
      lastError = e; // a node hiccup: ask again until the deadline
      receipt = null;
    }
    if (receipt !== null && typeof receipt === 'object') {
      const status = (receipt as { status?: unknown }).status;
      if (status === '0x1' || status === 1) return hash;
      throw createError('TRANSACTION_FAILED', `${tx.what} transaction ${hash} reverted (status ${String(status)})`);
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${(lastError as Error)?.message ?? String(lastError)})`;
      const err = createError('TRANSACTION_FAILED', `${tx.what} transaction ${hash} has no receipt after ${wait.timeoutMs} ms; it may still be mined${why}`);
      (err as { mayStillBeMined?: boolean }).mayStillBeMined = true;
      throw err;
    }
    await sleep(wait.pollMs);
  }
}

/** True for the `TRANSACTION_FAILED` of a transaction sent but not (yet) mined in time. */
export function mayStillBeMined(e: unknown): boolean {
  return (e as { mayStillBeMined?: unknown } | null)?.mayStillBeMined === true;
}
