/** PEM text in Node's layout (64-column base64, one final newline), which requests carry. */

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** `der` as PEM with `label`. */
export function toPem(label: 'PUBLIC KEY' | 'PRIVATE KEY', der: Uint8Array): string {
  const lines = base64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
