// The demo test's injected EIP-1193 wallet: `window.ethereum` in every page of a browser
// context, reached through the request() interface the page uses with MetaMask. Node holds the
// key (ethers, anvil's account `index`), as a wallet would: personal_sign signs the payload,
// eth_sendTransaction signs a transaction and sends it to the local chain, and
// eth_getTransactionReceipt asks that chain. The wallet is on the local chain: a session's
// transaction must go there (personal_sign alone would not care). Each page records every
// method it was asked (`window.__walletCalls`, reset on each load): the prompts a wallet shows
// are personal_sign and eth_sendTransaction.
import { Contract, HDNodeWallet, JsonRpcProvider, getBytes } from 'ethers';

const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
const REGISTRY_ABI = ['function getPermissionsForUser(string streamId, address user) view returns (tuple(bool canEdit, bool canDelete, uint256 publishExpiration, uint256 subscribeExpiration, bool canGrant))'];

/** The wallet prompts among `calls` (window.__walletCalls). */
export function promptsIn(calls) {
  const n = (m) => calls.filter((c) => c === m).length;
  return { signatures: n('personal_sign'), transactions: n('eth_sendTransaction'), connects: n('eth_requestAccounts') };
}

/** Injects the wallet into `ctx`; returns its address, a registry reader and `close()`. */
export async function injectWallet(ctx, { index, rpcUrl, chainId, streamRegistry }) {
  // No 250 ms cache of answers: two transactions in a row must not get the same nonce.
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
  const key = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
  const address = key.address.toLowerCase();
  await ctx.exposeFunction('__demoWalletSign', (hex) => key.signMessage(getBytes(hex)));
  await ctx.exposeFunction('__demoWalletSend', async (tx) => (await key.sendTransaction({ to: tx.to, data: tx.data, chainId })).hash);
  await ctx.exposeFunction('__demoWalletReceipt', (hash) => provider.send('eth_getTransactionReceipt', [hash]));
  await ctx.addInitScript(({ account, chainHex }) => {
    window.__walletCalls = [];
    const unknownAccount = () => Object.assign(new Error('unknown account'), { code: 4100 });
    window.ethereum = {
      async request({ method, params }) {
        window.__walletCalls.push(method);
        switch (method) {
          case 'eth_requestAccounts':
          case 'eth_accounts': return [account];
          case 'eth_chainId': return chainHex;
          case 'personal_sign':
            if (params[1] !== account) throw unknownAccount();
            return window.__demoWalletSign(params[0]);
          case 'eth_sendTransaction':
            if (params[0].from?.toLowerCase() !== account || BigInt(params[0].chainId ?? chainHex) !== BigInt(chainHex)) throw unknownAccount();
            return window.__demoWalletSend(params[0]);
          case 'eth_getTransactionReceipt': return window.__demoWalletReceipt(params[0]);
          default: throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
        }
      },
    };
  }, { account: address, chainHex: `0x${chainId.toString(16)}` });

  const registry = new Contract(streamRegistry, REGISTRY_ABI, provider);
  return {
    address,
    /** What the registry says `user` holds on `streamId` (read on chain by the test, not the page). */
    async permissions(streamId, user) {
      const p = await registry.getPermissionsForUser(streamId, user);
      return { canEdit: p.canEdit, canDelete: p.canDelete, canGrant: p.canGrant, publishExpiration: Number(p.publishExpiration), subscribeExpiration: Number(p.subscribeExpiration) };
    },
    close: () => provider.destroy(),
  };
}
