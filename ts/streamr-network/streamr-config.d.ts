/** `@streamr/config` 5.x: the public network's entry points (type checking only; see trackerless-network.d.ts). */
export declare const config: Record<
  string,
  { entryPoints?: ReadonlyArray<{ nodeId: string; websocket?: { host: string; port: number; tls: boolean } }> }
>;
