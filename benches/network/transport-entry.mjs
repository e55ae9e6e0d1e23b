// Bundle-cost entry (a): only the Streamr Network transport (the network layer + our glue).
import { StreamrNetworkTransport } from 'streamr-e2ee/streamr-network';

globalThis.__bench = { StreamrNetworkTransport };
