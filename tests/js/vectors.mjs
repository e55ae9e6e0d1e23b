// Loads tests/vectors/*.json in Node (the browser entry imports them through webpack).
import { readFileSync } from 'node:fs';

const read = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8'));

export const vectors = {
  aes: read('aes_payload.json'),
  rotation: read('group_key_rotation.json'),
  signatures: read('signatures_secp256k1.json'),
  content: read('content_messages.json'),
  keyExchange: read('key_exchange_messages.json'),
};
