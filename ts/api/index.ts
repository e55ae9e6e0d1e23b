/**
 * The high-level API: `createPublisher`, `createSubscriber`, and the ports' implementations
 * (WebSocket transport, wallet and local signers, JSON-RPC registry), plus shim errors.
 */
export * from './types.js';
// Multi-tab coordination wraps the engines (docs/multi-tab.md).
export * from '../tabs/index.js';
export { Emitter } from './emitter.js';
export type { RecoveryWorker } from './verify-pool.js';
export * from '../errors.js';
export * from '../transport/index.js';
export * from '../wallet/index.js';
export * from '../registry/index.js';
