/**
 * `FileCustodianStore`: what a key custodian keeps across restarts, in one JSON file (Node).
 * Every secret in it is sealed with AES-256-GCM (wasm `SealingKey`) under a 32-byte key the
 * operator supplies (`STREAMR_E2EE_CUSTODIAN_SECRET`, or a file: see docs/custodian.md), each
 * bound to its place as associated data, so a value moved to another entry, or a key rebound to
 * another stream, does not open. Held: the custodian's ML-KEM key pair, the identities handed to
 * it (already sealed to that key pair), and the group keys with the streams they are bound to.
 * As a `KeyStore`: `getKey` only for a bound stream, add-only unless `replace`.
 */
import { SealingKey } from '#wasm';
import type { KeyStore, PutKeyOptions } from '../ports.js';
import { sameBytes } from '../bytes.js';
import { fromHex } from '../wallet/hex.js';
import { keyStoreError } from '../keystore/errors.js';
import { checkId, checkKey } from '../keystore/args.js';
import { normalizeUserId } from '../keystore/ids.js';

const CHECK = new TextEncoder().encode('streamr-e2ee custodian store v1');
const utf8 = (s: string) => new TextEncoder().encode(`streamr-e2ee custodian store v1\n${s}`);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

interface FileV1 {
  v: 1;
  check: string;
  kem?: string;
  identities: string[];
  /** `<publisherId>::<keyId>` → the sealed key and the streams it is bound to. */
  keys: Record<string, { data: string; streams: string[] }>;
  /** `<publisherId>::<streamId>` → key id. */
  latest: Record<string, string>;
}

/** {@link FileCustodianStore.open} options. */
export interface FileCustodianStoreOptions {
  /** The file (created if missing; written atomically, mode 0600). */
  path: string;
  /** The 32-byte sealing key (e.g. from {@link custodianSecretFromHex}). */
  secret: Uint8Array;
}

/** A 32-byte sealing key from 64 hex digits (optionally `0x`-prefixed, surrounding whitespace ignored). */
export function custodianSecretFromHex(text: string): Uint8Array {
  const key = fromHex(text.trim(), 'custodian secret');
  if (key.length !== 32) throw keyStoreError('INVALID_KEY', 'the custodian secret must be 32 bytes (64 hex digits)');
  return key;
}

export class FileCustodianStore implements KeyStore {
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly sealing: SealingKey,
    private readonly file: FileV1,
  ) {}

  /**
   * Opens (or creates) the store at `path`. `KEY_STORE_LOCKED` if the file was sealed with
   * another secret, `KEY_STORE_UNAVAILABLE` if it cannot be read or parsed.
   */
  static async open(options: FileCustodianStoreOptions): Promise<FileCustodianStore> {
    const fs = await import('node:fs/promises');
    const sealing = SealingKey.fromBytes(options.secret);
    let text: string | undefined;
    try {
      text = await fs.readFile(options.path, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw keyStoreError('KEY_STORE_UNAVAILABLE', `cannot read ${options.path}`, e);
    }
    if (text === undefined) {
      const file: FileV1 = { v: 1, check: hex(sealing.seal(CHECK, utf8('check'))), identities: [], keys: {}, latest: {} };
      const store = new FileCustodianStore(options.path, sealing, file);
      await store.persist();
      return store;
    }
    let file: FileV1;
    try {
      file = JSON.parse(text) as FileV1;
      if (file.v !== 1 || typeof file.check !== 'string' || !Array.isArray(file.identities)) throw new Error('not a custodian store');
      file.keys ??= {};
      file.latest ??= {};
    } catch (e) {
      sealing.free();
      throw keyStoreError('KEY_STORE_UNAVAILABLE', `${options.path} is not a custodian store`, e);
    }
    try {
      sealing.open(fromHex(file.check), utf8('check'));
    } catch {
      sealing.free();
      throw keyStoreError('KEY_STORE_LOCKED', `${options.path} was sealed with another secret`);
    }
    return new FileCustodianStore(options.path, sealing, file);
  }

  /** The custodian's ML-KEM expanded secret key, if one was saved. */
  loadKemSecret(): Uint8Array | undefined {
    return this.file.kem === undefined ? undefined : this.open(this.file.kem, 'kem');
  }

  async saveKemSecret(secret: Uint8Array): Promise<void> {
    this.file.kem = hex(this.sealing.seal(secret, utf8('kem')));
    await this.persist();
  }

  /** The sealed identities handed to the custodian, oldest first. */
  identities(): Uint8Array[] {
    return this.file.identities.map((s) => this.open(s, 'identity'));
  }

  async addIdentity(blob: Uint8Array): Promise<void> {
    if (this.identities().some((b) => sameBytes(b, blob))) return;
    this.file.identities.push(hex(this.sealing.seal(blob, utf8('identity'))));
    await this.persist();
  }

  async getKey(publisherId: string, keyId: string, streamId: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    checkId(streamId, 'streamId');
    const lookup = `${normalizeUserId(publisherId, 'publisherId')}::${keyId}`;
    const entry = this.file.keys[lookup];
    if (entry === undefined || !entry.streams.includes(streamId)) return undefined;
    return this.open(entry.data, keyAad(lookup, entry.streams));
  }

  async putKey(publisherId: string, keyId: string, key: Uint8Array, streamId: string, options: PutKeyOptions = {}): Promise<void> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    checkKey(key);
    checkId(streamId, 'streamId');
    const lookup = `${normalizeUserId(publisherId, 'publisherId')}::${keyId}`;
    const entry = this.file.keys[lookup];
    let streams = [streamId];
    if (entry !== undefined && options.replace !== true) {
      const stored = this.open(entry.data, keyAad(lookup, entry.streams));
      const same = sameBytes(stored, key);
      stored.fill(0);
      if (!same || entry.streams.includes(streamId)) return; // add-only
      streams = [...entry.streams, streamId];
    }
    this.file.keys[lookup] = { data: hex(this.sealing.seal(key, utf8(keyAad(lookup, streams)))), streams };
    await this.persist();
  }

  async getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined> {
    this.checkOpen();
    return this.file.latest[`${normalizeUserId(publisherId, 'publisherId')}::${streamId}`];
  }

  async setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    this.file.latest[`${normalizeUserId(publisherId, 'publisherId')}::${streamId}`] = keyId;
    await this.persist();
  }

  /** Keys held (for tests and the operator). */
  get keyCount(): number {
    return Object.keys(this.file.keys).length;
  }

  /** Waits for pending writes, wipes the sealing key and refuses further use. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    this.sealing.free();
  }

  private open(sealedHex: string, aad: string): Uint8Array {
    try {
      return this.sealing.open(fromHex(sealedHex), utf8(aad));
    } catch (e) {
      throw keyStoreError('DECRYPT_ERROR', `a sealed ${aad.split('\n')[0]} entry of ${this.path} does not open (altered?)`, e);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'the custodian store is closed');
  }

  /** Writes the whole file (small: keys and identities) to a temporary file, then renames it over. */
  private persist(): Promise<void> {
    const text = JSON.stringify(this.file);
    const write = this.writes.then(async () => {
      const fs = await import('node:fs/promises');
      const tmp = `${this.path}.tmp`;
      await fs.writeFile(tmp, text, { mode: 0o600 });
      await fs.rename(tmp, this.path);
    });
    this.writes = write.catch(() => undefined);
    return write.catch((e: unknown) => {
      throw keyStoreError('KEY_STORE_UNAVAILABLE', `cannot write ${this.path}`, e);
    });
  }
}

function keyAad(lookup: string, streams: string[]): string {
  return `key\n${lookup}\n${streams.join('\n')}`;
}
