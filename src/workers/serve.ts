import { parentPort } from 'node:worker_threads';
import { SignetError } from '../errors.js';
import { owned } from './message.js';
import type { TaskReply } from './pool.js';

/**
 * The worker side of a TaskPool: answers `{id, input}` with `{id, out}` or `{id, error}`. Anything that is not a
 * SignetError is reported as invalid input (the task is run on untrusted input; a parser bug must not be a 500).
 */
export function serveTasks<In, Out>(task: (input: In) => Out | Promise<Out>): void {
  parentPort!.on('message', (msg: { id: number; input: In }) => {
    Promise.resolve()
      .then(() => task(msg.input))
      .then(
        (out) => parentPort!.postMessage({ id: msg.id, out: owned(out) } satisfies TaskReply<Out>),
        (e: unknown) => {
          const error =
            e instanceof SignetError
              ? { code: e.code, message: e.message, detail: e.detail }
              : { code: 'invalid-input' as const, message: 'entry could not be processed', detail: {} };
          parentPort!.postMessage({ id: msg.id, error } satisfies TaskReply<Out>);
        },
      );
  });
}
