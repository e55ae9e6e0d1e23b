// Error codes (docs/errors.md) in plain words for the panels. The code is always shown too.
const WORDS = {
  PERMISSION_DENIED: 'Refused: the chain says this account lacks the permission (SUBSCRIBE to receive keys, PUBLISH to publish).',
  PERMISSION_CHECK_FAILED: 'The permission check on the chain could not be made (RPC unreachable or refused); treated as "no".',
  KEY_REQUEST_TIMEOUT: 'No key arrived in time: the publisher did not hand out the key (was this subscriber revoked?). These messages stay unreadable.',
  INVALID_SIGNATURE: 'A message with a forged or broken signature was dropped.',
  DECRYPT_ERROR: 'A message could not be decrypted.',
  MESSAGE_GAP: 'A message of the publisher\'s chain never arrived; delivery went on without it.',
  MALFORMED_MESSAGE: 'Bytes that are not a valid StreamMessage were dropped.',
  MESSAGE_TOO_LARGE: 'A message over the size limit was dropped.',
  RATE_LIMITED: 'Too many key requests from one subscriber: this one was refused.',
  OVERLOADED: 'Too much pending work: the request was refused.',
  STALE_REQUEST: 'An old (replayed) key request was refused.',
  SIGNER_ERROR: 'The wallet did not sign (refused or failed): nothing was sent.',
  STREAM_NOT_FOUND: 'The stream does not exist in the registry.',
  INVALID_ARGUMENT: 'The demo passed a bad argument to the package (a bug: please report it).',
  INVALID_MESSAGE_CONTENT: 'The decrypted content is not valid JSON.',
  ENCRYPTION_POLICY_VIOLATION: 'The request does not meet the encryption policy.',
  ANSWER_FAILED: 'A question of the core (chain call or wallet signature) failed.',
  TRANSPORT_ERROR: 'The connection to the network (or the relay) failed or was lost.',
  TRANSPORT_QUEUE_FULL: 'The network is unreachable and the send buffer is full: the message was not published.',
  NETWORK_UNAVAILABLE: 'No entry point of the Streamr Network answered, or the stream could not be joined.',
  SDK_ERROR: 'The stock @streamr/sdk client reported an error.',
  RPC_ERROR: 'The chain RPC could not be reached or answered wrongly; permission checks count as "no" until it answers.',
  CLOSED: 'This participant was stopped.',
  TX_FAILED: 'The transaction failed.',
  TRANSACTION_FAILED: 'The wallet\'s transaction reverted or was not mined in time (is the wallet on the local chain?).',
  SESSION_EXPIRED: 'The session key\'s grant ran out: it signs nothing until you renew.',
  WALLET_ERROR: 'The wallet failed to sign, or signed with another account.',
  WALLET_REJECTED: 'You rejected the request in the wallet: nothing was sent.',
  WALLET_ACCOUNT_CHANGED: 'The wallet switched to another account: reconnect to sign as it.',
  CONFIG_ERROR: 'The demo could not load its config.',
};

export function inWords(code, message) {
  const words = WORDS[code];
  return words ? `${words} (${message})` : message;
}
