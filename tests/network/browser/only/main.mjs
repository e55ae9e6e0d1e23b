// The whole of `streamr-e2ee` and nothing else: the bundle must not contain the network layer.
// The namespace is kept on window so no export is tree-shaken away.
import * as e2ee from 'streamr-e2ee';

window.e2ee = e2ee;
await e2ee.ready(); // the runner calls raw bindings
window.__ready = true;
