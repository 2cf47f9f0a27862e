import type { Appended, Appender, AppenderOptions } from './appender.js';
import { proveInclusion } from './appender.js';
import { Sequencer, type EntryToLog } from './sequencer.js';

/** A store this process owns (SQLite, memory): every entry goes straight to the one in-process Sequencer. */
export class LocalAppender implements Appender {
  readonly #sequencer: Sequencer;
  readonly #o: AppenderOptions;

  private constructor(o: AppenderOptions, sequencer: Sequencer) {
    this.#o = o;
    this.#sequencer = sequencer;
  }

  static async open(o: AppenderOptions): Promise<LocalAppender> {
    return new LocalAppender(o, await Sequencer.open(o));
  }

  async append(entry: EntryToLog): Promise<Appended> {
    const { entry: stored, head } = await this.#sequencer.add(entry);
    return { entry: stored, proof: await proveInclusion(this.#o.cache.read, stored.logIndex, head) };
  }

  head() {
    return this.#sequencer.head();
  }

  async ready(): Promise<void> {
    await this.#o.store.ping();
  }

  close(): Promise<void> {
    return this.#sequencer.close();
  }
}
