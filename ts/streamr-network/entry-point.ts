/**
 * A bare entry point: a `@streamr/trackerless-network` node with a WebSocket server that other
 * nodes join the network through. It joins no stream part and holds no keys; it only lets
 * nodes find each other. For tests and local demos on 127.0.0.1 (`streamr-e2ee-entry-point`);
 * the public network has its own (see docs/streamr-network.md).
 */
import { createNetworkNode } from '@streamr/trackerless-network';
import type { NetworkNode, PeerDescriptor } from '@streamr/trackerless-network';
import { asStreamrE2eeError, createError } from '../errors.js';
import { withLoopbackListen } from './bind.js';
import { bytesToHex, hexToBytes, isLoopbackHost, nodeIdHex, toEntryPoint } from './options.js';
import type { EntryPoint } from './options.js';

/** {@link startEntryPoint} options. */
export interface EntryPointOptions {
  /** The port to serve WebSocket on (required: nodes are configured with it). */
  port: number;
  /** The host to serve on and advertise. Default `127.0.0.1`; a loopback host binds to it only. */
  host?: string;
  /** The node id (40 hex digits). Default: a random one. Give it to keep the same entry point across restarts. */
  nodeId?: string;
}

/** A running entry point. */
export interface RunningEntryPoint {
  /** How nodes and `@streamr/sdk` clients name it in `entryPoints`. */
  readonly entryPoint: EntryPoint;
  stop(): Promise<void>;
}

function randomNodeId(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}

/** Starts an entry point; resolves once it serves. */
export async function startEntryPoint(options: EntryPointOptions): Promise<RunningEntryPoint> {
  const host = options.host ?? '127.0.0.1';
  const { port } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw createError('INVALID_ARGUMENT', `port: 1..65535, got ${JSON.stringify(port)}`);
  const nodeId = options.nodeId === undefined ? randomNodeId() : nodeIdHex(options.nodeId, 'nodeId');
  const descriptor: PeerDescriptor = { nodeId: hexToBytes(nodeId), type: 0, websocket: { host, port, tls: false } };
  const node: NetworkNode = createNetworkNode({ layer0: { entryPoints: [descriptor], peerDescriptor: descriptor, websocketServerEnableTls: false } });
  try {
    const bind = isLoopbackHost(host) ? (host === 'localhost' ? '127.0.0.1' : host) : undefined;
    await withLoopbackListen(bind, () => node.start());
  } catch (e) {
    // See stopQuietly in transport.ts: only the stack's own stop is safe after a failed start.
    await node.stack.stop().catch(() => undefined);
    throw asStreamrE2eeError(e, 'NETWORK_UNAVAILABLE', `starting an entry point on ${host}:${port}`);
  }
  return {
    entryPoint: toEntryPoint(descriptor),
    stop: () => node.stop(),
  };
}
