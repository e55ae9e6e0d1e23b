/** Transports: the relay over WebSocket. */
export * from './websocket.js';
