import { describe, expect, it } from 'vitest';
import { maskResponse, masksPersonalDataFor } from '../../api/personal-data-masking.ts';

describe('maskResponse', () => {
  it('masks every string of an audit page, nested values included, but not ids and codes', () => {
    const page = {
      entries: [
        {
          id: 7,
          actor: 'admin-1',
          action: 'calls.ingest',
          callId: '13812345678',
          before: { note: '回拨13812345678' },
          after: { note: '回拨13812345678', tags: ['身份证110101199003071234'] },
        },
      ],
      code: '13812345678',
    };
    expect(maskResponse(page)).toEqual({
      entries: [
        {
          id: 7,
          actor: 'admin-1',
          action: 'calls.ingest',
          callId: '13812345678',
          before: { note: '回拨138****5678' },
          after: { note: '回拨138****5678', tags: ['身份证110101********1234'] },
        },
      ],
      code: '13812345678',
    });
    expect(maskResponse({ callIds: ['13812345678'] })).toEqual({ callIds: ['13812345678'] });
  });

  it('masks agents always, the listed roles too, and no request without an actor', () => {
    expect(masksPersonalDataFor({ role: 'agent' }, [])).toBe(true);
    expect(masksPersonalDataFor({ role: 'qa' }, ['agent'])).toBe(false);
    expect(masksPersonalDataFor({ role: 'supervisor' }, ['agent', 'supervisor'])).toBe(true);
    expect(masksPersonalDataFor(undefined, ['agent', 'qa', 'supervisor', 'admin'])).toBe(false);
  });
});
