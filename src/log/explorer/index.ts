/** The web explorer: static pages served at `/` by the log, plus the sampled timeline its log page charts. */
export { explorerApi, EXPLORER_CSP, type ExplorerOptions } from './routes.js';
export { explorerDir, loadStaticFiles, type StaticFile } from './static-files.js';
export { sampleIndexes, TimelineSampler, TIMELINE_SAMPLES, type Timeline, type TimelinePoint } from './timeline.js';
