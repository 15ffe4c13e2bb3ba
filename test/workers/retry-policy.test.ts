import { describe, expect, it } from 'vitest';
import { JOB_POLICIES, type JobName, type RetryPolicy } from '../../workers/jobs.ts';
import { RecordingError } from '../../workers/audio/recording-error.ts';
import { PermanentError } from '../../workers/permanent-error.ts';
import { isOutage, retryDelayMs, triesFor, willRetry } from '../../workers/retry-policy.ts';

const names: JobName[] = ['transcribe', 'score'];

/** Every wait a job makes before it is given up, when every try fails with `error`. */
function schedule(policy: RetryPolicy, error: unknown): number[] {
  const delays: number[] = [];
  for (let attempt = 1; willRetry(policy, attempt, error); attempt++)
    delays.push(retryDelayMs(policy, attempt));
  return delays;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const ordinary = new RecordingError('timeout', 'recording server did not answer within 30 s');

describe('retry policy', () => {
  it.each(names)('%s: an outage is waited out for at least 120 s before the job is given up', (name) => {
    const delays = schedule(JOB_POLICIES[name], refused);
    expect(sum(delays)).toBeGreaterThanOrEqual(120_000);
    // capped: once the store is back, no job sleeps on for minutes
    expect(Math.max(...delays)).toBeLessThanOrEqual(15_000);
  });

  it.each(names)('%s: an ordinary transient error still retries fast and gives up soon', (name) => {
    const delays = schedule(JOB_POLICIES[name], ordinary);
    expect(delays.length).toBe(JOB_POLICIES[name].attempts - 1);
    expect(delays[0]).toBeLessThanOrEqual(5_000);
    expect(sum(delays)).toBeLessThanOrEqual(15_000);
  });

  it('doubles each delay up to the cap', () => {
    const policy = { attempts: 3, backoffMs: 1_000, maxBackoffMs: 5_000, outageAttempts: 7 };
    expect(schedule(policy, refused)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(schedule(policy, ordinary)).toEqual([1_000, 2_000]);
  });

  it('never retries a permanent error', () => {
    expect(triesFor(JOB_POLICIES.transcribe, new PermanentError('call_missing', 'gone'))).toBe(1);
    expect(triesFor(JOB_POLICIES.transcribe, new RecordingError('corrupt', 'bad file'))).toBe(1);
  });

  it('takes database and Redis connection failures for an outage, and nothing else', () => {
    const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    const outages = [
      refused,
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection is closed.'),
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new AggregateError([refused], 'connect failed'),
      new Error('could not save transcript', { cause: refused }),
    ];
    for (const error of outages) expect(isOutage(error), String(error)).toBe(true);
    const others = [
      ordinary,
      new RecordingError('unreachable', 'recording host refused', { cause: refused }),
      withCode('23505', 'duplicate key value violates unique constraint'),
      new Error('ECONNRESET'), // only the words, not a socket's code
      new TypeError('undefined is not a function'),
      undefined,
      'a string',
    ];
    for (const error of others) expect(isOutage(error), String(error)).toBe(false);
  });
});
