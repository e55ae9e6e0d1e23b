// The local chain from the page: read-only eth_call for the core's registry questions (the
// `RegistryPort` shape), and grant/revoke transactions on StreamRegistryV5 with ethers.
import { Contract, JsonRpcProvider, Wallet, getBytes, hexlify } from 'ethers';

export const PermissionType = { Publish: 2, Subscribe: 3 };

const REGISTRY_ABI = [
  'function grantPermission(string streamId, address user, uint8 permissionType)',
  'function revokePermission(string streamId, address user, uint8 permissionType)',
  'function hasPermission(string streamId, address user, uint8 permissionType) view returns (bool)',
];

/** eth_call over JSON-RPC: `{type:'callResult'|'callReverted', data}`, rejects on RPC failure. */
export class JsonRpcRegistry {
  constructor(rpcUrl, streamRegistryAddress) {
    this.rpcUrl = rpcUrl;
    this.streamRegistryAddress = streamRegistryAddress;
    this.nextId = 1;
  }

  async call(to, data) {
    let res;
    try {
      res = await fetch(this.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method: 'eth_call', params: [{ to, data: hexlify(data) }, 'latest'] }),
      });
    } catch (e) {
      throw new Error(`the chain RPC at ${this.rpcUrl} is unreachable (${e.message})`);
    }
    const body = await res.json();
    if (!body.error) return { type: 'callResult', data: getBytes(body.result) };
    if (body.error.code === 3 || /revert/i.test(body.error.message ?? '')) {
      return { type: 'callReverted', data: body.error.data ? getBytes(body.error.data) : new Uint8Array() };
    }
    throw new Error(`eth_call failed: ${body.error.message}`);
  }
}

/** Sends permission transactions as the stream owner (the dev key, or a wallet's signer). */
export class StreamAdmin {
  constructor(config) {
    this.config = config;
    this.provider = new JsonRpcProvider(config.rpcUrl, config.chainId, { staticNetwork: true, pollingInterval: 250 });
    this.useSigner(new Wallet(config.devAccounts.publisher.privateKey, this.provider));
  }

  useSigner(signer) {
    this.registry = new Contract(this.config.streamRegistry, REGISTRY_ABI, signer);
  }

  /** Grants or revokes `permission` for `user`; resolves with the mined receipt. */
  async setPermission(grant, user, permission) {
    const fn = grant ? 'grantPermission' : 'revokePermission';
    const tx = await this.registry[fn](this.config.streamId, user, permission);
    const receipt = await tx.wait();
    if (receipt.status !== 1) throw new Error(`transaction ${tx.hash} reverted`);
    return receipt;
  }

  hasPermission(user, permission) {
    return this.registry.hasPermission(this.config.streamId, user, permission);
  }
}
