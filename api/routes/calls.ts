import type { FastifyPluginAsync } from 'fastify';
import { getCall } from '../../models/call-repository.ts';
import type { AppDeps } from '../app.ts';
import { ApiError, notFound } from '../api-error.ts';
import { storeRecording } from '../recordings/store-recording.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { parseTranscriptRecord } from '../../models/transcript-record.ts';
import { postCallsRoute } from './post-calls.ts';

export const callRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  await app.register(postCallsRoute, { pool, config });
  // Recordings stream straight to disk; they are never buffered as a body.
  for (const type of ['application/octet-stream', /^audio\/.*/]) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.get<{ Params: { id: string } }>('/calls/:id', async (request) => {
    const call = await getCall(pool, request.params.id);
    if (!call) throw notFound(`call ${request.params.id}`);
    return call;
  });

  app.post<{ Params: { id: string } }>('/calls/:id/recording', async (request, reply) => {
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
  });

  app.post<{ Params: { id: string } }>(
    '/calls/:id/transcript',
    { schema: { body: { type: 'object', required: ['segments'] } } },
    async (request, reply) => {
      const call = await getCall(pool, request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      const parsed = parseTranscriptRecord(request.body, call.callId);
      if (!parsed.ok) throw new ApiError(400, 'invalid_transcript', parsed.reason);
      await saveTranscript(pool, parsed.transcript, { model: 'import' });
      return reply
        .status(201)
        .send({ callId: call.callId, segments: parsed.transcript.segments.length, state: 'transcribed' });
    },
  );
};
