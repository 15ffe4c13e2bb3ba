import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, type DecodedAudio } from '../../workers/audio/decode.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { loadVad, type Vad } from '../../workers/audio/vad.ts';
import { buildTranscript } from '../../workers/asr/build-transcript.ts';
import { speechTurns, voiceFeatures } from '../../workers/asr/diarise-mono.ts';
import { MediaThreads } from '../../workers/asr/media-threads.ts';
import type { AsrSegment, Transcriber } from '../../workers/asr/transcriber.ts';
import { fixture, testModelDir, testModelId } from '../audio/media-paths.ts';

let stereo: DecodedAudio;
let mono: DecodedAudio;
let vad: Vad;

beforeAll(async () => {
  const ffmpegPath = await resolveFfmpegPath();
  stereo = await decodeAudio(fixture('stereo-pcm.wav'), { ffmpegPath });
  mono = await decodeAudio(fixture('mono.amr'), { ffmpegPath });
  vad = await loadVad();
});

/** A strict scripted transcriber: answers from a queue, records what it was sent, fails on surprise calls. */
function scripted(replies: AsrSegment[][]): Transcriber & { sentS: number[] } {
  const sentS: number[] = [];
  return {
    sentS,
    async transcribe(audio) {
      sentS.push(audio.length / 16_000);
      const reply = replies.shift();
      if (!reply) throw new Error(`unexpected ASR call #${sentS.length}`);
      return reply;
    },
    async close() {},
  };
}

describe('buildTranscript with a scripted transcriber', () => {
  it('stereo: one ASR call per speech region, segments by channel in call time, guards applied', async () => {
    const transcriber = scripted([
      [
        { start: 0, end: 0.8, text: '您好，請講', confidence: 0.9 },
        { start: 0.8, end: null, text: '字幕由Amara.org社区提供' },
      ],
      [{ start: 0.1, end: 0.6, text: 'my bill is wrong wrong wrong wrong wrong' }],
    ]);
    const transcript = await buildTranscript({
      callId: 'c1',
      audio: stereo,
      agentChannel: 'left',
      language: 'zh',
      vad,
      transcriber,
    });
    expect(transcriber.sentS).toHaveLength(2);
    // Only speech was sent: each call covers its speaker's span, not the whole 3.3 s recording.
    for (const seconds of transcriber.sentS) expect(seconds).toBeLessThan(2.2);
    const agentStart = transcript.speech?.agent?.[0][0] ?? NaN;
    const customerStart = transcript.speech?.customer?.[0][0] ?? NaN;
    expect(transcript).toMatchObject({
      callId: 'c1',
      language: 'zh',
      speakerMode: 'stereo',
      speakerDecision: { method: 'channel', confidence: 1 },
      source: 'asr',
    });
    expect(transcript.durationS).toBeCloseTo(3.29, 2);
    expect(transcript.segments).toEqual([
      {
        speaker: 'agent',
        start: round2(agentStart),
        end: round2(agentStart + 0.8),
        text: '您好，请讲',
        confidence: 0.9,
      },
      {
        speaker: 'customer',
        start: round2(customerStart + 0.1),
        end: round2(customerStart + 0.6),
        text: 'my bill is wrong wrong wrong',
      },
    ]);
  });

  it('stereo with the agent on the right swaps the speakers', async () => {
    const transcript = await buildTranscript({
      callId: 'c2',
      audio: stereo,
      agentChannel: 'right',
      language: 'zh',
      vad,
      transcriber: scripted([[{ start: 0, end: null, text: 'A' }], [{ start: 0, end: null, text: 'B' }]]),
    });
    // Channels are transcribed agent first: the first reply belongs to the right channel.
    expect(transcript.segments.map((s) => [s.speaker, s.text])).toEqual([
      ['customer', 'B'],
      ['agent', 'A'],
    ]);
  });

  it('mono: one stream, speaker unknown, decision left to scoring', async () => {
    const transcript = await buildTranscript({
      callId: 'c3',
      audio: mono,
      agentChannel: 'left',
      language: 'zh',
      vad,
      transcriber: scripted([[{ start: 0, end: null, text: '您好' }]]),
    });
    expect(transcript.speakerMode).toBe('mono');
    expect(transcript.speakerDecision).toMatchObject({ method: 'default', confidence: 0 });
    expect(transcript.speakerDecision.note).toMatch(/recording is mono/);
    expect(transcript.segments.map((s) => s.speaker)).toEqual(['unknown']);
    expect(Object.keys(transcript.speech ?? {})).toEqual(['mixed']);
  });

  it('silence never reaches ASR', async () => {
    const silent: DecodedAudio = {
      sampleRate: 16_000,
      channels: [new Float32Array(16_000 * 4)],
      durationS: 4,
    };
    const transcript = await buildTranscript({
      callId: 'c4',
      audio: silent,
      agentChannel: 'mono',
      language: 'zh',
      vad,
      transcriber: scripted([]),
    });
    expect(transcript.segments).toEqual([]);
    expect(transcript.speech).toEqual({ mixed: [] });
  });
});

describe('buildTranscript with the real transformers.js pipeline in media threads (tiny-dummy-whisper)', () => {
  const transcriber = { modelDir: testModelDir, modelId: testModelId, dtype: 'fp32' };
  let threads: MediaThreads;
  beforeAll(async () => {
    threads = await MediaThreads.start({ threads: 2, transcriber });
  });
  afterAll(() => threads.close());

  it('transcribes both speakers with timestamps mapped to call time', async () => {
    expect(threads.size).toBe(2);
    const transcript = await buildTranscript({
      callId: 'c5',
      audio: stereo,
      agentChannel: 'left',
      language: 'zh',
      vad: threads,
      transcriber: threads,
    });
    expect(transcript.segments.map((s) => [s.speaker, s.text])).toEqual([
      ['agent', '离线测试模型'],
      ['customer', '离线测试模型'],
    ]);
    const [agent, customer] = transcript.segments;
    const agentSpan = transcript.speech?.agent?.[0] ?? [NaN, NaN];
    const customerSpan = transcript.speech?.customer?.[0] ?? [NaN, NaN];
    // The test model stamps [0, open]: the segment is its whole speech region, in call time.
    expect([agent.start, agent.end]).toEqual([round2(agentSpan[0]), round2(agentSpan[1])]);
    expect([customer.start, customer.end]).toEqual([round2(customerSpan[0]), round2(customerSpan[1])]);
    expect(customer.start).toBeGreaterThan(2);
    // Token-probability confidence is measured, not invented: defined and a probability.
    expect(agent.confidence).toBeGreaterThan(0);
    expect(agent.confidence).toBeLessThan(1);
  });

  it('mono: finds two voices in a media thread (as in process) and gives each segment its voice', async () => {
    const twoVoices = await decodeAudio(fixture('mono-two-voices.ogg'), {
      ffmpegPath: await resolveFfmpegPath(),
    });
    const transcript = await buildTranscript({
      callId: 'c7',
      audio: twoVoices,
      agentChannel: 'mono',
      language: 'zh',
      vad: threads,
      transcriber: threads,
      voices: threads,
    });
    expect(transcript.speakerDecision).toMatchObject({ method: 'default', confidence: 0 });
    expect(transcript.speakerDecision.voiceSeparation).toBeGreaterThan(0.6);
    expect(transcript.speakerDecision.note).toMatch(/turns in two voices/);
    expect(transcript.segments.length).toBeGreaterThan(0);
    for (const segment of transcript.segments) {
      expect(segment.speaker).toBe('unknown');
      expect([0, 1]).toContain(segment.voice);
    }
    const channel = twoVoices.channels[0];
    const turns = speechTurns(transcript.speech?.mixed ?? []);
    expect(await threads.voiceFeatures(channel, 16_000, turns)).toEqual(
      voiceFeatures(channel, 16_000, turns),
    );
  });

  it('gives the same transcript from one thread, from two, and with VAD in this thread', async () => {
    const one = await MediaThreads.start({ threads: 1, transcriber });
    try {
      const input = { callId: 'c6', audio: stereo, agentChannel: 'left' as const, language: 'zh' };
      const [single, double, localVad] = await Promise.all([
        buildTranscript({ ...input, vad: one, transcriber: one }),
        buildTranscript({ ...input, vad: threads, transcriber: threads }),
        buildTranscript({ ...input, vad, transcriber: threads }),
      ]);
      expect(double).toEqual(single);
      expect(localVad).toEqual(single);
    } finally {
      await one.close();
    }
  });

  it('keeps the event loop free while VAD and Whisper run', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await Promise.all([
      threads.detectSpeech(stereo.channels[0], stereo.sampleRate),
      ...[1, 2, 3].map(() => threads.transcribe(new Float32Array(16_000 * 20))),
    ]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('on close, finishes the running window, fails the queued ones, then refuses work', async () => {
    const doomed = await MediaThreads.start({ threads: 1, transcriber });
    const pending = Promise.allSettled([1, 2, 3].map(() => doomed.transcribe(new Float32Array(16_000 * 20))));
    await doomed.close();
    const outcomes = await pending;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const o of outcomes.slice(1)) expect(String((o as PromiseRejectedResult).reason)).toMatch(/closed/);
    await expect(doomed.transcribe(new Float32Array(16_000))).rejects.toThrow(/closed/);
  });

  it('replaces a thread that dies, and the work goes on', async () => {
    const pool = await MediaThreads.start({ threads: 2, transcriber });
    try {
      const inner = pool as unknown as {
        threads: Array<{ alive: boolean; worker: import('node:worker_threads').Worker }>;
      };
      const victim = inner.threads[0];
      await victim.worker.terminate(); // idle: nothing of ONNX Runtime is running in it
      const results = await Promise.all([1, 2, 3].map(() => pool.transcribe(new Float32Array(16_000 * 5))));
      expect(results.map((r) => r.map((s) => s.text))).toEqual([
        ['离线测试模型'],
        ['离线测试模型'],
        ['离线测试模型'],
      ]);
      await expect
        .poll(() => inner.threads.every((t) => t.alive && t !== victim), { timeout: 30_000 })
        .toBe(true);
      expect(pool.size).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('reports a model that cannot be loaded offline', async () => {
    await expect(
      MediaThreads.start({ threads: 2, transcriber: { modelDir: testModelDir, modelId: 'no-such-model' } }),
    ).rejects.toThrow(/cannot load ASR model/);
  });
});

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
