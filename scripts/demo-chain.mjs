// The demo's local chain: the real StreamRegistryV5 (from @streamr/network-contracts 8.2.0)
// deployed on anvil with ethers, initialised, and one demo stream whose owner publishes, two
// dev accounts subscribe, and the stock SDK client's account does both. Used by scripts/start.mjs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContractFactory, HDNodeWallet, JsonRpcProvider, NonceManager, ZeroAddress } from 'ethers';

const ARTIFACT = fileURLToPath(new URL(
  '../node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/StreamRegistryV5.sol/StreamRegistryV5.json',
  import.meta.url,
));

/** anvil's default mnemonic: its accounts are public knowledge, for local development only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** StreamRegistryV5's `enum PermissionType { Edit, Delete, Publish, Subscribe, Grant }`. */
export const PermissionType = { Edit: 0, Delete: 1, Publish: 2, Subscribe: 3, Grant: 4 };

/** Account `i` of anvil's default mnemonic: `{ address, privateKey }` (lower-case address). */
export function devAccount(i) {
  const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
  return { address: w.address.toLowerCase(), privateKey: w.privateKey };
}

/**
 * Deploys and initialises StreamRegistryV5, creates `<owner>/<path>`, grants SUBSCRIBE to
 * `subscribers` and PUBLISH to `publishers`. The owner (account 0) holds every permission,
 * PUBLISH and GRANT included. Returns `{ registry, streamId, chainId }`.
 */
export async function deployDemo(rpcUrl, { path = '/demo', subscribers = [], publishers = [] } = {}) {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
  try {
    const owner = new NonceManager(HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/0").connect(provider));
    const { abi, bytecode } = JSON.parse(readFileSync(ARTIFACT, 'utf8'));
    // V5 has no _disableInitializers: deployed as a plain contract and initialised directly
    // (no ENS cache, no trusted forwarder), as the Rust chain tests do.
    const contract = await new ContractFactory(abi, bytecode, owner).deploy();
    await contract.waitForDeployment();
    await (await contract.initialize(ZeroAddress, ZeroAddress)).wait();
    const ownerAddress = (await owner.getAddress()).toLowerCase();
    const metadata = JSON.stringify({ description: 'streamr-e2ee demo stream (local chain)' });
    await (await contract.createStream(path, metadata)).wait();
    const streamId = `${ownerAddress}${path}`;
    for (const user of subscribers) {
      await (await contract.grantPermission(streamId, user, PermissionType.Subscribe)).wait();
    }
    for (const user of publishers) {
      await (await contract.grantPermission(streamId, user, PermissionType.Publish)).wait();
    }
    const chainId = Number((await provider.getNetwork()).chainId);
    return { registry: (await contract.getAddress()).toLowerCase(), streamId, chainId };
  } finally {
    provider.destroy();
  }
}
