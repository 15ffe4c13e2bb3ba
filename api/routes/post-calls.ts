import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { parseCallRecord, type CallRecord } from '../../models/call-record.ts';
import { storeCalls, type CallToStore } from '../../models/call-repository.ts';
import { problem, type Problem } from '../../models/ingest-problem.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../api-error.ts';
import { auditActorOf, auditFields } from '../services/service-context.ts';
import { checkRecordings } from '../ingest/check-recording.ts';
import { describeProblems } from '../ingest/describe-problem.ts';
import { refusedByDatabase } from '../ingest/ingest-file.ts';
import { encodingNamed, type Encoding } from '../ingest/read-records.ts';
import { errorBody, errorResponses, ingestReportSchema } from '../response-schemas.ts';

/** Calls per request, whatever the body's shape (one call, an array, `{ calls: [...] }`). */
export const MAX_CALLS_PER_REQUEST = 10_000;
/** 10,000 calls with long recording URLs fit; a 50 MB field is refused before it is read. */
export const MAX_CALLS_BODY_BYTES = 16 * 1024 * 1024;

interface CallRejection {
  index: number;
  callId?: string;
  code: string;
  reason: string;
  problems: Problem[];
}

type JsonParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * POST /calls in its own plugin, so it alone reads JSON its own way: the body
 * is bounded in bytes and in calls before any work, decoded in the charset the
 * client names (GB18030/GBK, UTF-16, UTF-8) with a fatal decoder, and refused
 * rather than stored with U+FFFD when it does not decode. The decoded text is
 * then parsed by fastify's own JSON parser, as on every other route: the same
 * `malformed_json` / `empty_body` answers, and a `__proto__` or
 * `constructor.prototype` key refused.
 */
export const postCallsRoute: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  // Fastify types the default parser as either of its two shapes; it is the callback one.
  const parseJson = app.getDefaultJsonParser('error', 'error') as JsonParser;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    async (request: FastifyRequest, payload: AsyncIterable<Buffer>) => {
      const text = decodeJsonBody(
        await readBody(request, payload),
        charsetOf(request.headers['content-type']),
      );
      return new Promise((resolve, reject) =>
        parseJson(request, text, (error, value) => (error ? reject(error) : resolve(value))),
      );
    },
  );
  app.addContentTypeParser('*', async () => {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'send the calls as JSON (Content-Type: application/json)',
    );
  });

  // The body schema only documents (no `type`): ajv's type coercion would turn a bare "string" into a
  // one-call array; callsOf checks the shape.
  const body = {
    description: 'a call { callId, agentId, team, startedAt, durationS, … } or an array of them',
  };
  const response = {
    200: ingestReportSchema,
    // Nothing landed: the report with every rejection, or an error refusing the body as a whole.
    400: { anyOf: [ingestReportSchema, errorBody], description: 'nothing landed: the report, or an error' },
    ...errorResponses,
  };
  app.post(
    '/calls',
    { config: { access: 'calls.ingest' }, schema: { body, response } },
    async (request, reply) => {
      const raws = callsOf(request.body);
      const now = new Date();
      const rejected: CallRejection[] = [];
      const reject = (index: number, problems: Problem[], callId?: string) =>
        rejected.push({
          index,
          ...(callId === undefined ? {} : { callId }),
          code: problems[0].code,
          reason: describeProblems(problems),
          problems,
        });
      const firstIndexOf = new Map<string, number>();
      const good: Array<{ index: number; record: CallRecord }> = [];
      for (const [index, raw] of raws.entries()) {
        const parsed = parseCallRecord(raw, now);
        if (!parsed.ok) reject(index, parsed.problems);
        else if (firstIndexOf.has(parsed.record.callId)) {
          const { callId } = parsed.record;
          reject(
            index,
            [problem('duplicate_call_id', { callId, firstIndex: firstIndexOf.get(callId)! })],
            callId,
          );
        } else {
          firstIndexOf.set(parsed.record.callId, index);
          good.push({ index, record: parsed.record });
        }
      }
      const checks = await checkRecordings(
        good.map((g) => g.record),
        { recordingRoots: config.recordingRoots, recordingHosts: config.recordingHosts },
      );
      const calls: CallToStore[] = good.map((g, i) => ({ ...g.record, ...checks[i] }));
      const { counts, refused } = await storeCalls(pool, calls);
      const refusedAt = new Set(refused.map((r) => r.index));
      for (const r of refused)
        reject(good[r.index].index, [refusedByDatabase(r.sqlstate)], calls[r.index].callId);
      rejected.sort((a, b) => a.index - b.index);
      const flagged = calls.flatMap((c, i) => {
        const { recordingProblem: reason, recordingProblemCode: code } = checks[i];
        return reason && !refusedAt.has(i) ? [{ callId: c.callId, code: code ?? 'unreadable', reason }] : [];
      });
      const landed = calls.length - refused.length;
      // Ingest commits row by row in batches (README): the audit row records what landed, after it landed.
      await writeAudit(pool, {
        ...auditFields(auditActorOf(request)),
        action: 'calls_ingested',
        target: 'calls',
        after: {
          ...counts,
          rejected: rejected.length,
          callIds: calls.filter((_, i) => !refusedAt.has(i)).map((c) => c.callId),
        },
      });
      return reply
        .status(landed === 0 && rejected.length > 0 ? 400 : 200)
        .send({ ...counts, rejected, flagged });
    },
  );
};

/** The calls of a body, whatever its shape; the cap is checked here, before any of them is looked at. */
function callsOf(body: unknown): unknown[] {
  let calls: unknown[];
  if (typeof body !== 'object' || body === null) {
    throw new ApiError(400, 'invalid_body', 'send a call, an array of calls or { "calls": [...] }');
  }
  if (Array.isArray(body)) calls = body;
  else if (typeof body === 'object' && body !== null && 'calls' in body) {
    const inner = (body as { calls: unknown }).calls;
    if (!Array.isArray(inner)) throw new ApiError(400, 'invalid_body', '"calls" must be an array of calls');
    calls = inner;
  } else calls = [body];
  if (calls.length > MAX_CALLS_PER_REQUEST) {
    throw new ApiError(
      413,
      'too_many_calls',
      `${calls.length} calls in one request; send at most ${MAX_CALLS_PER_REQUEST} per request`,
    );
  }
  return calls;
}

async function readBody(request: FastifyRequest, payload: AsyncIterable<Buffer>): Promise<Buffer> {
  const tooLarge = () =>
    new ApiError(
      413,
      'body_too_large',
      `the body is over ${MAX_CALLS_BODY_BYTES} bytes; send at most ${MAX_CALLS_PER_REQUEST} calls per request`,
    );
  if (Number(request.headers['content-length'] ?? 0) > MAX_CALLS_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size > MAX_CALLS_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
}

/**
 * JSON is UTF-8 unless the client names another charset or the body starts
 * with a byte-order mark. Nothing is guessed: a GBK body without
 * `charset=gbk` does not decode as UTF-8 and is refused with a hint.
 */
function decodeJsonBody(body: Buffer, charset: string | undefined): string {
  let encoding: Encoding;
  if (charset === undefined) encoding = bomEncoding(body) ?? 'utf-8';
  else if (/^utf-?16$/i.test(charset)) encoding = bomEncoding(body) === 'utf-16be' ? 'utf-16be' : 'utf-16le';
  else {
    const named = encodingNamed(charset);
    if (!named) {
      throw new ApiError(
        415,
        'unsupported_charset',
        `charset "${charset}" is not supported; use utf-8, utf-16le, utf-16be or gb18030 (gbk)`,
      );
    }
    encoding = named;
  }
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(body);
  } catch {
    throw new ApiError(
      400,
      'undecodable_body',
      `the body is not valid ${encoding.toUpperCase()}` +
        (charset === undefined
          ? '; name its charset (e.g. Content-Type: application/json; charset=gb18030)'
          : ''),
    );
  }
}

function bomEncoding(body: Buffer): Encoding | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}
