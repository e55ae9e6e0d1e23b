// The configuration of a stock @streamr/sdk 103.3 StreamrClient on a local Streamr network and
// chain (127.0.0.1 only): the demo's stock client (scripts/demo-sdk-client.mjs) and the tests'
// (tests/network/, tests/interop/) use it, so only the options that differ are written there.
const DUMMY = '0x000000000000000000000000000000000000dEaD';

export const randomNodeId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex');

/**
 * `entryPoints` in the SDK's JSON form; `port`: this client's own WebSocket server (WebRTC is
 * unused locally, so nodes reach each other through servers); `node`, `encryption`, `cache`:
 * merged into the SDK's sections of the same name.
 */
export function localSdkConfig({ privateKey, entryPoints, port, peerDescriptor, chainId = 31337, registry, rpcUrl, node, encryption, cache }) {
  return {
    environment: 'dev2',
    logLevel: 'warn',
    auth: { privateKey },
    metrics: false,
    network: {
      controlLayer: {
        entryPoints,
        entryPointDiscovery: { enabled: false },
        peerDescriptor: peerDescriptor ?? { nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port, tls: false } },
        websocketServerEnableTls: false,
        iceServers: [],
        webrtcAllowPrivateAddresses: true,
      },
      ...(node ? { node } : {}),
    },
    contracts: {
      ethereumNetwork: { chainId },
      streamRegistryChainAddress: registry,
      streamStorageRegistryChainAddress: DUMMY,
      storageNodeRegistryChainAddress: DUMMY,
      sponsorshipFactoryChainAddress: DUMMY,
      rpcs: [{ url: rpcUrl }],
      rpcQuorum: 1,
      theGraphUrl: 'http://127.0.0.1:9/unused-subgraph',
      pollInterval: 500,
    },
    ...(encryption ? { encryption } : {}),
    ...(cache ? { cache } : {}),
  };
}
