/**
 * One error type for the whole domain. `code` is stable and closed; HTTP edges and the CLI map it to a status or
 * an exit code in one place each. Messages are one line, lower case, and say what was wrong.
 */
export type ErrorCode =
  | 'invalid-input' // malformed or unverifiable input: 400
  | 'not-found' // 404
  | 'conflict' // already exists (a duplicate log entry): 409
  | 'unauthenticated' // missing or bad credentials (an ID token): 401
  | 'forbidden' // authenticated but not allowed: 403
  | 'too-large' // body over the limit: 413
  | 'unsupported' // a valid request for something not supported (unknown kind, key type): 400/422
  | 'verification-failed' // a signature, proof or policy did not verify
  | 'pushback' // overloaded or a dependency is down; retry later: 503
  | 'internal'; // a bug or an unexpected state: 500, with no internal detail on the wire

export class SignetError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret detail for the wire (e.g. the Location of a conflicting entry). */
  readonly detail: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; detail?: Record<string, string> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SignetError';
    this.code = code;
    this.detail = options.detail ?? {};
  }
}

export const invalidInput = (message: string, cause?: unknown) => new SignetError('invalid-input', message, { cause });
/**
 * An option the caller passed is invalid. `option` names it as the library's options do (`databaseUrl`), never as a
 * flag: the CLI, which knows its flags, adds the hint (src/cli/exit.ts).
 */
export const invalidOption = (option: string, message: string, cause?: unknown) =>
  new SignetError('invalid-input', message, { cause, detail: { option } });
export const notFound = (message: string) => new SignetError('not-found', message);
export const verificationFailed = (message: string, cause?: unknown) =>
  new SignetError('verification-failed', message, { cause });

export function isSignetError(e: unknown, code?: ErrorCode): e is SignetError {
  return e instanceof SignetError && (code === undefined || e.code === code);
}

/**
 * Storage that cannot take writes right now (disk full, I/O error), from the errno or SQLite code it carries: such
 * a failure is pushback (503 + Retry-After) so clients and load balancers retry, where anything else is a bug.
 */
export function isStorageFull(e: unknown): boolean {
  const code = String((e as { code?: unknown } | undefined)?.code ?? '');
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_IOERR');
}
