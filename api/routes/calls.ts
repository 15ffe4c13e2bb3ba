import type { FastifyPluginAsync } from 'fastify';
import { getCall } from '../../models/call-repository.ts';
import type { AppDeps } from '../app.ts';
import { ApiError, notFound } from '../api-error.ts';
import { storeRecording } from '../recordings/store-recording.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import {
  checkTranscriptAgainstCall,
  describeTranscriptProblem,
  parseTranscriptRecord,
  TRANSCRIPT_LIMITS,
  type TranscriptProblem,
} from '../../models/transcript-record.ts';
import { callIdParams } from '../request-schemas.ts';
import { postCallsRoute } from './post-calls.ts';

export const callRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  await app.register(postCallsRoute, { pool, config });
  // Recordings stream straight to disk; they are never buffered as a body.
  for (const type of ['application/octet-stream', /^audio\/.*/]) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.get<{ Params: { id: string } }>('/calls/:id', { schema: { params: callIdParams } }, async (request) => {
    const call = await getCall(pool, request.params.id);
    if (!call) throw notFound(`call ${request.params.id}`);
    return call;
  });

  app.post<{ Params: { id: string } }>(
    '/calls/:id/recording',
    { schema: { params: callIdParams } },
    async (request, reply) => {
      const call = await getCall(pool, request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > config.uploadMaxBytes) {
        throw new ApiError(
          413,
          'too_large',
          `recording is ${length} bytes; the limit is ${config.uploadMaxBytes}`,
        );
      }
      if (!request.body || typeof (request.body as NodeJS.ReadableStream).pipe !== 'function') {
        throw new ApiError(
          415,
          'unsupported_media_type',
          'send the audio as the request body with Content-Type audio/* or application/octet-stream',
        );
      }
      const stored = await storeRecording(request.body as NodeJS.ReadableStream, {
        storageDir: config.storageDir,
        pool,
        callId: call.callId,
        contentType: request.headers['content-type'] ?? 'application/octet-stream',
        maxBytes: config.uploadMaxBytes,
      });
      return reply.status(201).send(stored);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/calls/:id/transcript',
    { bodyLimit: TRANSCRIPT_LIMITS.maxJsonBytes, schema: { params: callIdParams, body: { type: 'object' } } },
    async (request, reply) => {
      if (typeof (request.body as NodeJS.ReadableStream).pipe === 'function') {
        // An audio content type reached this route: a transcript is JSON.
        throw new ApiError(415, 'unsupported_media_type', 'send the transcript as application/json');
      }
      const call = await getCall(pool, request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      const parsed = parseTranscriptRecord(request.body, call.callId);
      if (!parsed.ok) throw transcriptRefused(parsed.problems);
      const beyond = checkTranscriptAgainstCall(parsed.transcript, call.durationS);
      if (beyond) throw transcriptRefused([beyond]);
      await saveTranscript(pool, parsed.transcript, { model: 'import' });
      return reply
        .status(201)
        .send({ callId: call.callId, segments: parsed.transcript.segments.length, state: 'transcribed' });
    },
  );
};

/** 400 with the first problem's code; every problem (code and parameters) listed for a client to act on. */
function transcriptRefused(problems: TranscriptProblem[]): ApiError {
  return new ApiError(400, problems[0].code, problems.map(describeTranscriptProblem).join('; '), {
    problems,
  });
}
