import { parentPort } from 'node:worker_threads';
import { SignetError } from '../errors.js';
import { owned } from './message.js';
import type { ReplyBatch, TaskBatch, TaskError, TaskReply } from './pool.js';

/** Answers per message, at most: early answers go out while the rest of a large batch is still being worked on. */
const MAX_REPLIES = 16;

/**
 * The worker side of a TaskPool: runs the tasks of each batch in order and answers them in batches of its own,
 * `{id, out}` or `{id, error}`. A SignetError keeps its code and a client error (a 4xx `statusCode`, as the HTTP
 * layer's schema checks throw) its status; anything else is reported as invalid input (the task is run on untrusted
 * input; a parser bug must not be a 500).
 */
export function serveTasks<In, Out>(task: (input: In) => Out | Promise<Out>): void {
  const queue: TaskBatch<In>['tasks'] = [];
  let replies: Array<TaskReply<Out>> = [];
  let running = false;
  const send = () => {
    if (replies.length === 0) return;
    parentPort!.postMessage({ replies } satisfies ReplyBatch<Out>);
    replies = [];
  };
  const run = async () => {
    running = true;
    while (queue.length > 0) {
      const { id, input } = queue.shift()!;
      try {
        replies.push({ id, out: owned(await task(input)) });
      } catch (e) {
        replies.push({ id, error: taskError(e) });
      }
      // Answer what is done once there is enough of it, or once nothing else is waiting.
      if (replies.length >= MAX_REPLIES || queue.length === 0) {
        send();
        // Let messages in between answers: an urgent task (a batch's SETs) waits for at most one group of tasks.
        if (queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    running = false;
  };
  parentPort!.on('message', (msg: TaskBatch<In>) => {
    const urgent = msg.tasks.filter((t) => t.urgent);
    if (urgent.length > 0) {
      queue.unshift(...urgent);
      queue.push(...msg.tasks.filter((t) => !t.urgent));
    } else queue.push(...msg.tasks);
    if (!running) void run();
  });
}

function taskError(e: unknown): TaskError {
  if (e instanceof SignetError) return { code: e.code, message: e.message, detail: e.detail };
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  if (e instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    const code = (e as { code?: unknown }).code;
    return { statusCode: status, errorCode: typeof code === 'string' ? code : '', message: e.message };
  }
  return { code: 'invalid-input', message: 'entry could not be processed', detail: {} };
}
