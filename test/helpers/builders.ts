import type { CallToStore } from '../../models/call-repository.ts';

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
