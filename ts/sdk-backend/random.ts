/** CSPRNG bytes from WebCrypto (Node ≥ 19 and browsers expose `crypto.getRandomValues`). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
