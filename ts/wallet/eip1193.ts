/**
 * `Eip1193Signer`: signs with the user's wallet (MetaMask and any EIP-1193 provider) through
 * `personal_sign`, and never as an account the user switched away from.
 */
import { recoverEvmAddress } from '#wasm';
import type { SignerPort } from '../ports.js';
import { createError } from '../errors.js';
import { walletError } from './wallet-error.js';
import { fromHex, toHex } from './hex.js';

/** The EIP-1193 provider interface (`window.ethereum`), as much of it as is used here. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: never[]) => void): unknown;
  removeListener?(event: string, listener: (...args: never[]) => void): unknown;
}

/** {@link Eip1193Signer.connect} options. */
export interface Eip1193SignerOptions {
  /** Sign as this account (must be among the wallet's); default: the wallet's selected one. */
  account?: string;
  /** Sign on behalf of this ERC-1271 wallet contract, owned by the account. */
  erc1271Contract?: string;
  /** Ask `eth_requestAccounts` (a connect prompt); false uses `eth_accounts` only. Default true. */
  requestAccounts?: boolean;
}

function normalizeAccount(value: unknown): string | undefined {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : undefined;
}

/**
 * A {@link SignerPort} over an EIP-1193 wallet. Bound at `connect` to one account: it signs
 * only while that account is the wallet's selected one (`accountsChanged`), passes it to
 * `personal_sign` explicitly and checks that the signature recovers to it. A refusal (4001) is
 * `WALLET_REJECTED`, any other failure `WALLET_ERROR`, a switched account
 * `WALLET_ACCOUNT_CHANGED`.
 */
export class Eip1193Signer implements SignerPort {
  /** `'ECDSA_SECP256K1_EVM'`, or `'ERC_1271'` when signing for a contract. */
  readonly signatureType: string;
  /** The EOA that signs (the owner, for ERC-1271). */
  readonly account: string;
  private readonly userId: string;
  private selected: string | undefined;
  private chainId: string | undefined;
  private readonly identityListeners = new Set<(userId: string | undefined) => void>();
  private readonly detach: () => void;
  /** `personal_sign` calls made: what the user would see as wallet prompts. */
  signatureRequests = 0;

  private constructor(
    /** The wallet's EIP-1193 provider (a `SessionSigner` sends its transactions through it). */
    readonly provider: Eip1193Provider,
    account: string,
    chainId: string | undefined,
    options: Eip1193SignerOptions,
  ) {
    this.account = account;
    this.selected = account;
    this.chainId = chainId;
    if (options.erc1271Contract !== undefined) {
      const contract = normalizeAccount(options.erc1271Contract);
      if (contract === undefined) throw createError('INVALID_ARGUMENT', 'erc1271Contract must be 0x + 40 hex digits');
      this.userId = contract;
      this.signatureType = 'ERC_1271';
    } else {
      this.userId = account;
      this.signatureType = 'ECDSA_SECP256K1_EVM';
    }
    const onAccounts = (accounts: unknown) => {
      const first = Array.isArray(accounts) ? normalizeAccount(accounts[0]) : undefined;
      const was = this.selected;
      this.selected = first;
      if (was !== first) {
        const now = first === this.account ? this.userId : undefined;
        for (const l of [...this.identityListeners]) l(now);
      }
    };
    const onChain = (chainId: unknown) => {
      this.chainId = typeof chainId === 'string' ? chainId.toLowerCase() : undefined;
    };
    provider.on?.('accountsChanged', onAccounts as (...args: never[]) => void);
    provider.on?.('chainChanged', onChain as (...args: never[]) => void);
    this.detach = () => {
      provider.removeListener?.('accountsChanged', onAccounts as (...args: never[]) => void);
      provider.removeListener?.('chainChanged', onChain as (...args: never[]) => void);
    };
  }

  /**
   * Connects to the wallet: `eth_requestAccounts` (or `eth_accounts`), `eth_chainId`. Rejects
   * `WALLET_REJECTED` when the user refuses, `WALLET_ERROR` when there is no (such) account.
   */
  static async connect(provider: Eip1193Provider, options: Eip1193SignerOptions = {}): Promise<Eip1193Signer> {
    const method = options.requestAccounts === false ? 'eth_accounts' : 'eth_requestAccounts';
    let accounts: unknown;
    try {
      accounts = await provider.request({ method });
    } catch (e) {
      throw walletError(e, method);
    }
    const list = Array.isArray(accounts) ? accounts.map(normalizeAccount) : [];
    let account: string | undefined;
    if (options.account !== undefined) {
      const wanted = normalizeAccount(options.account);
      account = list.find((a) => a !== undefined && a === wanted);
    } else {
      account = list[0];
    }
    if (account === undefined) throw createError('WALLET_ERROR', 'the wallet has no such account');
    let chainId: string | undefined;
    try {
      const c = await provider.request({ method: 'eth_chainId' });
      chainId = typeof c === 'string' ? c.toLowerCase() : undefined;
    } catch (e) {
      throw walletError(e, 'eth_chainId');
    }
    const signer = new Eip1193Signer(provider, account, chainId, options);
    // The account asked for may not be the selected one: sign only while it is.
    if (options.account !== undefined && list[0] !== account) signer.selected = list[0];
    return signer;
  }

  /** The wallet's chain id (`0x…`), kept current from `chainChanged`. */
  get currentChainId(): string | undefined {
    return this.chainId;
  }

  /** Whether the bound account is the wallet's selected account now. */
  get active(): boolean {
    return this.selected === this.account;
  }

  /** The id messages carry: the account, or the ERC-1271 contract. */
  async getUserId(): Promise<string> {
    return this.userId;
  }

  /**
   * `personal_sign` over `payload` (as 0x-hex) by the bound account. Rejects
   * `WALLET_ACCOUNT_CHANGED` if the user switched to another account (before or during the
   * prompt), `WALLET_REJECTED` on 4001, `WALLET_ERROR` otherwise, including a signature that
   * does not recover to the bound account.
   */
  async sign(payload: Uint8Array): Promise<Uint8Array> {
    this.assertActive();
    this.signatureRequests++;
    let result: unknown;
    try {
      result = await this.provider.request({ method: 'personal_sign', params: [toHex(payload), this.account] });
    } catch (e) {
      throw walletError(e, 'personal_sign');
    }
    this.assertActive();
    if (typeof result !== 'string') throw createError('WALLET_ERROR', 'personal_sign returned no signature');
    let sig: Uint8Array;
    try {
      sig = fromHex(result, 'signature');
    } catch (e) {
      throw createError('WALLET_ERROR', 'personal_sign returned a malformed signature', e);
    }
    if (sig.length !== 65) throw createError('WALLET_ERROR', `personal_sign returned ${sig.length} bytes, not 65`);
    // Some wallets (hardware) return v as 0/1; the SDK's format is 27/28.
    if (sig[64]! < 27) sig[64] = sig[64]! + 27;
    let signer: string;
    try {
      signer = recoverEvmAddress(payload, sig);
    } catch (e) {
      throw createError('WALLET_ERROR', 'personal_sign returned a signature that does not verify', e);
    }
    if (signer !== this.account) {
      throw createError('WALLET_ERROR', 'the wallet signed with another account than the one this handle signs as');
    }
    return sig;
  }

  /** Calls `listener` with the user id when the bound account is selected again, `undefined` when it is not. */
  onIdentityChange(listener: (userId: string | undefined) => void): () => void {
    this.identityListeners.add(listener);
    return () => this.identityListeners.delete(listener);
  }

  /** Stops following the provider's events. */
  close(): void {
    this.detach();
    this.identityListeners.clear();
  }

  private assertActive(): void {
    if (this.selected !== this.account) {
      throw createError(
        'WALLET_ACCOUNT_CHANGED',
        `the wallet switched away from ${this.account}; this handle no longer signs`,
      );
    }
  }
}
