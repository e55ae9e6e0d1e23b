// Grant/revoke transactions on StreamRegistryV5 with ethers (the registry reads the package
// needs go through its JsonRpcRegistry).
import { Contract, JsonRpcProvider, Wallet } from 'ethers';

export const PermissionType = { Publish: 2, Subscribe: 3, Grant: 4 };

const REGISTRY_ABI = [
  'function grantPermission(string streamId, address user, uint8 permissionType)',
  'function revokePermission(string streamId, address user, uint8 permissionType)',
  'function hasPermission(string streamId, address user, uint8 permissionType) view returns (bool)',
];

/** Sends permission transactions as the stream owner (the dev key, or a wallet's signer). */
export class StreamAdmin {
  constructor(config) {
    this.config = config;
    // cacheTimeout -1: ethers otherwise answers a second nonce query within 250 ms from its
    // cache, and two grants in a row (anvil mines at once) would reuse a nonce.
    this.provider = new JsonRpcProvider(config.rpcUrl, config.chainId, { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
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
