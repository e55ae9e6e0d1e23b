'use strict';
/**
 * Node wiring of the streamr-e2ee SDK backend: `node --require streamr-e2ee/sdk-backend/register app.js`
 * (or `NODE_OPTIONS='--require streamr-e2ee/sdk-backend/register'`).
 *
 * @streamr/sdk's Node build is CommonJS (its exports map sends the "node" condition to
 * exports-nodejs.cjs), so its `require('@streamr/utils')` and
 * `require('@noble/post-quantum/ml-kem')` go through Module._resolveFilename; this hook sends
 * those two requests, and only when they come from @streamr/sdk's own dist files, to the
 * stand-ins. Everything else, the stand-ins' own imports of the real packages included,
 * resolves as usual. `module.register` hooks would not see these require() calls on Node 20.
 */
const Module = require('node:module');
const path = require('node:path');

const standIns = {
  '@streamr/utils': path.join(__dirname, 'utils.js'),
  '@noble/post-quantum/ml-kem': path.join(__dirname, 'ml-kem.js'),
};
const sdkFile = /[\\/]@streamr[\\/]sdk[\\/]dist[\\/][^\\/]+$/;

const original = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
  const standIn = standIns[request];
  if (standIn !== undefined && parent && typeof parent.filename === 'string' && sdkFile.test(parent.filename)) {
    return standIn;
  }
  return original.call(this, request, parent, ...rest);
};
