// The key-store/worker browser tests; the runner picks the phase with ?phase=.
import { run } from './harness.mjs';
import { writePhase, persistedPhase } from './keystore-phases.mjs';
import { sealWritePhase, sealPersistedPhase } from './seal-phases.mjs';
import { sessionWritePhase, sessionPersistedPhase } from './session-phases.mjs';
import { workerPhase } from './worker-phases.mjs';
import { rsaLazyPhase } from './rsa-phases.mjs';
import { p256LazyPhase } from './p256-phases.mjs';

const phase = new URLSearchParams(location.search).get('phase') ?? 'write';
const phases = {
  write: () => { writePhase(); sealWritePhase(); sessionWritePhase(); },
  reload: () => { persistedPhase(); sealPersistedPhase(); sessionPersistedPhase(); },
  restart: () => { persistedPhase(); sealPersistedPhase(); sessionPersistedPhase(); },
  worker: workerPhase,
  // RSA, then P-256 (issue #16): each first loaded by its own exchange in this fresh document.
  rsa: () => { rsaLazyPhase('webpack'); p256LazyPhase('webpack'); },
};
if (!(phase in phases)) throw new Error(`unknown phase ${phase}`);
phases[phase]();
run(phase);
