// The page's transports, one per participant as if each were in its own browser (config.json's
// `transport` says which kind):
// - `network`: a StreamrNetworkTransport (streamr-e2ee/streamr-network), a browser node of the
//   local Streamr Network joining through the entry point. It does not deliver a node's own
//   publishes back to it, so the publisher, each subscriber and the wire view need a node of
//   their own. Browser nodes cannot connect to each other (no WebRTC without ICE servers),
//   so they reach each other through the Node node that serves WebSocket on the stream part:
//   the stock SDK client.
// - `relay`: a WebSocketTransport to the development relay, which does not echo a publish to
//   its sender either.
// The network layer is imported only when used, so the relay page does not load it.
import { WebSocketTransport } from 'streamr-e2ee';
import { showError, statusChip } from './dom.js';

/** What the page calls the transport in its texts. */
export function transportWords(config) {
  return config.transport.kind === 'network'
    ? { via: 'the local Streamr Network', carries: 'the Streamr Network nodes carry' }
    : { via: 'the relay', carries: 'the relay carries' };
}

/** `(name) => Promise<Transport>`: a new transport for the participant `name`, with a status chip. */
export function transportFactory(config) {
  return config.transport.kind === 'network' ? (name) => networkNode(config, name) : async (name) => relayConnection(config, name);
}

function relayConnection(config, name) {
  const { relayUrl } = config.transport;
  const chip = statusChip(`relay: ${name}`);
  let wasOpen = false;
  return new WebSocketTransport(relayUrl, {
    onStateChange: (state, info) => {
      chip(state, info?.reason ?? '');
      if (state === 'open') wasOpen = true;
      if (state === 'closed') {
        showError(`relay (${name})`, 'TRANSPORT_ERROR', wasOpen
          ? `connection to ${relayUrl} lost (close code ${info?.code ?? '?'}); reconnecting`
          : `cannot reach the relay at ${relayUrl} (is npm start still running?); retrying`);
      }
    },
  });
}

const CHIP = {
  started: ['connecting', 'connected to the entry point; joining the stream part'],
  joined: ['open', 'joined the stream part'],
  neighborsLost: ['connecting', 'lost every neighbour on the stream part; publishes are held until one comes back'],
  neighborsRegained: ['open', 'neighbours back'],
  rejoining: ['connecting', 'no connection left: joining the network again through the entry point'],
  closed: ['closed', 'node stopped'],
};

async function networkNode(config, name) {
  const chip = statusChip(`network: ${name}`, 'connecting', 'starting a browser node');
  const { StreamrNetworkTransport } = await import(/* webpackChunkName: "streamr-network" */ 'streamr-e2ee/streamr-network');
  try {
    return await StreamrNetworkTransport.start({
      entryPoints: config.transport.entryPoints,
      onStateChange: (state, info) => {
        const [s, words] = CHIP[state] ?? ['connecting', state];
        chip(s, `${words}${info?.neighbors !== undefined ? ` (${info.neighbors} neighbour${info.neighbors === 1 ? '' : 's'})` : ''}`);
        if (state === 'neighborsLost') showError(`network (${name})`, 'TRANSPORT_ERROR', words);
      },
    });
  } catch (e) {
    chip('error', e.message);
    const ep = config.transport.entryPoints[0]?.websocket;
    showError(`network (${name})`, e.code ?? 'NETWORK_UNAVAILABLE', `${e.message} (entry point ws://${ep?.host}:${ep?.port}; is npm start still running?)`);
    throw e;
  }
}
