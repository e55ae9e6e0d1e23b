/**
 * The high-level API: `createPublisher`, `createSubscriber`, and the ports' implementations
 * (WebSocket transport, wallet and local signers, JSON-RPC registry), plus shim errors.
 */
export * from './types.js';
export { createPublisher } from './publisher.js';
export { createSubscriber } from './subscriber.js';
export { Emitter } from './emitter.js';
export * from '../errors.js';
export * from '../transport/index.js';
export * from '../wallet/index.js';
export * from '../registry/index.js';
