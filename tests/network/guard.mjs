// Loads the loopback guard (tests/interop/loopback-guard.cjs) before anything opens sockets:
// import this module first.
import { createRequire } from 'node:module';
export const guard = createRequire(import.meta.url)('../interop/loopback-guard.cjs');
