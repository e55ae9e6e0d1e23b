// Chromium benchmark page (see bench.mjs): the SDK's browser build, bundled with the
// documented webpack recipe, plus a side-by-side measurement of the exact crypto calls the
// SDK makes per message (SigningUtil verify/sign, aes-256-ctr decipher/cipher): the original
// @streamr/utils browser build vs the streamr-e2ee stand-in, in the same page.
import { EncryptionKey, EthereumKeyPairIdentity } from '@streamr/sdk';
import * as real from '@streamr/utils';
import * as ours from 'streamr-e2ee/sdk-backend/utils';

async function rate(fn, n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t) / 1000);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench() {
  // 1. The recipe: the SDK's own calls land in the stand-in.
  ours.resetBackendCalls();
  const k = EncryptionKey.generate();
  k.decryptNextGroupKey(k.encryptNextGroupKey(EncryptionKey.generate()));
  await EthereumKeyPairIdentity.generate().createMessageSignature(new Uint8Array([1, 2, 3]));
  const recipe = ours.backendCalls();

  // 2. Per-message crypto, original vs stand-in, interleaved rounds.
  const payload = new Uint8Array(400).map((_, i) => i);
  const results = [];
  for (const keyType of ['ECDSA_SECP256K1_EVM', 'ECDSA_SECP256R1', 'ML_DSA_87']) {
    const n = keyType === 'ML_DSA_87' ? 20 : keyType === 'ECDSA_SECP256K1_EVM' ? 100 : 200;
    const impl = { stock: real.SigningUtil.getInstance(keyType), backend: ours.SigningUtil.getInstance(keyType) };
    const pair = impl.stock.generateKeyPair();
    const sig = await impl.stock.createSignature(payload, pair.privateKey);
    const verify = { stock: [], backend: [] };
    const sign = { stock: [], backend: [] };
    for (let r = 0; r < 5; r++) {
      for (const kind of r % 2 ? ['backend', 'stock'] : ['stock', 'backend']) {
        verify[kind].push(await rate(async () => {
          if (!(await impl[kind].verifySignature(pair.publicKey, payload, sig))) throw new Error('verify failed');
        }, n));
        sign[kind].push(await rate(() => impl[kind].createSignature(payload, pair.privateKey), n));
      }
    }
    for (const [op, m] of [['verifySignature', verify], ['createSignature', sign]]) {
      results.push({ keyType, op, stockPerSec: Math.round(median(m.stock)), backendPerSec: Math.round(median(m.backend)), ratio: +(median(m.backend) / median(m.stock)).toFixed(2) });
    }
  }
  const key = new Uint8Array(32).fill(7);
  const iv = new Uint8Array(16).fill(1);
  const aes = { stock: [], backend: [] };
  for (let r = 0; r < 5; r++) {
    for (const kind of r % 2 ? ['backend', 'stock'] : ['stock', 'backend']) {
      const m = kind === 'stock' ? real : ours;
      aes[kind].push(await rate(() => { const d = m.createDecipheriv('aes-256-ctr', key, iv); d.update(payload); d.final(); }, 2000));
    }
  }
  results.push({ keyType: '-', op: 'aes-256-ctr decipher (400 B)', stockPerSec: Math.round(median(aes.stock)), backendPerSec: Math.round(median(aes.backend)), ratio: +(median(aes.backend) / median(aes.stock)).toFixed(2) });
  return { recipe, results, userAgent: navigator.userAgent };
}

bench().then((r) => { globalThis.__result = r; }, (e) => { globalThis.__result = { error: String(e?.stack ?? e) }; });
