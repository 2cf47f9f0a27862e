/**
 * Worker-thread pools for per-request CPU work (entry verification and canonicalization in both transparency logs).
 * The pool lives on the main thread (`createTaskPool`); the worker script calls `serveTasks` with the same function.
 */
export { asBuffer, createTaskPool, type TaskPool, type TaskPoolOptions } from './pool.js';
export { serveTasks } from './serve.js';
export { owned } from './message.js';
export { serveWrites, startWriterThread, type WriterThread } from './writer-thread.js';
