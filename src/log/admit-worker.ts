/** One Rekor v1 log thread: verifies and canonicalizes proposed entries, and signs SETs, off the event loop. */
import { serveTasks } from '../workers/index.js';
import { runLogTask } from './admit-pool.js';

serveTasks(runLogTask);
