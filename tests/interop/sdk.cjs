'use strict';
// Loads @streamr/sdk 103.3.2's Node bundle (dist/exports-nodejs.cjs) as a fresh module, its
// source unchanged except for one appended line that exports internal classes the bundle
// inlines (EncryptionUtil, GroupKey, MessageFactory, the key-exchange classes, …), so the
// tests can drive the SDK's own code without a network.
//
//   loadSdk('stock')    the bundle with its real imports
//   loadSdk('backend')  the same bundle whose require('@streamr/utils') and
//                       require('@noble/post-quantum/ml-kem') return the streamr-e2ee stand-ins,
//                       exactly what streamr-e2ee/sdk-backend/register does for the real SDK
//
// Both can live in one process (separate module instances), so stock and backend are compared
// side by side.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const INTERNALS = [
  'EncryptionUtil', 'GroupKey', 'RSAKeyPair', 'MLKEMKeyPair', 'MessageFactory', 'SignatureValidator',
  'ERC1271ContractFacade', 'createSignaturePayload', 'validateStreamMessage', 'decrypt',
  'SubscriberKeyExchange', 'PublisherKeyExchange', 'StreamrClientError',
];

const sdkFile = require.resolve('@streamr/sdk');
const source = fs.readFileSync(sdkFile, 'utf8');
if (!/"version": "103\.3\.2"/.test(fs.readFileSync(path.join(path.dirname(sdkFile), '..', 'package.json'), 'utf8'))) {
  throw new Error('tests/interop expects @streamr/sdk 103.3.2');
}

function loadSdk(kind) {
  const m = new Module(sdkFile, module);
  m.filename = sdkFile;
  m.paths = Module._nodeModulePaths(path.dirname(sdkFile));
  if (kind === 'backend') {
    const standIns = {
      '@streamr/utils': require('streamr-e2ee/sdk-backend/utils'),
      '@noble/post-quantum/ml-kem': require('streamr-e2ee/sdk-backend/ml-kem'),
    };
    m.require = (id) => standIns[id] ?? Module.prototype.require.call(m, id);
  } else if (kind !== 'stock') {
    throw new Error(`loadSdk: unknown kind ${kind}`);
  }
  m._compile(`${source}\nexports.__internals = { ${INTERNALS.join(', ')} };\n`, sdkFile);
  return m.exports;
}

module.exports = { loadSdk };
