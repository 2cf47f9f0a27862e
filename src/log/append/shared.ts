import { inclusionProofNodes, leafHash } from '../../merkle/index.js';
import { SignetError } from '../../errors.js';
import { sequencedEntry, type HandOff, type HandOffEntry, type Lease, type Outcome } from '../storage/hand-off.js';
import type { TreeHead } from '../storage/store.js';
import { proveInclusion, type Appended, type Appender, type AppenderOptions } from './appender.js';
import { DuplicateEntryError, Sequencer, type EntryToLog, type Sequenced } from './sequencer.js';

interface Outgoing {
  entry: HandOffEntry;
  resolve(a: Appended): void;
  reject(e: unknown): void;
}

interface Waiter extends Outgoing {
  timer: NodeJS.Timeout;
  /** Its row is being withdrawn: an outcome collected meanwhile is held until the withdrawal is decided. */
  withdrawing?: boolean;
  held?: { outcome: Outcome; head: TreeHead };
}

interface Leader {
  lease: Lease;
  sequencer: Sequencer;
}

async function openLeader(o: AppenderOptions, lease: Lease): Promise<Leader> {
  try {
    return { lease, sequencer: await Sequencer.open({ ...o, store: lease.store }) };
  } catch (e) {
    await lease.release().catch(() => undefined);
    throw e;
  }
}

/** Most rows per hand-off INSERT and per sequencer read of the queue. */
const ROWS_PER_TRIP = 1024;

/**
 * A store shared by several processes (PostgreSQL). Every process admits entries; one at a time holds the sequencer
 * role (the store's lease: an advisory lock whose session also writes every batch, so a sequencer that lost its
 * session cannot write). The holder sends its own requests straight to its Sequencer (no queue round trips). The
 * others queue theirs in batches (`HandOff.enqueue`, one INSERT for many) and are woken when outcomes are written.
 * When the holder dies its session and lock go with it, and the next tick of another process takes the role,
 * reloading the right edge from the committed tree; queued rows wait for it.
 */
export class SharedAppender implements Appender {
  readonly #o: AppenderOptions;
  readonly #handOff: HandOff;
  readonly #tickMs: number;
  readonly #waitMs: number;
  readonly #maxPending: number;
  readonly #onRole: (role: 'sequencer' | 'frontend') => void;
  #head: TreeHead;
  #leader: Leader | undefined;
  #outbox: Outgoing[] = [];
  readonly #waiters = new Map<string, Waiter>();
  /** Queue rows handed to the local Sequencer and not yet settled. */
  readonly #fed = new Set<string>();
  #duplicates: Array<{ id: string; logIndex: number }> = [];
  readonly #timer: NodeJS.Timeout;
  #closing = false;
  /** The tree size up to which `collect` has brought this process the sequencer's new nodes. */
  #nodesSince: number;
  #lastSweep = Date.now();
  readonly #serial = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();

  private constructor(o: AppenderOptions, handOff: HandOff, head: TreeHead, leader?: Leader) {
    this.#o = o;
    this.#handOff = handOff;
    this.#tickMs = o.handOff?.tickMs ?? 250;
    this.#waitMs = o.handOff?.waitTimeoutMs ?? 10_000;
    this.#maxPending = o.maxPending ?? 8192;
    this.#onRole = o.handOff?.onRole ?? (() => undefined);
    this.#head = head;
    this.#nodesSince = head.size;
    this.#leader = leader;
    if (!leader) o.metrics?.treeHead(head.size, Date.now());
    this.#timer = setInterval(() => this.#tick(), this.#tickMs);
    this.#timer.unref();
  }

  static async open(o: AppenderOptions, handOff: HandOff): Promise<SharedAppender> {
    let head = await o.store.head();
    let lease = await handOff.lease();
    const deadline = Date.now() + 30_000;
    // A frontend started before any sequencer ever signed a head waits for the first one.
    while (!lease && !head) {
      if (Date.now() > deadline) throw new SignetError('pushback', 'no sequencer has initialised this log yet');
      await new Promise((r) => setTimeout(r, o.handOff?.tickMs ?? 250));
      lease = await handOff.lease();
      head = await o.store.head();
    }
    const leader = lease && (await openLeader(o, lease));
    const a = new SharedAppender(o, handOff, leader?.sequencer.head() ?? head!, leader);
    if (leader) a.#follow(leader);
    await handOff
      .listen({ onWaiting: () => a.#run('pump'), onSequenced: () => a.#run('settle') })
      // Without notifications the tick still pumps and settles.
      .catch(() => undefined);
    return a;
  }

  head(): TreeHead {
    return this.#leader?.sequencer.head() ?? this.#head;
  }

  async ready(): Promise<void> {
    await this.#o.store.ping();
    if (!this.#leader && !(await this.#handOff.leaderKnown())) {
      throw new SignetError('pushback', 'no process holds the sequencer role');
    }
  }

  append(entry: EntryToLog): Promise<Appended> {
    if (this.#closing) {
      return Promise.reject(new SignetError('pushback', 'the log is shutting down', { detail: { retryAfter: '5' } }));
    }
    if (this.#outbox.length + this.#waiters.size + (this.#leader?.sequencer.queued ?? 0) >= this.#maxPending) {
      return Promise.reject(
        new SignetError('pushback', 'the log is busy: too many entries waiting', { detail: { retryAfter: '1' } }),
      );
    }
    const leader = this.#leader;
    // Fast path: this process is the sequencer.
    if (leader) return leader.sequencer.add(entry).then((s) => this.#withProof(s));
    return new Promise<Appended>((resolve, reject) => {
      this.#outbox.push({ entry: { ...entry, leafHash: leafHash(entry.body) }, resolve, reject });
      this.#reportDepth();
      if (this.#outbox.length === 1) setImmediate(() => this.#run('flush'));
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#timer);
    // A tick may be taking the sequencer role right now: let it finish, so that role is given back below.
    await this.#serial.get('tick');
    await this.#run('flush');
    // Answer our own waiters so acknowledged writes are not dropped: each is settled, or withdrawn at its timeout
    // (with the database unreachable, answered pushback then), so this ends.
    while (this.#waiters.size > 0) {
      await new Promise((r) => setTimeout(r, 20));
      if (this.#leader) await this.#run('pump');
      await this.#run('settle');
    }
    const leader = this.#leader;
    this.#leader = undefined;
    if (leader) {
      await leader.sequencer.close();
      await this.#flushDuplicates().catch(() => undefined);
      await leader.lease.release().catch(() => undefined);
    }
    await this.#handOff.close();
  }

  async #withProof(s: Sequenced): Promise<Appended> {
    return { entry: s.entry, proof: await proveInclusion(this.#o.cache.read, s.entry.logIndex, s.head) };
  }

  /** Runs one named job at a time; a request while it runs makes it run once more afterwards. */
  #run(job: 'flush' | 'pump' | 'settle' | 'tick'): Promise<void> {
    const running = this.#serial.get(job);
    if (running) {
      this.#again.add(job);
      return running;
    }
    const p = (async () => {
      do {
        this.#again.delete(job);
        try {
          await this.#jobs[job]();
        } catch {
          // The database is unreachable: requests fail by timeout or their own errors; the next tick retries.
          this.#o.metrics?.databaseError();
        }
      } while (this.#again.has(job));
    })().finally(() => this.#serial.delete(job));
    this.#serial.set(job, p);
    return p;
  }

  readonly #jobs = {
    flush: () => this.#flush(),
    pump: () => this.#pump(),
    settle: () => this.#settle(),
    tick: async () => {
      if (!this.#leader && !this.#closing) {
        const lease = await this.#handOff.lease();
        if (lease) await this.#lead(lease);
        else {
          const head = await this.#o.store.head();
          if (head && head.size > this.#head.size) this.#newHead(head);
        }
      }
      if (this.#leader) await this.#run('pump');
      if (this.#waiters.size > 0) await this.#run('settle');
      if (this.#leader && Date.now() - this.#lastSweep > 30_000) {
        this.#lastSweep = Date.now();
        await this.#handOff.sweep(120);
      }
    },
  };

  #tick(): void {
    void this.#run('tick');
  }

  /** Queues the outbox in the store, a round trip per ROWS_PER_TRIP entries. */
  async #flush(): Promise<void> {
    while (this.#outbox.length > 0) {
      const batch = this.#outbox.splice(0, ROWS_PER_TRIP);
      let ids: string[];
      try {
        ids = await this.#handOff.enqueue(batch.map((b) => b.entry));
      } catch (e) {
        this.#o.metrics?.databaseError();
        for (const b of batch) b.reject(e);
        this.#reportDepth();
        continue;
      }
      batch.forEach((b, i) => {
        const id = ids[i]!;
        const timer = setTimeout(() => void this.#giveUp(id), this.#waitMs);
        this.#waiters.set(id, { ...b, timer });
      });
    }
  }

  /** Withdraws a row nobody sequenced in time (503); if the sequencer got there first, its outcome stands. */
  async #giveUp(id: string): Promise<void> {
    const w = this.#waiters.get(id);
    if (!w) return;
    // A row gone from the queue reads as sequenced when its leaf is in the log (perhaps from another frontend's
    // copy): while our own DELETE decides, a collect must not take it for ours.
    w.withdrawing = true;
    try {
      const withdrawn = await this.#handOff.withdraw(id);
      const held = w.held;
      w.withdrawing = false;
      w.held = undefined;
      if (withdrawn) {
        // Whatever a collect read meanwhile was another copy's entry: this row was never sequenced.
        this.#waiters.delete(id);
        this.#reportDepth();
        w.reject(
          new SignetError('pushback', 'the log sequencer is unavailable; retry shortly', {
            detail: { retryAfter: '2' },
          }),
        );
      } else if (held) {
        this.#waiters.delete(id);
        this.#reportDepth();
        await this.#answer([[w, held.outcome]], held.head);
      } else void this.#run('settle');
    } catch {
      w.withdrawing = false;
      w.held = undefined;
      this.#o.metrics?.databaseError();
      if (this.#closing) {
        // Stopping while the database is unreachable: answer now rather than hold the stop forever. Whether the
        // entry was logged is unknown; a retry gets it logged, or the duplicate answer with its index.
        this.#waiters.delete(id);
        this.#reportDepth();
        w.reject(
          new SignetError('pushback', 'the log database is unavailable; retry shortly', {
            detail: { retryAfter: '2' },
          }),
        );
        return;
      }
      // Database gone: we cannot know whether it was sequenced; keep waiting and retry the withdrawal.
      w.timer = setTimeout(() => void this.#giveUp(id), 1000);
    }
  }

  /** Answers waiters whose rows the sequencer has settled. */
  async #settle(): Promise<void> {
    if (this.#waiters.size === 0) return;
    const asked: Array<{ id: string; leafHash: Buffer }> = [];
    for (const [id, w] of this.#waiters) if (!w.withdrawing) asked.push({ id, leafHash: w.entry.leafHash });
    if (asked.length === 0) return;
    const { outcomes, head, nodes } = await this.#handOff.collect(asked, this.#nodesSince);
    // The nodes the sequencer completed since the last collect: the proofs below are then read from memory.
    if (head && nodes) {
      for (const n of nodes) this.#o.cache.set(n.level, n.index, n.hash);
      this.#nodesSince = Math.max(this.#nodesSince, head.size);
    }
    if (head && head.size > this.#head.size) this.#newHead(head);
    const proveAt = head ?? this.#head;
    // Taken off the waiters before any await, so a timeout cannot withdraw a row already collected.
    const settled: Array<[Waiter, Outcome]> = [];
    for (const [id, o] of outcomes) {
      const w = this.#waiters.get(id);
      if (!w) continue;
      if (w.withdrawing) {
        w.held = { outcome: o, head: proveAt };
        continue;
      }
      this.#waiters.delete(id);
      clearTimeout(w.timer);
      settled.push([w, o]);
    }
    await this.#answer(settled, proveAt);
    if (outcomes.size > 0) this.#reportDepth();
  }

  /** Answers settled waiters: 409 for duplicates, else the entry with its inclusion proof against `proveAt`. */
  async #answer(settled: Array<[Waiter, Outcome]>, proveAt: TreeHead): Promise<void> {
    // Nodes of their proofs that the collect did not bring (older ones, after a restart or a quiet spell): read
    // them all in one query rather than one query per node per entry. Usually there are none.
    await this.#o.cache
      .prefetch(
        settled.flatMap(([, o]) =>
          o.duplicate || o.logIndex >= proveAt.size ? [] : inclusionProofNodes(o.logIndex, proveAt.size).ids,
        ),
      )
      .catch(() => undefined);
    for (const [w, o] of settled) {
      if (o.duplicate) w.reject(new DuplicateEntryError(w.entry.leafHash, o.logIndex));
      else {
        const entry = sequencedEntry(w.entry, o);
        // The head read with the outcome covers it (same snapshot as the batch's commit or later).
        proveInclusion(this.#o.cache.read, o.logIndex, proveAt).then(
          (proof) => w.resolve({ entry, proof }),
          (e: unknown) => w.reject(e),
        );
      }
    }
  }

  /** A head signed by the sequencer elsewhere, read from the store. */
  #newHead(head: TreeHead): void {
    this.#head = head;
    this.#o.metrics?.treeHead(head.size, Date.now());
  }

  /** This frontend's entries not yet sequenced: in the outbox or queued in the store. */
  #reportDepth(): void {
    this.#o.metrics?.queueDepth(this.#outbox.length + this.#waiters.size);
  }

  async #lead(lease: Lease): Promise<void> {
    const leader = await openLeader(this.#o, lease);
    this.#leader = leader;
    this.#head = leader.sequencer.head();
    this.#follow(leader);
    void this.#run('pump');
  }

  #follow(leader: Leader): void {
    leader.lease.onLost(() => this.#demote(leader));
    this.#onRole('sequencer');
  }

  #demote(leader: Leader): void {
    if (this.#leader !== leader) return;
    this.#leader = undefined;
    this.#head = leader.sequencer.head();
    this.#fed.clear();
    this.#onRole('frontend');
    // Its queued entries fail to commit (the session is gone) and are answered with 503.
    void leader.sequencer.close().catch(() => undefined);
  }

  /** Feeds queued rows to the local Sequencer; its batch commit records their outcomes atomically. */
  async #pump(): Promise<void> {
    const leader = this.#leader;
    if (!leader) return;
    // Rows already fed are skipped in the query: every wake-up would otherwise read their bodies again.
    const rows = await this.#handOff.waiting(ROWS_PER_TRIP, [...this.#fed]);
    if (this.#leader !== leader) return;
    for (const r of rows) {
      if (this.#fed.has(r.id)) continue;
      this.#fed.add(r.id);
      const { id, leafHash: _leaf, ...entry } = r;
      leader.sequencer.add(entry, id).then(
        () => this.#fed.delete(id),
        (e: unknown) => {
          this.#fed.delete(id);
          if (e instanceof DuplicateEntryError) {
            this.#duplicates.push({ id, logIndex: e.logIndex });
            if (this.#duplicates.length === 1) setImmediate(() => void this.#flushDuplicates().catch(() => undefined));
          }
          // Any other failure leaves the row waiting: the next pump retries it.
        },
      );
    }
    // A full read means more are waiting: read on while the Sequencer keeps up, rather than wait for the next tick.
    if (rows.length === ROWS_PER_TRIP && leader.sequencer.queued < 2 * ROWS_PER_TRIP) this.#again.add('pump');
  }

  async #flushDuplicates(): Promise<void> {
    const rows = this.#duplicates.splice(0);
    if (rows.length > 0) await this.#handOff.markDuplicates(rows);
  }
}
