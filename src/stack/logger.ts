import { pino, type Logger } from 'pino';

/** JSON logs on stderr; level from SIGNET_LOG_LEVEL (default info). Request bodies and keys are never logged. */
export function stackLogger(): Logger {
  return pino({ level: process.env.SIGNET_LOG_LEVEL ?? 'info' }, pino.destination(2));
}
