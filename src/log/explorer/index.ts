/** The web explorer: static pages served at `/` by the log, the sampled timeline its log page charts, paged search. */
export { explorerApi, EXPLORER_CSP, type ExplorerOptions } from './routes.js';
export { explorerDir, loadStaticFiles, type StaticFile } from './static-files.js';
export { sampleIndexes, TimelineSampler, TIMELINE_SAMPLES, type Timeline, type TimelinePoint } from './timeline.js';
export { DEFAULT_PAGE, MAX_PAGE, parsePagedQuery, searchPage, type PagedQuery, type SearchPage } from './search.js';
