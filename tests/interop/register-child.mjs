// Child of the "Node recipe" test, run as
//   node --require streamr-e2ee/sdk-backend/register tests/interop/register-child.mjs
// i.e. exactly as an app would: the real `import('@streamr/sdk')`, no test loader. Publishes
// three messages with the SDK's exported classes and prints their bytes, the group key and the
// backend's call counts as JSON.
const { resetBackendCalls, backendCalls } = await import('streamr-e2ee/sdk-backend/utils');
const sdk = await import('@streamr/sdk');
resetBackendCalls();
const id = sdk.EthereumKeyPairIdentity.generate();
const signer = new sdk.MessageSigner(id);
const key = sdk.EncryptionKey.generate();
const next = sdk.EncryptionKey.generate();
const messages = [];
for (let i = 0; i < 3; i++) {
  const msg = await signer.createSignedMessage({
    messageId: new sdk.MessageID('0x1234567890abcdef1234567890abcdef12345678/interop', 0, Date.now(), i, await id.getUserId(), 'chain'),
    messageType: sdk.StreamMessageType.MESSAGE,
    content: key.encryptNextGroupKey({ id: 'content', data: Buffer.from(JSON.stringify({ i })) }).data,
    contentType: 0,
    encryptionType: 1,
    groupKeyId: key.id,
    newGroupKey: i === 2 ? key.encryptNextGroupKey(next) : undefined,
  }, 1);
  messages.push(Buffer.from(sdk.convertStreamMessageToBytes(msg)).toString('hex'));
}
// What RSA the package loaded (issue #16): none, no RSA exchange happened.
const rsa = (await import('streamr-e2ee')).rsaStats();
process.stdout.write(JSON.stringify({ messages, key: { id: key.id, data: key.data.toString('hex') }, next: next.id, calls: backendCalls(), rsa }) + '\n');
