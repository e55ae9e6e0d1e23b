// The shared suite (suite.mjs) against the built package, imported by name as a user would:
// `streamr-e2ee` resolves through pkg/package.json's exports map to the Node build.
import { test } from 'node:test';
import * as lib from 'streamr-e2ee';
import { cases } from './suite.mjs';
import { vectors } from './vectors.mjs';

for (const { name, fn } of cases(lib, vectors)) test(name, fn);
