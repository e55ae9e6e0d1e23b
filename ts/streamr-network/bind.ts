/**
 * `@streamr/dht` 103.3 binds its WebSocket server to `0.0.0.0` whatever host it advertises.
 * When the advertised host is a loopback address, that would still expose the node on every
 * interface; so while a node starts (the only time it listens), a wildcard `listen` is bound
 * to the loopback host instead. Node only: browsers run no server, and there this is a no-op.
 */
interface NetServerProto {
  listen(...args: unknown[]): unknown;
}

function netServerPrototype(): NetServerProto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const net = proc?.getBuiltinModule?.('node:net') as { Server?: { prototype: NetServerProto } } | undefined;
  return net?.Server?.prototype;
}

/** Runs `start` with wildcard listens bound to `host` (a loopback address), then restores `listen`. */
export async function withLoopbackListen<T>(host: string | undefined, start: () => Promise<T>): Promise<T> {
  const proto = host === undefined ? undefined : netServerPrototype();
  if (proto === undefined) return start();
  const original = proto.listen;
  proto.listen = function listen(this: unknown, ...args: unknown[]) {
    // listen(port, host, …) and listen({ port, host }) with a wildcard host.
    if (typeof args[0] === 'number' && (args[1] === '0.0.0.0' || args[1] === '::')) args[1] = host;
    else if (args[0] !== null && typeof args[0] === 'object') {
      const o = args[0] as { host?: string };
      if (o.host === '0.0.0.0' || o.host === '::') args[0] = { ...o, host };
    }
    return original.apply(this, args);
  };
  try {
    return await start();
  } finally {
    proto.listen = original;
  }
}
