/**
 * {@link StreamrNetworkTransportOptions} and their translation into the options of
 * `@streamr/trackerless-network`'s `createNetworkNode` (docs/streamr-network.md).
 *
 * Entry points use the SDK's JSON form (`network.controlLayer.entryPoints` of a StreamrClient
 * config): a hex node id and the WebSocket the node serves. The network layer wants 20 raw
 * bytes and a node type, so the translation happens here, with the checks.
 */
import type { NetworkOptions, PeerDescriptor } from '@streamr/trackerless-network';
import { createError } from '../errors.js';

/** A node to join the network through, as `@streamr/sdk` configs write it. */
export interface EntryPoint {
  /** The node id: 40 hex digits (20 bytes), with or without `0x`. */
  nodeId: string;
  /** Where it serves WebSocket connections. Browsers can only use entry points that have one. */
  websocket?: { host: string; port: number; tls: boolean };
}

/** A STUN or TURN server for WebRTC connections (the SDK's `iceServers` entries). */
export interface IceServer {
  url: string;
  port: number;
  username?: string;
  password?: string;
  tcp?: boolean;
}

/** {@link StreamrNetworkTransport.start} options. Every one is optional. */
export interface StreamrNetworkTransportOptions {
  /**
   * Nodes to join through. Default: the public Streamr Network's entry points from
   * `@streamr/config` (its `polygon` environment, as the SDK's default). When every entry
   * point is on a loopback address, nothing leaves the machine: no region lookup, no TLS
   * certificate, no public STUN/TURN servers (see `region` and `iceServers`).
   */
  entryPoints?: EntryPoint[];
  /** This node's id (40 hex digits). Default: a random one, new on every start. */
  nodeId?: string;
  /**
   * Node only: run a WebSocket server on a port in this range, so that browsers and other
   * nodes can connect to this one. Default: no server (the node only dials out, as a browser).
   */
  websocketPortRange?: { min: number; max: number };
  /**
   * The host the WebSocket server advertises to peers (with `websocketPortRange`). Default
   * `127.0.0.1` when the entry points are local; otherwise the network layer finds the
   * address peers see. A loopback host also binds the server to that address only.
   */
  websocketHost?: string;
  /**
   * Serve the WebSocket with TLS, through Streamr's certificate service (public network,
   * Node only; browsers on `https:` pages refuse plain `ws:` peers). Default false.
   */
  websocketServerEnableTls?: boolean;
  /** STUN/TURN servers. Default: none for local entry points, the SDK's public ones otherwise. */
  iceServers?: IceServer[];
  /** Let WebRTC use private (LAN, loopback) addresses. Default: true for local entry points. */
  webrtcAllowPrivateAddresses?: boolean;
  /**
   * The node's region number, used to pick nearby peers. Default: 0 for local entry points;
   * otherwise the network layer looks it up from a CDN (an HTTP request off the machine).
   */
  region?: number;
  /** Connections the node keeps at most (the network layer's default is 80). */
  maxConnections?: number;
  /** Publishes held (waiting for the stream part to be joined, or for neighbours) at most. Default 10000. */
  maxQueuedPublishes?: number;
  /** Bytes of held publishes at most. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** How long `start` and `subscribe` wait for the network, ms, before `NETWORK_UNAVAILABLE`. Default 30000. */
  joinTimeoutMs?: number;
  /**
   * When a stream part loses all its neighbours, publishes wait this long, ms, for one to come
   * back (an entry point or neighbour restarting) before they go out anyway. Default 30000.
   */
  neighborLossHoldMs?: number;
  /** Called on the node's state changes (for UIs and tests). */
  onStateChange?: (state: NetworkTransportState, info: { streamPart?: string; neighbors?: number }) => void;
}

/** What {@link StreamrNetworkTransportOptions.onStateChange} reports. */
export type NetworkTransportState = 'started' | 'joined' | 'neighborsLost' | 'neighborsRegained' | 'rejoining' | 'closed';

/** The public network's STUN/TURN servers: the `@streamr/sdk` 103 config schema's defaults. */
const PUBLIC_ICE_SERVERS: IceServer[] = [
  { url: 'stun:stun.streamr.network', port: 5349 },
  { url: 'turn:turn.streamr.network', port: 5349, username: 'BrubeckTurn1', password: 'MIlbgtMw4nhpmbgqRrht1Q==' },
  { url: 'turn:turn.streamr.network', port: 5349, username: 'BrubeckTurn1', password: 'MIlbgtMw4nhpmbgqRrht1Q==', tcp: true },
];

const NODE_ID = /^(0x)?[0-9a-fA-F]{40}$/;

/** `0x`-less lower-case hex of a node id, or INVALID_ARGUMENT naming `what`. */
export function nodeIdHex(id: unknown, what: string): string {
  if (typeof id !== 'string' || !NODE_ID.test(id)) {
    throw createError('INVALID_ARGUMENT', `${what}: a node id is 40 hex digits, got ${JSON.stringify(id)}`);
  }
  return id.replace(/^0x/, '').toLowerCase();
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function portNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw createError('INVALID_ARGUMENT', `${what}: a port is an integer in 1..65535, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An SDK-form entry point as a layer-0 peer descriptor (type NODEJS: entry points serve WebSocket). */
export function toPeerDescriptor(ep: EntryPoint, what: string): PeerDescriptor {
  if (ep === null || typeof ep !== 'object') throw createError('INVALID_ARGUMENT', `${what}: not an object`);
  const descriptor: PeerDescriptor = { nodeId: hexToBytes(nodeIdHex(ep.nodeId, what)), type: 0 };
  if (ep.websocket !== undefined) {
    const { host, port, tls } = ep.websocket;
    if (typeof host !== 'string' || host.length === 0) throw createError('INVALID_ARGUMENT', `${what}.websocket.host: not a host name`);
    descriptor.websocket = { host, port: portNumber(port, `${what}.websocket.port`), tls: tls === true };
  }
  return descriptor;
}

/** A layer-0 peer descriptor in the SDK's JSON form. */
export function toEntryPoint(descriptor: PeerDescriptor): EntryPoint {
  const ep: EntryPoint = { nodeId: bytesToHex(descriptor.nodeId) };
  if (descriptor.websocket !== undefined) {
    const { host, port, tls } = descriptor.websocket;
    ep.websocket = { host, port, tls };
  }
  return ep;
}

/** The public network's entry points, loaded only when no `entryPoints` are given. */
async function publicEntryPoints(): Promise<EntryPoint[]> {
  let mod: typeof import('@streamr/config');
  try {
    mod = await import('@streamr/config');
  } catch (e) {
    throw createError('INVALID_ARGUMENT', 'no entryPoints given, and @streamr/config (the public network\'s) is not installed', e);
  }
  const eps = mod.config['polygon']?.entryPoints;
  if (eps === undefined || eps.length === 0) throw createError('INVALID_ARGUMENT', '@streamr/config lists no polygon entry points');
  return eps.map((e) => ({ nodeId: e.nodeId, ...(e.websocket ? { websocket: { ...e.websocket } } : {}) }));
}

/** Checked options with their defaults, and the network layer's options. */
export interface ResolvedOptions {
  entryPoints: PeerDescriptor[];
  local: boolean;
  /** A loopback host the WebSocket server must bind to (the network layer binds 0.0.0.0). */
  bindHost: string | undefined;
  network: NetworkOptions;
  maxQueuedPublishes: number;
  maxQueuedBytes: number;
  joinTimeoutMs: number;
  neighborLossHoldMs: number;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw createError('INVALID_ARGUMENT', `${what}: a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export async function resolveOptions(options: StreamrNetworkTransportOptions): Promise<ResolvedOptions> {
  if (options === null || typeof options !== 'object') throw createError('INVALID_ARGUMENT', 'options: not an object');
  const given = options.entryPoints ?? (await publicEntryPoints());
  if (!Array.isArray(given) || given.length === 0) throw createError('INVALID_ARGUMENT', 'entryPoints: a non-empty array');
  const entryPoints = given.map((ep, i) => toPeerDescriptor(ep, `entryPoints[${i}]`));
  const local = entryPoints.every((ep) => ep.websocket !== undefined && isLoopbackHost(ep.websocket.host));

  const layer0: NonNullable<NetworkOptions['layer0']> = {
    entryPoints,
    // Undefined makes a node with a WebSocket server send `tls: undefined` in its
    // connectivity request, which protobuf-ts rejects: always say it.
    websocketServerEnableTls: options.websocketServerEnableTls === true,
  };
  if (options.nodeId !== undefined) layer0.nodeId = nodeIdHex(options.nodeId, 'nodeId');
  const region = options.region ?? (local ? 0 : undefined);
  if (region !== undefined) {
    if (!Number.isInteger(region) || region < 0) throw createError('INVALID_ARGUMENT', `region: a non-negative integer, got ${JSON.stringify(region)}`);
    layer0.region = region;
  }
  let bindHost: string | undefined;
  if (options.websocketPortRange !== undefined) {
    const { min, max } = options.websocketPortRange;
    portNumber(min, 'websocketPortRange.min');
    portNumber(max, 'websocketPortRange.max');
    if (min > max) throw createError('INVALID_ARGUMENT', 'websocketPortRange: min > max');
    layer0.websocketPortRange = { min, max };
    const host = options.websocketHost ?? (local ? '127.0.0.1' : undefined);
    if (host !== undefined) {
      layer0.websocketHost = host;
      if (isLoopbackHost(host)) bindHost = host === 'localhost' ? '127.0.0.1' : host;
    }
  } else if (options.websocketHost !== undefined) {
    throw createError('INVALID_ARGUMENT', 'websocketHost: only with websocketPortRange (a node without a server advertises none)');
  }
  layer0.iceServers = options.iceServers ?? (local ? [] : PUBLIC_ICE_SERVERS);
  layer0.webrtcAllowPrivateAddresses = options.webrtcAllowPrivateAddresses ?? local;
  if (options.maxConnections !== undefined) layer0.maxConnections = positive(options.maxConnections, 80, 'maxConnections');

  return {
    entryPoints,
    local,
    bindHost,
    network: { layer0 },
    maxQueuedPublishes: positive(options.maxQueuedPublishes, 10_000, 'maxQueuedPublishes'),
    maxQueuedBytes: positive(options.maxQueuedBytes, 64 * 1024 * 1024, 'maxQueuedBytes'),
    joinTimeoutMs: positive(options.joinTimeoutMs, 30_000, 'joinTimeoutMs'),
    neighborLossHoldMs: positive(options.neighborLossHoldMs, 30_000, 'neighborLossHoldMs'),
  };
}
