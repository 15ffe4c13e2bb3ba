import { describe, expect, it } from 'vitest';
import { pathScrubber, scrubResponse } from '../../api/server-paths.ts';

/** scrubResponse copies only what it changes (the response hook runs on every answer). */
describe('scrubResponse', () => {
  const scrub = pathScrubber({ storageDir: '/srv/callqa/storage', recordingRoots: ['/mnt/rec'] });

  it('scrubs path fields at any depth and leaves the input as it was', () => {
    const input = {
      items: [
        { callId: 'c1', recording: '/mnt/rec/2026/a.wav', detail: { note: '/etc/passwd' } },
        { callId: 'c2', recording: null, failureReason: 'cannot open /srv/callqa/storage/x/b.wav' },
      ],
      message: 'ok',
    };
    const before = structuredClone(input);
    expect(scrubResponse(input, scrub)).toEqual({
      items: [
        { callId: 'c1', recording: '2026/a.wav', detail: { note: '/etc/passwd' } },
        { callId: 'c2', recording: null, failureReason: 'cannot open x/b.wav' },
      ],
      message: 'ok',
    });
    expect(input).toEqual(before);
  });

  it('returns untouched parts as they are, copying only the path to a change', () => {
    const clean = { segments: [{ text: 'hello' }], score: { items: [{ reason: { code: 'x' } }] } };
    expect(scrubResponse(clean, scrub)).toBe(clean);
    const mixed = { a: clean, b: { recording: '/mnt/rec/c.wav' } };
    const out = scrubResponse(mixed, scrub) as typeof mixed;
    expect(out).not.toBe(mixed);
    expect(out.a).toBe(clean);
    expect(out.b).toEqual({ recording: 'c.wav' });
    expect(mixed.b.recording).toBe('/mnt/rec/c.wav');
  });
});
