// The few Node built-ins the custodian uses (the shim compiles without @types/node).
declare module 'node:fs/promises' {
  export function readFile(path: string, encoding: 'utf8'): Promise<string>;
  export function writeFile(path: string, data: string, options?: { mode?: number }): Promise<void>;
  export function rename(from: string, to: string): Promise<void>;
}
