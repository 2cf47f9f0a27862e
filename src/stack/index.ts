/** `signet up` and the serve commands: the services wired on one HTTP server, run until a signal. */
export { createStackServices } from './stack.js';
export { runServer, baseUrl, type RunOptions } from './run.js';
export { buildServer, shutdown } from './server.js';
export { stackLogger } from './logger.js';
export { createDataDir } from './data-dir.js';
export { createTrustService } from './trust.js';
export { stackTrustInputs } from './trust-sources.js';
