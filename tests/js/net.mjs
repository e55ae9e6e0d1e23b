// An in-memory stream partition for the JS scenario tests (the JS twin of
// tests/suite/net.rs): publishers and subscribers broadcast to each other through the
// package's `Publisher` and `Subscriber`, a permission table answers the registry questions,
// wallets answer `sign` questions, and time is a number. No Node APIs: it runs in Chromium too.

export const STREAM = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/scenarios';
export const T0 = 1_800_000_000_000;

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

export class Node {
  constructor(role, machine, id) {
    this.role = role; // 'pub' | 'sub'
    this.machine = machine;
    this.id = id;
    /** An EvmSigner answering `sign` questions (an external signer's wallet). */
    this.wallet = null;
    /** How many of the next `sign` questions the wallet refuses. */
    this.walletRefusals = 0;
    /** For an external key exchange: `async (data) => Uint8Array`, the host's RSA decryption. */
    this.unwrap = null;
    this.delivered = [];
    this.events = [];
    this.stored = [];
    /**
     * The host's key store, as the shim keeps it: `<publisherId>::<keyId>` → { data, streams }.
     * Answers `loadKey` only for a stream the key is bound to; add-only unless `replace`.
     */
    this.keyStore = new Map();
    this.sent = [];
    this.asked = [];
    /** Every output, in order (for the secrets check). */
    this.outputs = [];
    /** Questions left unanswered while `holdAnswers` is set. */
    this.held = [];
    this.holdAnswers = false;
  }

  /** What was published: each delivered JSON document parsed back (see `Net.publish`). */
  texts() {
    return this.delivered.map((d) => JSON.parse(text.decode(d.content)));
  }

  errorCodes() {
    return this.events.filter((e) => e.type === 'error' || e.type === 'publishFailed').map((e) => e.code);
  }

  denials() {
    return this.events.filter((e) => e.type === 'keyRequestDenied').map((e) => e.code);
  }

  answered() {
    return this.events.filter((e) => e.type === 'keyRequestAnswered').length;
  }

  requestsSent() {
    return this.events.filter((e) => e.type === 'keyRequestSent').length;
  }
}

export class Net {
  constructor(lib) {
    this.lib = lib;
    this.now = T0;
    this.nodes = [];
    this.subscribersAllowed = new Set();
    this.publishersAllowed = new Set();
    /** Registry answers fail (RPC down) for these node indexes. */
    this.registryDown = new Set();
    /** Drops in-flight broadcasts for which this returns true (a lossy network). */
    this.dropIf = null;
    /** Delivers each batch of broadcasts in reverse order while set. */
    this.reorder = false;
    /** Delivers every broadcast twice while set. */
    this.duplicate = false;
    /** Answers `erc1271` questions: `(question) => boolean`, what the contract would say. */
    this.contractAccepts = null;
    this.wire = [];
  }

  #add(node) {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  /** A publisher with a local signer (default: a fresh EvmSigner). */
  addPublisher(config = {}, signer = this.lib.EvmSigner.generate()) {
    const p = new this.lib.Publisher({ streamId: STREAM, ...config }, signer);
    this.publishersAllowed.add(p.userId);
    return this.#add(new Node('pub', p, p.userId));
  }

  /**
   * A publisher whose signatures come from a wallet through `sign` questions; with `contract`,
   * it publishes as that ERC-1271 contract and the wallet is the contract's owner.
   */
  addWalletPublisher(config = {}, contract = null) {
    const wallet = this.lib.EvmSigner.generate();
    const signer = contract
      ? { userId: contract, signatureType: this.lib.SignatureType.ERC_1271 }
      : { userId: wallet.address, signatureType: this.lib.SignatureType.ECDSA_SECP256K1_EVM };
    const p = new this.lib.Publisher({ streamId: STREAM, ...config }, signer);
    this.publishersAllowed.add(p.userId);
    const n = this.#add(new Node('pub', p, p.userId));
    this.nodes[n].wallet = wallet;
    return n;
  }

  /**
   * A subscriber. `keyExchange`: an MlKemKeyPair / RsaKeyPair / `{ encryptionType, publicKey }`
   * (default a fresh ML-KEM pair); `unwrap`: the host decryption for an external one;
   * `signer`: default a fresh EvmSigner; `wallet`: answers `sign` for an external signer.
   */
  addSubscriber({ config = {}, keyExchange, unwrap = null, signer, wallet = null } = {}) {
    let kx = keyExchange ?? this.lib.MlKemKeyPair.generate();
    // An RsaKeyPair is the host's (WebCrypto / node:crypto / rsa-wasm, issue #16): its unwraps are questions.
    if (kx instanceof this.lib.RsaKeyPair) {
      const pair = kx;
      kx = pair.keyExchange;
      unwrap ??= (data) => pair.unwrap(data);
    }
    const s = new this.lib.Subscriber({ streamId: STREAM, ...config }, signer ?? this.lib.EvmSigner.generate(), kx, this.now);
    this.subscribersAllowed.add(s.userId);
    const n = this.#add(new Node('sub', s, s.userId));
    this.nodes[n].unwrap = unwrap;
    this.nodes[n].wallet = wallet;
    return n;
  }

  /** Publishes `content` as a JSON document (the core drops JSON content that does not parse). */
  async publish(n, content) {
    this.nodes[n].machine.publish(utf8.encode(JSON.stringify(content)), this.lib.ContentType.JSON, this.now);
    await this.settle();
  }

  /** Puts raw bytes on the wire as if node `from` had sent them. */
  async inject(from, bytes) {
    this.wire.push([from, bytes]);
    await this.settle();
  }

  async answerFor(n, q) {
    const node = this.nodes[n];
    switch (q.type) {
      case 'permission': {
        if (this.registryDown.has(n)) return { type: 'failed', reason: 'RPC unreachable' };
        if (q.streamId !== STREAM) throw new Error(`permission question for ${q.streamId}`);
        const table = q.permission === 'SUBSCRIBE' ? this.subscribersAllowed
          : q.permission === 'PUBLISH' ? this.publishersAllowed : null;
        if (table === null) throw new Error(`unknown permission ${q.permission}`);
        return { type: 'permission', allowed: table.has(q.userId) };
      }
      case 'sign': {
        if (node.walletRefusals > 0) {
          node.walletRefusals -= 1;
          return { type: 'failed', reason: 'user rejected the request (4001)' };
        }
        if (!node.wallet) throw new Error('sign question without a wallet');
        return { type: 'signature', signature: await node.wallet.sign(q.payload) };
      }
      case 'erc1271': {
        if (!this.contractAccepts) throw new Error('erc1271 question without a contract');
        return { type: 'permission', allowed: this.contractAccepts(q) };
      }
      case 'unwrapGroupKey': {
        if (!node.unwrap) throw new Error('unwrapGroupKey question without a host key');
        try {
          return { type: 'groupKeyBytes', bytes: await node.unwrap(q.data, q) };
        } catch (e) {
          return { type: 'failed', reason: String(e) };
        }
      }
      case 'verifyP256':
        // P-256 is the platform's (issue #16): the package's WebCrypto / node:crypto verification.
        node.p256Checks = (node.p256Checks ?? 0) + 1;
        return this.lib.answerVerifyP256(q);
      case 'wrapGroupKeys':
        // The publisher's RSA: the package's platform RSA (or its rsa-wasm module).
        return this.lib.answerWrapGroupKeys(q);
      case 'loadKey': {
        const entry = node.keyStore.get(`${q.publisherId}::${q.keyId}`);
        return entry !== undefined && entry.streams.includes(q.streamId) ? { type: 'storedKey', data: entry.data.slice() } : { type: 'storedKey' };
      }
      default:
        throw new Error(`unexpected question ${JSON.stringify(q.type)}`);
    }
  }

  async giveAnswer(n, id, answer) {
    this.nodes[n].machine.answer(id, answer, this.now);
  }

  /** Answers the questions node `n` held back, in order. */
  async releaseAnswers(n) {
    const node = this.nodes[n];
    node.holdAnswers = false;
    const held = node.held.splice(0);
    for (const { id, question } of held) await this.giveAnswer(n, id, await this.answerFor(n, question));
    await this.settle();
  }

  async drain(n) {
    const node = this.nodes[n];
    let any = false;
    for (;;) {
      const outs = node.machine.pollOutputs();
      if (outs.length === 0) return any;
      any = true;
      for (const out of outs) {
        node.outputs.push(out);
        switch (out.type) {
          case 'send':
            node.sent.push(out.bytes);
            this.wire.push([n, out.bytes]);
            break;
          case 'ask':
            node.asked.push(out.question);
            if (node.holdAnswers) node.held.push(out);
            else await this.giveAnswer(n, out.id, await this.answerFor(n, out.question));
            break;
          case 'deliver':
            node.delivered.push(out);
            break;
          case 'event':
            node.events.push(out.event);
            break;
          case 'storeKey': {
            const { publisherId, streamId, latest, replace } = out;
            node.stored.push({ publisherId, keyId: out.key.id, streamId, latest });
            const slot = `${publisherId}::${out.key.id}`;
            const data = out.key.data;
            const entry = node.keyStore.get(slot);
            if (entry === undefined || replace) node.keyStore.set(slot, { data, streams: [streamId] });
            else if (entry.data.every((b, i) => b === data[i]) && !entry.streams.includes(streamId)) entry.streams.push(streamId);
            break;
          }
          default:
            throw new Error(`unknown output ${JSON.stringify(out.type)}`);
        }
      }
    }
  }

  /** Runs until no node has output and nothing is on the wire. */
  async settle() {
    for (let round = 0; round < 10_000; round++) {
      let any = false;
      for (let n = 0; n < this.nodes.length; n++) any = (await this.drain(n)) || any;
      const batch = this.wire.splice(0);
      if (batch.length === 0 && !any) return;
      if (this.reorder) batch.reverse();
      for (const [from, bytes] of batch) {
        if (this.dropIf && this.dropIf(bytes)) continue;
        for (let copy = 0; copy < (this.duplicate ? 2 : 1); copy++) {
          this.nodes.forEach((node, n) => {
            if (n !== from) node.machine.handleMessage(bytes, this.now);
          });
        }
      }
    }
    throw new Error('network did not settle');
  }

  /** Moves time forward to `now + ms`, firing every subscriber timer on the way. */
  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next;
      for (const node of this.nodes) {
        if (node.role !== 'sub') continue;
        const t = node.machine.pollTimeout();
        if (t !== undefined && t <= end && (next === undefined || t < next)) next = t;
      }
      this.now = Math.max(next ?? end, this.now);
      for (const node of this.nodes) if (node.role === 'sub') node.machine.handleTimeout(this.now);
      await this.settle();
      if (next === undefined) break;
    }
    this.now = end;
  }
}

/** The kind of a StreamMessage's body ('MESSAGE', 'GROUP_KEY_REQUEST', 'GROUP_KEY_RESPONSE'). */
export function messageType(lib, bytes) {
  return lib.StreamMessage.fromBytes(bytes).messageType;
}

/** How often each key id was requested (from what the nodes sent). */
export function requestCounts(lib, net) {
  const counts = new Map();
  for (const node of net.nodes) {
    for (const bytes of node.sent) {
      const r = lib.StreamMessage.fromBytes(bytes).groupKeyRequest;
      if (r) for (const id of r.groupKeyIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}
