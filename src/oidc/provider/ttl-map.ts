/**
 * A small in-memory map whose entries expire. The dev provider keeps its short-lived grants (pending logins,
 * authorization codes, device codes) here: they are minutes long and losing them on restart only asks the person
 * to log in again. The size cap stops a flood of requests from growing memory without bound.
 */
export class TtlMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  readonly #clock: () => number;
  readonly #maxEntries;
  constructor(clock: () => number, maxEntries = 10_000) {
    this.#clock = clock;
    this.#maxEntries = maxEntries;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.#sweep();
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { value, expiresAt: this.#clock() + ttlMs });
  }

  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.#clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Removes and returns the entry: how single-use codes are consumed. */
  take(key: string): V | undefined {
    const v = this.get(key);
    this.#entries.delete(key);
    return v;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(): void {
    const now = this.#clock();
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
  }
}
