// Cold start of this build: the package's web build, its .wasm fetched by ready().
import * as lib from 'streamr-e2ee';
import { coldStart } from './page.mjs';

coldStart(lib, lib.ready);
