/**
 * One admission thread: verifies and canonicalizes proposed entries off the event loop. Messages: `{id, proposed}`
 * in; `{id, entry}` or `{id, error: {code, message, detail}}` out.
 */
import { parentPort } from 'node:worker_threads';
import { SignetError } from '../errors.js';
import { admitEntry } from './types/index.js';

parentPort!.on('message', (msg: { id: number; proposed: unknown }) => {
  admitEntry(msg.proposed).then(
    (entry) => parentPort!.postMessage({ id: msg.id, entry }),
    (e: unknown) => {
      const error =
        e instanceof SignetError
          ? { code: e.code, message: e.message, detail: e.detail }
          : { code: 'invalid-input', message: 'entry could not be processed', detail: {} };
      parentPort!.postMessage({ id: msg.id, error });
    },
  );
});
