// The SharedWorker candidate for multi-tab messaging (docs/multi-tab.md): a hub that passes
// every message from one tab's port to every other tab's port, as a BroadcastChannel does.
const ports = new Set();
onconnect = (e) => {
  const port = e.ports[0];
  ports.add(port);
  port.onmessage = (m) => {
    if (m.data === 'bye') return ports.delete(port);
    for (const p of ports) if (p !== port) p.postMessage(m.data);
  };
  port.start();
};
