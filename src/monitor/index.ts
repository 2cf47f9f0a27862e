/** `signet monitor`: follow a log, prove it append-only, and report entries that name watched identities or keys. */
export {
  loadWatchList,
  parseWatchList,
  emptyWatchList,
  isWatchListEmpty,
  type WatchList,
  type WatchedIdentity,
} from './config.js';
export { entryFacts, type EntryFacts } from './entry-facts.js';
export { matchEntry, type WatchMatch } from './watch.js';
export { openTreeHead, parseWitnessKey, type HeadTrust, type TreeHead } from './head.js';
export { rekorV1Source, tilesSource, type LogSource, type LogLeaf, type TreeCheck } from './source.js';
export { monitorStatePath, loadMonitorState, saveMonitorState, type MonitorState } from './state.js';
export { formatEvent, isAlert, postWebhook, type MonitorEvent, type Misbehaviour } from './events.js';
export { monitorOnce, type MonitorOptions, type RoundResult } from './monitor.js';
