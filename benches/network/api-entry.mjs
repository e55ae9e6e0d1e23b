// Bundle-cost entry (b): our publisher and subscriber (the JS; the .wasm is a separate asset).
import { createPublisher, createSubscriber } from 'streamr-e2ee';

globalThis.__bench = { createPublisher, createSubscriber };
