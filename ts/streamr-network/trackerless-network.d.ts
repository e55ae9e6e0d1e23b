/**
 * The part of `@streamr/trackerless-network` 103.3.x the Streamr
 * Network transport uses, typed without Node's types (the shim compiles with `types: []`, and
 * the real declarations pull in @types/node through @streamr/dht). ts/tsconfig.json maps the module
 * here for type checking only: the emitted JavaScript imports the real packages.
 * Shapes copied from trackerless-network/dist/exports.d.ts and dht's exports-nodejs.d.ts.
 */
/** protobuf-ts's message object; the transport never looks inside, except at `messageId`. */
export interface StreamMessage {
  messageId: { streamId: string; streamPartition: number; publisherId: Uint8Array; messageChainId: string };
}
export declare const StreamMessage: {
  fromBinary(bytes: Uint8Array): StreamMessage;
  toBinary(message: StreamMessage): Uint8Array;
};

/** A layer-0 peer descriptor: `nodeId` is 20 raw bytes; `type` 0 = NODEJS, 1 = BROWSER. */
export interface PeerDescriptor {
  nodeId: Uint8Array;
  type: number;
  websocket?: { host: string; port: number; tls: boolean };
  region?: number;
}

export type { IceServer } from './options.js';
import type { IceServer } from './options.js';

export interface DataEntry {
  creator: Uint8Array;
  deleted?: boolean;
}

export interface ControlLayerNode {
  fetchDataFromDht(key: string): Promise<DataEntry[]>;
  getConnectionsView(): { getConnectionCount(): number; hasConnection(nodeId: string): boolean };
  joinDht(entryPoints: PeerDescriptor[]): Promise<void>;
}

export interface NetworkOptions {
  layer0?: {
    entryPoints?: PeerDescriptor[];
    peerDescriptor?: PeerDescriptor;
    nodeId?: string;
    region?: number;
    websocketHost?: string;
    websocketPortRange?: { min: number; max: number };
    websocketServerEnableTls?: boolean;
    iceServers?: IceServer[];
    webrtcAllowPrivateAddresses?: boolean;
    maxConnections?: number;
    externalIp?: string;
  };
  networkNode?: {
    streamPartitionNeighborTargetCount?: number;
    streamPartitionMinPropagationTargets?: number;
    streamPartitionMaxPropagationBufferSize?: number;
  };
}

export interface NetworkNode {
  readonly stack: { getControlLayerNode(): ControlLayerNode; stop(): Promise<void> };
  start(doJoin?: boolean): Promise<void>;
  broadcast(msg: StreamMessage): Promise<void>;
  join(streamPartId: string, neighborRequirement?: { minCount: number; timeout: number }): Promise<void>;
  leave(streamPartId: string): Promise<void>;
  addMessageListener(listener: (msg: StreamMessage) => void): void;
  removeMessageListener(listener: (msg: StreamMessage) => void): void;
  getNeighbors(streamPartId: string): readonly string[];
  getNodeId(): string;
  getPeerDescriptor(): PeerDescriptor;
  stop(): Promise<void>;
}

export declare function createNetworkNode(options: NetworkOptions): NetworkNode;
export declare function streamPartIdToDataKey(streamPartId: string): string;
