// Cold start of the package from before issue #16 (webpack aliases streamr-e2ee to that copy):
// its bundler build instantiated the .wasm on import, so there is nothing more to wait for.
import * as lib from 'streamr-e2ee';
import { coldStart } from './page.mjs';

coldStart(lib, async () => {});
