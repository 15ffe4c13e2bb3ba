import type { RetryPolicy } from './jobs.ts';
import { isPermanent } from './permanent-error.ts';

/** Node's codes for a socket that could not reach, or lost, its server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// SQLSTATE: class 08 connection exception; 57P01 admin_shutdown, 57P02 crash_shutdown,
// 57P03 cannot_connect_now (starting up or shutting down).
const SQLSTATE_OUTAGE = /^(08[0-9A-Z]{3}|57P0[123])$/;

// node-postgres and ioredis report a lost or refused connection without a code, in these words.
const CLIENT_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed)/;

/**
 * True when an error says PostgreSQL or Redis is unreachable — the store, not
 * the job, is at fault, so the job waits for it on the longer schedule.
 * Errors from fetching a recording carry their own codes (RecordingError:
 * `unreachable`, `timeout`, …) and are never taken for an outage.
 */
export function isOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  if ((error as { name?: unknown }).name === 'RecordingError') return false;
  const { code, message, name, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATE_OUTAGE.test(code))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof message === 'string' && CLIENT_MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => isOutage(e, depth + 1))) return true;
  return isOutage(cause, depth + 1);
}

/** Tries in all that `error` earns under `policy`. */
export function triesFor(policy: RetryPolicy, error: unknown): number {
  if (isPermanent(error)) return 1;
  return isOutage(error) ? Math.max(policy.attempts, policy.outageAttempts) : policy.attempts;
}

/** Whether try number `attempt` (1-based), which failed with `error`, is followed by another. */
export function willRetry(policy: RetryPolicy, attempt: number, error: unknown): boolean {
  return attempt < triesFor(policy, error);
}

/** The wait before retry number `retry` (1 = the first retry). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.backoffMs * 2 ** (retry - 1), policy.maxBackoffMs);
}

/** The most tries any error can earn: what a queue that counts tries itself (BullMQ) is given. */
export const maxTries = (policy: RetryPolicy) => Math.max(policy.attempts, policy.outageAttempts);
