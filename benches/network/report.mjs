// The "Streamr Network (issue #14)" section of BENCHMARKS.md, from `data.network` (see
// ../network.mjs). The formatters come from ../report.mjs. Prose: ratios and relative
// statements only; the tables carry the measured times.

const pct = (x) => `${Math.round(x * 100)} %`;

function latencyTable(n, { fmtTime, fmtRatio }) {
  const row = (label, c) => `| ${label} | ${fmtTime(c.ours.medianMs)} | ${fmtTime(c.ours.p90Ms)} | ${fmtTime(c.stock.medianMs)} | ${fmtTime(c.stock.p90Ms)} | ${fmtRatio(c.ratioMedian)} | ${fmtRatio(c.ratioP90)} | ${c.ours.samples} + ${c.stock.samples} |`;
  return [
    '| measurement | ours median | ours p90 | stock median | stock p90 | ours / stock, median | ours / stock, p90 | rounds (ours + stock) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('Publish → deliver, key held', n.latency),
    row(`Key-exchange round trip, RSA-${n.config.rsaKeyLength}`, n.keyExchange.RSA),
    row('Key-exchange round trip, ML-KEM-1024', n.keyExchange.ML_KEM),
  ].join('\n');
}

function bundleTable(b, { kb }) {
  const sdk = b.sdk.brotli;
  const row = (label, s) => `| ${label} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} | ${(s.brotli / sdk).toFixed(2)}× |`;
  const add = (...xs) => ({ raw: xs.reduce((a, x) => a + x.raw, 0), gzip: xs.reduce((a, x) => a + x.gzip, 0), brotli: xs.reduce((a, x) => a + x.brotli, 0) });
  const t = b.transport;
  const a = b.api;
  const rows = [
    `| bundle | raw | gzip -9 | brotli q${b.brotliQuality ?? 11} | brotli ÷ SDK |`,
    '| --- | ---: | ---: | ---: | ---: |',
    row('(a) `StreamrNetworkTransport` alone: the network layer + our glue, loaded at start', t.initial),
  ];
  if (t.later) rows.push(row('(a) loaded on demand: the `@streamr/config` chunk (only without `entryPoints`)', t.later));
  rows.push(row('(b) `createPublisher` / `createSubscriber`: our JS', a.initial));
  if (a.later) rows.push(row('(b) its JS loaded on demand', a.later));
  if (a.wasm) rows.push(row('(b) its `.wasm` (a separate asset)', a.wasm));
  rows.push(row('**(a) + (b) JS + .wasm at start: our publisher/subscriber on the network**', add(t.initial, a.initial, ...(a.wasm ? [a.wasm] : []))));
  rows.push(row(`(c) the SDK's \`${b.sdk.file.replace('node_modules/', '')}\`, as shipped`, b.sdk));
  return rows.join('\n');
}

/** "RSA: 2 per round (getPermissionsForUserId ×2), at their median together N % of our median". */
function ethCallNote(x) {
  const e = x.oursEthCalls;
  const names = Object.entries(e.calls).map(([f, c]) => `\`${f}\` ×${+(c / (e.samples / e.perRound)).toFixed(1)}`).join(', ');
  return `${x.k === 'RSA' ? 'RSA' : 'ML-KEM'}: ${names} per round, at their median together ${pct((e.perRound * e.medianMs) / x.ours.medianMs)} of our median round trip`;
}

/** The section (markdown), or a line saying it was not measured. */
export function renderNetwork(n, fmt) {
  if (!n) return '## Streamr Network (issue #14)\n\nnot measured in this run (`node benches/run.mjs --only=network --merge`)\n';
  const ethCalls = ['RSA', 'ML_KEM'].map((k) => ({ k, ...n.keyExchange[k] })).filter((x) => x.oursEthCalls?.samples);
  const errors = Object.entries(n.errors).filter(([, e]) => e.length);
  return `## Streamr Network (issue #14)

Our publisher and subscriber (\`createPublisher\` → \`createSubscriber\`, each on its own
\`StreamrNetworkTransport\`, \`LocalSigner\`s with PUBLISH / SUBSCRIBE on chain) against a stock
\`@streamr/sdk\` 103.3.2 pair (publisher client → subscriber client), in Node, on one local Streamr
network (anvil with the real StreamRegistryV5, one entry point: \`tests/network/localnet.mjs\`), in one
process with one clock. Each pair has its own stream. Rounds alternate between the pairs (ours, stock,
stock, ours, …), so machine load hits both alike. **ours / stock** = our figure ÷ the stock pair's: below
1 we are faster. The ratios are from one run on a shared machine
(\`node benches/run.mjs --only=network --merge\` measures this section again).

${latencyTable(n, fmt)}

- **Publish → deliver**: from just before \`publish()\` to the subscriber's callback, with the key already
  held (steady state); small JSON messages, one every ${n.config.spacingMs} ms so it is latency, not throughput,
  after ${n.config.warmup} warm-up messages per pair.
- **Key-exchange round trip**: the publisher re-keys (ours \`publisher.rekey()\`, stock
  \`client.updateEncryptionKey({ streamId, distributionMethod: 'rekey' })\`: the new key is not sent
  in-band; not timed), then publishes one message. Timed from just before that \`publish()\` to its
  delivery, which needs a key request and response. Every timed message came under a new key (checked);
  our subscriber sent ${['RSA', 'ML_KEM'].map((k) => n.keyExchange[k].oursKeyRequests).join(' and ')} key requests in the ${n.config.keyExchangeRounds} + ${n.config.keyExchangeRounds} rounds (counted).
  A ${n.config.keyExchangeSpacingMs} ms pause follows every timed message, so each publisher re-keys at most twice a second and our
  publisher's per-requester limit (5 key requests/s) is never reached (the run fails if it refuses one).
- **RSA**: both subscribers use ${n.config.rsaKeyLength}-bit keys, so the comparison is fair: the harness's SDK
  clients set \`rsaKeyLength: ${n.config.rsaKeyLength}\` (not the SDK default 4096), and ours has the same
  \`rsaKeyLength\`. Each subscriber makes its key pair once, during the warm-up. The stock subscriber uses
  its default key exchange (RSA, with an ECDSA identity); ours has \`keyExchange: 'RSA'\`. **ML-KEM**: stock
  \`encryption.requireQuantumResistantKeyExchange: true\`, ours \`keyExchange: 'ML_KEM'\`.
- What differs inside a round: our RSA unwrap runs in wasm; the SDK's runs in Node's OpenSSL. After a
  re-key, our publisher asks the chain again (\`eth_call\`s to the local anvil) whether the requester may
  subscribe and whether it may itself still publish, and that time counts in our figure${ethCalls.length ? ` (${ethCalls.map(ethCallNote).join('; ')})` : ''}. The SDK's publisher answers
  from its permission cache (24 h), so a re-key there does not re-check a subscriber it has already checked.
- Loopback guard: ${n.guardBlocked} connections blocked (nothing left 127.0.0.1). Subscription errors: ${errors.length ? errors.map(([k, e]) => `${k}: ${e.join(', ')}`).join('; ') : 'none'}.

### Bundle cost (browser)

Webpack ${n.bundles.webpack} production builds (target web, async WebAssembly${n.bundles.minified === false ? `; **quick run: not minified, brotli q${n.bundles.brotliQuality}**` : ''}), one per entry: (a) imports only
\`StreamrNetworkTransport\` from \`streamr-e2ee/streamr-network\`; (b) imports \`createPublisher\` /
\`createSubscriber\` from \`streamr-e2ee\`. (c) is the SDK's browser bundle as the package ships it
(network layer, crypto and the whole client). The sum row adds two separate builds, so the few modules
both contain count twice.

${bundleTable(n.bundles, fmt)}
`;
}
