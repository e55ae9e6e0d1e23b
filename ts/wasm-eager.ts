/**
 * `#wasm-eager` in browsers and bundlers (pkg/package.json "imports"; under Node it is the
 * no-op `wasm-init-node.js`, so `require()` of the SDK backend keeps working): instantiates the
 * wasm core with a top-level await. Only the @streamr/sdk backend imports it: the SDK calls its
 * crypto synchronously, so every module that imports the stand-ins must wait for the core, as
 * the bundler build's `.wasm` import made them wait before.
 */
import { ready } from './ready.js';

await ready();
