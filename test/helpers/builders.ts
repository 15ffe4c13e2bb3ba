import type { CallToStore } from '../../models/call-repository.ts';
import type { Transcript } from '../../models/transcript.ts';
import type { SamplingParams } from '../../sampling/params.ts';

let counter = 0;

/** A valid call with sensible defaults; override what the test is about. */
export function buildCall(overrides: Partial<CallToStore> = {}): CallToStore {
  counter += 1;
  return {
    callId: `call-${counter}`,
    agentId: 'A001',
    agentName: '张三',
    team: 'T1',
    startedAt: new Date('2026-10-08T02:00:00Z'),
    durationS: 120,
    direction: 'inbound',
    agentChannel: 'left',
    recordingStatus: 'none',
    ...overrides,
  };
}

/** A stereo transcript with one agent greeting; override segments for what the test is about. */
export function buildTranscript(callId: string, overrides: Partial<Transcript> = {}): Transcript {
  return {
    callId,
    language: 'zh',
    durationS: 60,
    speakerMode: 'stereo',
    speakerDecision: { method: 'channel', confidence: 1 },
    segments: [{ speaker: 'agent', start: 0, end: 2, text: '您好' }],
    source: 'asr',
    ...overrides,
  };
}

/** The rulebook's defaults with a fixed zone; override the rule under test. */
export function buildSamplingParams(overrides: Partial<SamplingParams> = {}): SamplingParams {
  return {
    rate: 0.01,
    shortCallS: 20,
    longCallS: 300,
    bands: [{ minScore: 0, multiplier: 1 }],
    exemptionQuota: 5,
    fullScore: 100,
    timeZone: 'Asia/Shanghai',
    ...overrides,
  };
}
