/**
 * `streamr-e2ee/streamr-network`: the Streamr Network transport (docs/streamr-network.md).
 * A separate entry so that `streamr-e2ee` alone never pulls `@streamr/trackerless-network`
 * (an optional peer dependency) into a bundle.
 */
export { StreamrNetworkTransport } from './transport.js';
export { startEntryPoint } from './entry-point.js';
export type { EntryPointOptions, RunningEntryPoint } from './entry-point.js';
export type { EntryPoint, IceServer, NetworkTransportState, StreamrNetworkTransportOptions } from './options.js';
