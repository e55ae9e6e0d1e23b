/**
 * What the publisher and subscriber handles share: turning ports into the core's signer,
 * answering the core's questions through the ports, and small conversions. No protocol rule
 * lives here: the answers are raw `eth_call` outcomes, signatures and unwrapped key bytes.
 */
import { SignatureType, type Answer, type GroupKeyData, type Question, type Signer } from '#wasm';
import { answerWrapGroupKeys } from '../rsa/index.js';
import { answerVerifyP256 } from '../p256/index.js';
import type { KeyStore, RegistryPort, SignerPort } from '../ports.js';
import { createError } from '../errors.js';
import { fromHex } from '../wallet/hex.js';
import { isCoreSignerSource } from '../wallet/signer.js';
import type { ExplicitKey, RemoteKeyPair } from './types.js';

/** The `signer` argument of the wasm machines: the wasm key itself, or `{ userId, signatureType }`. */
export async function coreSignerFor(signer: SignerPort): Promise<{ core: Signer; userId: string }> {
  const userId = (await signer.getUserId()).toLowerCase();
  if (isCoreSignerSource(signer)) {
    const local = signer.coreSigner();
    if (local !== undefined) return { core: local, userId };
  }
  const type = (SignatureType as unknown as Record<string, SignatureType | undefined>)[signer.signatureType];
  if (type === undefined) throw createError('UNSUPPORTED_SIGNATURE_TYPE', `unknown signature type ${signer.signatureType}`);
  return { core: { userId, signatureType: type }, userId };
}

/** Lets a signer whose key can lapse pause it before the core gets an input (see `CoreSignerSource`). */
export function beforeCoreInput(signer: SignerPort): void {
  if (isCoreSignerSource(signer)) signer.beforeCoreInput?.();
}

/** The ports a question may need. */
export interface Answerers {
  signer: SignerPort;
  registry: RegistryPort;
  remoteKeyPair?: RemoteKeyPair | undefined;
  /** Where `loadKey` reads: only keys bound to the question's stream are returned. */
  keyStore?: KeyStore | undefined;
  /**
   * The app's `options.keys` (stream id → key), read for `loadKey` before the key store: the
   * key given for the question's stream, if its id is the one asked for. Subscribers only.
   */
  explicitKeys?: Record<string, ExplicitKey> | undefined;
  /** Refuses to sign (the account was switched away from); checked before every signature. */
  assertMaySign(): void;
}

/**
 * Answers `question` through the ports. Resolves the answer, or `failed` with the error that
 * caused it (for the handle to report); the core then fails closed.
 */
export async function answerQuestion(question: Question, ports: Answerers): Promise<{ answer: Answer; error?: Error }> {
  try {
    switch (question.type) {
      case 'sign': {
        ports.assertMaySign();
        const signature = await ports.signer.sign(question.payload);
        ports.assertMaySign();
        return { answer: { type: 'signature', signature } };
      }
      case 'registryCall':
        return { answer: await ports.registry.call(ports.registry.streamRegistryAddress, question.data) };
      case 'contractCall':
        return { answer: await ports.registry.call(question.to, question.data) };
      case 'unwrapGroupKey': {
        if (ports.remoteKeyPair === undefined) throw createError('DECRYPT_ERROR', 'no key pair to unwrap with');
        const kp = ports.remoteKeyPair;
        const bytes = 'unwrapGroupKey' in kp ? await kp.unwrapGroupKey(question.keyId, question.data) : await kp.unwrap(question.data);
        return { answer: { type: 'groupKeyBytes', bytes } };
      }
      case 'verifyP256':
        // A P-256 signature the core checked all but the arithmetic of: the platform's ECDSA.
        return { answer: await answerVerifyP256(question) };
      case 'wrapGroupKeys':
        // RSA for a key request the core accepted: the platform's, or the rsa-wasm module.
        return { answer: await answerWrapGroupKeys(question) };
      case 'loadKey': {
        const data = await loadKey(question, ports);
        return { answer: data === undefined ? { type: 'storedKey' } : { type: 'storedKey', data } };
      }
      default:
        // `permission` / `erc1271` are asked only with permissionSource 'host'; the handles use 'registry'.
        throw createError('INVALID_ARGUMENT', `unexpected question ${(question as { type: string }).type}`);
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = (error as { code?: unknown }).code;
    return { answer: { type: 'failed', reason: typeof code === 'string' ? `${code}: ${error.message}` : error.message }, error };
  }
}

/**
 * The `loadKey` answer: the app's key for that stream, else the store's key bound to that
 * stream, else none. The core asks only after its own checks; this decides nothing.
 */
async function loadKey(question: Extract<Question, { type: 'loadKey' }>, ports: Answerers): Promise<Uint8Array | undefined> {
  const given = ports.explicitKeys !== undefined && Object.hasOwn(ports.explicitKeys, question.streamId) ? ports.explicitKeys[question.streamId] : undefined;
  if (given !== undefined && given.id === question.keyId) return explicitKey(given).data;
  return ports.keyStore?.getKey(question.publisherId, question.keyId, question.streamId);
}

/** An app-given key as the core takes it. */
export function explicitKey(k: ExplicitKey): GroupKeyData {
  return { id: k.id, data: typeof k.data === 'string' ? fromHex(k.data, 'key data') : k.data };
}

/** Drops `undefined` fields: the core refuses none, but a config should say only what was set. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
