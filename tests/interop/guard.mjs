// Loads the loopback guard (tests/interop/loopback-guard.cjs, from the shared localnet recipe)
// before anything that opens sockets: import this module first.
import { createRequire } from 'node:module';
export const guard = createRequire(import.meta.url)('./loopback-guard.cjs');
