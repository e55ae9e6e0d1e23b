/** A tiny typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  /** Calls `listener` for every `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (value: never) => void);
    return () => this.off(event, listener);
  }

  /** Removes `listener` from `event`. */
  off<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (value: never) => void);
  }

  /** How many listeners `event` has. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** @internal Calls every listener of `event`; a throwing listener does not stop the others. */
  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (value: Events[K]) => void)(value);
      } catch (e) {
        // A listener's bug must not break the protocol loop; surface it asynchronously.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** @internal */
  clear(): void {
    this.listeners.clear();
  }
}
