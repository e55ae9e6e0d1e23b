// The shared suites (suite.mjs, scenarios.mjs) against the built package, imported by name as
// a user would: `streamr-e2ee` resolves through pkg/package.json's exports map to the Node
// build. The host's RSA for the external key exchange is Node's crypto (OpenSSL).
import { test } from 'node:test';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import * as lib from 'streamr-e2ee';
import { cases } from './suite.mjs';
import { scenarioCases } from './scenarios.mjs';
import { vectors } from './vectors.mjs';

/** RSA-OAEP with SHA-1 in Node: the SPKI PEM as Node writes it (64 columns). */
const rsaHost = {
  name: 'Node crypto.privateDecrypt, 64-column PEM',
  async generate(bits) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    return {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
      decrypt: async (data) => new Uint8Array(privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, data)),
    };
  },
};

for (const { name, fn } of cases(lib, vectors)) test(name, fn);
for (const { name, fn } of scenarioCases(lib, { rsaHost })) test(name, fn);
