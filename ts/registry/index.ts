/** The registry port over JSON-RPC `eth_call`. */
export * from './jsonrpc.js';
