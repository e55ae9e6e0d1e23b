/**
 * `#wasm-init` under Node (pkg/package.json "imports"): the `nodejs` build of the core
 * instantiates its `.wasm` synchronously when first imported, so there is nothing to wait for.
 * Elsewhere `#wasm-init` is the `web` build's default export, which fetches and instantiates.
 */
export default async function init(): Promise<void> {}
