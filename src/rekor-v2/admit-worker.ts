/** One Rekor v2 admission thread: verifies and canonicalizes CreateEntryRequests off the event loop. */
import { serveTasks } from '../workers/index.js';
import { admitV2Request } from './admit.js';

serveTasks(admitV2Request);
