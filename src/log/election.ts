import pg from 'pg';
import { SignetError } from '../errors.js';
import {
  DuplicateEntryError,
  Sequencer,
  type EntryToLog,
  type SequencerFrontend,
  type SequencerOptions,
} from './sequencer.js';
import type { PostgresLogStore } from './storage/postgres.js';
import type { LogStore, StoredEntry, TreeHead } from './storage/store.js';

export interface ElectionOptions {
  /** How often to try for the sequencer role, pump pending rows and poll outcomes (default 250 ms). */
  tickMs?: number;
  /** How long a frontend waits for its entry to be sequenced before withdrawing it and answering 503 (default 10 s). */
  waitTimeoutMs?: number;
  /** Called when this process becomes or stops being the sequencer. */
  onRole?: (role: 'sequencer' | 'frontend') => void;
}

/** Advisory-lock class id for the sequencer role; the object id is hashtext(schema). */
const SEQUENCER_LOCK = 0x5167_6e66;

interface Waiter {
  leafHash: Buffer;
  resolve(v: { entry: StoredEntry; head: TreeHead }): void;
  reject(e: unknown): void;
}

/**
 * Several `signet log serve` processes on one PostgreSQL database. Every process is a frontend: it admits entries,
 * inserts them into `pending` (unique leaf hash while waiting) and waits for the outcome (LISTEN/NOTIFY with a
 * polling fallback). One process at a time also holds the sequencer role: a session advisory lock on a dedicated
 * connection, and every batch commits over that same connection, so a sequencer that lost its connection (and so
 * its lock) cannot write. When the holder dies, PostgreSQL drops its session and lock and the next tick of another
 * process takes over, reloading the right edge from the committed tree; unsequenced rows wait for it.
 */
export function postgresFrontend(store: PostgresLogStore, options: ElectionOptions = {}) {
  return async (o: SequencerOptions): Promise<SequencerFrontend> => {
    store.setRequirePending(true);
    const f = new PostgresFrontend(store, o, options);
    await f.start();
    return f;
  };
}

class PostgresFrontend implements SequencerFrontend {
  readonly #store: PostgresLogStore;
  readonly #o: SequencerOptions;
  readonly #tickMs: number;
  readonly #waitMs: number;
  readonly #onRole: (role: 'sequencer' | 'frontend') => void;
  #head: TreeHead | undefined;
  readonly #waiters = new Map<string, Waiter>();
  #listener: pg.Client | undefined;
  #lock: pg.Client | undefined;
  #leader: Sequencer | undefined;
  readonly #inflight = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #again = false;
  #closed = false;
  #lastSweep = 0;

  constructor(store: PostgresLogStore, o: SequencerOptions, options: ElectionOptions) {
    this.#store = store;
    this.#o = o;
    this.#tickMs = options.tickMs ?? 250;
    this.#waitMs = options.waitTimeoutMs ?? 10_000;
    this.#onRole = options.onRole ?? (() => undefined);
  }

  async start(): Promise<void> {
    await this.#tryLead();
    const deadline = Date.now() + 30_000;
    // A frontend started before any sequencer ever signed a head waits for the first one.
    while (!(this.#head = await this.#store.head())) {
      if (Date.now() > deadline) throw new SignetError('pushback', 'no sequencer has initialised this log yet');
      await new Promise((r) => setTimeout(r, this.#tickMs));
      await this.#tryLead();
    }
    await this.#listen().catch(() => undefined);
    this.#timer = setInterval(() => this.#kick(), this.#tickMs);
    this.#timer.unref();
  }

  head(): TreeHead {
    return this.#head!;
  }

  isSequencer(): boolean {
    return this.#leader !== undefined;
  }

  async sequencerKnown(): Promise<boolean> {
    return this.#leader !== undefined || (await this.#store.lockHeld(SEQUENCER_LOCK));
  }

  async add(entry: EntryToLog, leafHash: Buffer): Promise<{ entry: StoredEntry; head: TreeHead }> {
    const existing = (await this.#store.indexesByLeafHash([leafHash])).get(leafHash.toString('hex'));
    if (existing !== undefined) throw new DuplicateEntryError(leafHash, existing);
    const id = await this.#store.enqueue({ leafHash, ...entry });
    // Another frontend is waiting with the same entry: this request is the duplicate.
    if (id === undefined) throw new DuplicateEntryError(leafHash, -1);
    const result = new Promise<{ entry: StoredEntry; head: TreeHead }>((resolve, reject) => {
      this.#waiters.set(id, { leafHash, resolve, reject });
    });
    const timer = setTimeout(() => void this.#giveUp(id), this.#waitMs);
    this.#kick();
    return result.finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    // Wait for our own waiters (bounded by their timeouts) so acknowledged writes are answered.
    while (this.#waiters.size > 0) {
      await new Promise((r) => setTimeout(r, 20));
      await this.#settle().catch(() => undefined);
      if (this.#leader) await this.#pump().catch(() => undefined);
    }
    await this.#leader?.close();
    await this.#listener?.end().catch(() => undefined);
    await this.#lock?.end().catch(() => undefined);
  }

  /** Withdraws a row nobody sequenced in time (503); if the sequencer got there first, its outcome stands. */
  async #giveUp(id: string): Promise<void> {
    const w = this.#waiters.get(id);
    if (!w) return;
    try {
      if (await this.#store.withdraw(id)) {
        this.#waiters.delete(id);
        w.reject(
          new SignetError('pushback', 'the log sequencer is unavailable; retry shortly', {
            detail: { retryAfter: '2' },
          }),
        );
      } else this.#kick();
    } catch {
      // Database gone: we cannot know whether it was sequenced; keep waiting and retry the withdrawal.
      setTimeout(() => void this.#giveUp(id), 1000).unref();
    }
  }

  #kick(): void {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    void (async () => {
      do {
        this.#again = false;
        try {
          if (!this.#closed) await this.#tryLead();
          if (this.#leader) await this.#pump();
          await this.#settle();
        } catch {
          // The database is unreachable: requests fail fast elsewhere; this loop retries on the next tick.
        }
      } while (this.#again);
      this.#busy = false;
    })();
  }

  async #tryLead(): Promise<void> {
    if (this.#leader || this.#closed) return;
    if (!this.#lock) {
      const c = new pg.Client(this.#store.target.config);
      c.on('error', () => this.#demote());
      c.on('end', () => this.#demote());
      await c.connect().catch((e: unknown) => {
        void c.end().catch(() => undefined);
        throw e;
      });
      this.#lock = c;
    }
    const { rows } = await this.#lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
      SEQUENCER_LOCK,
      this.#store.target.schema,
    ]);
    if (!rows[0]?.ok) return;
    const lock = this.#lock;
    this.#leader = await Sequencer.open({ ...this.#o, frontend: undefined, store: leaderStore(this.#store, lock) });
    this.#head = this.#leader.head();
    this.#onRole('sequencer');
  }

  #demote(): void {
    const leader = this.#leader;
    this.#lock = undefined;
    this.#inflight.clear();
    if (!leader) return;
    this.#leader = undefined;
    this.#onRole('frontend');
    void leader.close().catch(() => undefined);
  }

  /** Feeds waiting rows to the local sequencer; its batch commit marks them sequenced atomically. */
  async #pump(): Promise<void> {
    const leader = this.#leader!;
    const rows = await this.#store.unsequenced(4096);
    for (const r of rows) {
      if (this.#inflight.has(r.id)) continue;
      this.#inflight.add(r.id);
      leader
        .add({ body: r.body, indexKeys: r.indexKeys, attestation: r.attestation })
        .then(
          () => this.#kick(),
          async (e: unknown) => {
            if (e instanceof DuplicateEntryError)
              await this.#store.markDuplicate(r.id, e.logIndex).catch(() => undefined);
          },
        )
        .finally(() => this.#inflight.delete(r.id));
    }
    if (Date.now() - this.#lastSweep > 30_000) {
      this.#lastSweep = Date.now();
      await this.#store.sweepSettled(120);
    }
  }

  /** Answers waiters whose rows the sequencer has settled. */
  async #settle(): Promise<void> {
    // Outcomes first: the head read after them is at least the one committed with them.
    const outcomes = await this.#store.takeOutcomes([...this.#waiters.keys()]);
    const head = await this.#store.head();
    if (head && head.size >= (this.#head?.size ?? 0)) this.#head = head;
    if (outcomes.size === 0) return;
    const done = [...outcomes].filter(([, o]) => !o.duplicate).map(([, o]) => o.logIndex);
    const entries = await this.#store.entriesByIndex(done);
    for (const [id, o] of outcomes) {
      const w = this.#waiters.get(id)!;
      this.#waiters.delete(id);
      const entry = entries.get(o.logIndex);
      if (o.duplicate) w.reject(new DuplicateEntryError(w.leafHash, o.logIndex));
      else if (!entry || this.#head!.size <= o.logIndex)
        w.reject(new SignetError('internal', 'sequenced entry missing'));
      else w.resolve({ entry, head: this.#head! });
    }
  }

  async #listen(): Promise<void> {
    const c = new pg.Client(this.#store.target.config);
    c.on('error', () => {
      if (this.#listener === c) this.#listener = undefined;
    });
    c.on('notification', () => this.#kick());
    await c.connect();
    await c.query('LISTEN signet_log_sequenced');
    await c.query('LISTEN signet_log_pending');
    this.#listener = c;
  }
}

/** The store as the sequencer sees it: batches commit over the connection that holds the sequencer lock. */
function leaderStore(s: PostgresLogStore, lock: pg.Client): LogStore {
  return {
    init: (m) => s.init(m),
    head: () => s.head(),
    appendBatch: (b) => s.appendBatchOn(lock, b),
    setHead: (h) => s.setHead(h),
    entriesByIndex: (i) => s.entriesByIndex(i),
    indexesByLeafHash: (h) => s.indexesByLeafHash(h),
    nodes: (ids) => s.nodes(ids),
    searchIndex: (k) => s.searchIndex(k),
    ping: () => s.ping(),
    close: async () => undefined,
  };
}
