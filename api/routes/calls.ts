import type { FastifyPluginAsync } from 'fastify';
import { writeAudit } from '../../models/audit-repository.ts';
import { withTransaction } from '../../models/db.ts';
import { TRANSCRIPT_LIMITS } from '../../models/transcript-record.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../api-error.ts';
import { actorOf } from '../auth/access.ts';
import { storeRecording } from '../recordings/store-recording.ts';
import { callIdParams } from '../request-schemas.ts';
import { importTranscript, visibleCall } from '../services/call-service.ts';
import { auditActorOf, auditFields } from '../services/service-context.ts';
import { postCallsRoute } from './post-calls.ts';
import {
  callSchema,
  errorResponses,
  importedTranscriptSchema,
  storedRecordingSchema,
} from '../response-schemas.ts';

export const callRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  await app.register(postCallsRoute, { pool, config });
  // Recordings stream straight to disk; they are never buffered as a body.
  for (const type of ['application/octet-stream', /^audio\/.*/]) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.get<{ Params: { id: string } }>(
    '/calls/:id',
    {
      config: { access: 'calls.read' },
      schema: { params: callIdParams, response: { 200: callSchema, ...errorResponses } },
    },
    async (request) => visibleCall({ actor: actorOf(request), tx: pool }, request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/calls/:id/recording',
    {
      config: { access: 'recordings.upload' },
      schema: {
        params: callIdParams,
        body: { description: 'the audio, Content-Type audio/* or application/octet-stream' },
        response: { 201: storedRecordingSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const call = await visibleCall({ actor: actorOf(request), tx: pool }, request.params.id);
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
      // The file is stored (and the call row updated) before this row: a file cannot join a transaction.
      await writeAudit(pool, {
        ...auditFields(auditActorOf(request)),
        action: 'recording_uploaded',
        target: `call:${call.callId}`,
        before: { recording: call.recording ?? null, recordingStatus: call.recordingStatus },
        after: stored,
      });
      return reply.status(201).send(stored);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/calls/:id/transcript',
    {
      config: { access: 'transcripts.import' },
      bodyLimit: TRANSCRIPT_LIMITS.maxJsonBytes,
      schema: {
        params: callIdParams,
        body: { type: 'object', description: 'segments [{ speaker, start, end, text }] (see the README)' },
        response: { 201: importedTranscriptSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (typeof (request.body as NodeJS.ReadableStream).pipe === 'function') {
        // An audio content type reached this route: a transcript is JSON.
        throw new ApiError(415, 'unsupported_media_type', 'send the transcript as application/json');
      }
      const [actor, audit] = [actorOf(request), auditActorOf(request)];
      const saved = await withTransaction(pool, (tx) =>
        importTranscript({ actor, audit, tx }, request.params.id, request.body),
      );
      return reply.status(201).send(saved);
    },
  );
};
