/** Ids the tabs use: a handle's address on a channel, and a handle's message chain. */

/** A random id for a handle, to address messages on a shared channel. */
export function handleId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A message chain id of the SDK's form (20 alphanumerics; `strictFormats` accepts no other). */
export function chainId(): string {
  let out = '';
  const b = new Uint8Array(1);
  while (out.length < 20) {
    crypto.getRandomValues(b);
    if (b[0]! < 248) out += ALPHANUMERIC[b[0]! % 62]; // 248 = 4 × 62: no bias
  }
  return out;
}
