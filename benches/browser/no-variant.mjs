// Stands in for a wasm build variant that was not built (see run.mjs): the entry skips it.
export const missing = true;
