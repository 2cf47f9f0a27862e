/** The log engine's write side: one Appender per log, chosen by its store. Contract in ./appender.ts. */
import type { Appender, AppenderOptions } from './appender.js';
import { LocalAppender } from './local.js';
import { SharedAppender } from './shared.js';

export {
  proveInclusion,
  type Appended,
  type Appender,
  type AppenderOptions,
  type HandOffTuning,
  type InclusionProof,
} from './appender.js';
export { DuplicateEntryError, type EntryToLog, type SealInput } from './sequencer.js';

/** The in-process sequencer for a store this process owns; the elected one with a hand-off for a shared store. */
export function openAppender(o: AppenderOptions): Promise<Appender> {
  return o.store.handOff ? SharedAppender.open(o, o.store.handOff) : LocalAppender.open(o);
}
