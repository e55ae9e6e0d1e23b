// The package's TypeScript declarations: consumer code (types/esm.mts, types/cjs.cts) must
// type-check strictly, without skipLibCheck, under nodenext (require(esm), Node >= 20.19) and bundler module resolution.
// Its @ts-expect-error lines make tsc fail if the types become too loose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

for (const config of ['tsconfig.json', 'tsconfig.bundler.json']) {
  test(`consumer code type-checks against the .d.ts (types/${config})`, () => {
    const project = fileURLToPath(new URL(`./types/${config}`, import.meta.url));
    const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  });
}
