import type { LogStore } from '../storage/store.js';

/** One sample of the log's growth: the entry at `logIndex` was integrated at `integratedTime` (Unix seconds). */
export interface TimelinePoint {
  logIndex: number;
  integratedTime: number;
}

export interface Timeline {
  treeSize: number;
  points: TimelinePoint[];
}

/** Samples per answer: enough for a smooth chart, few enough to cost ~65 primary-key reads. */
export const TIMELINE_SAMPLES = 64;
const MIN_REFRESH_MS = 5000;

/**
 * Entries over time without scanning: entries are integrated in index order, so the integration times of a few
 * evenly spaced indexes trace the cumulative count. One answer is cached and recomputed only when the tree grew
 * and at least 5 s passed (small logs: whenever they grew), so a page reload storm costs nothing and a 1,000,000-entry log costs what a 10 does.
 */
export class TimelineSampler {
  readonly #store: LogStore;
  readonly #size: () => number;
  readonly #now: () => number;
  #cached: { at: number; value: Timeline } | undefined;
  #pending: Promise<Timeline> | undefined;

  constructor(store: LogStore, size: () => number, now: () => number = Date.now) {
    this.#store = store;
    this.#size = size;
    this.#now = now;
  }

  async timeline(): Promise<Timeline> {
    const size = this.#size();
    const c = this.#cached;
    // A small log (fewer entries than samples) is always fresh: re-reading it costs as little as the cache.
    const fresh =
      c && (c.value.treeSize === size || (c.value.treeSize > TIMELINE_SAMPLES && this.#now() - c.at < MIN_REFRESH_MS));
    if (fresh) return c.value;
    this.#pending ??= this.#sample(size).finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #sample(size: number): Promise<Timeline> {
    const rows = await this.#store.entriesByIndex(sampleIndexes(size, TIMELINE_SAMPLES));
    const points = [...rows.values()]
      .map((e) => ({ logIndex: e.logIndex, integratedTime: e.integratedTime }))
      .sort((a, b) => a.logIndex - b.logIndex);
    const value = { treeSize: size, points };
    this.#cached = { at: this.#now(), value };
    return value;
  }
}

/** Up to `n + 1` distinct indexes spread evenly over [0, size), always including the first and the last. */
export function sampleIndexes(size: number, n: number): number[] {
  if (size <= 0) return [];
  const out = new Set<number>();
  for (let i = 0; i <= n; i++) out.add(Math.round((i * (size - 1)) / n));
  return [...out];
}
