import { describe, expect, it } from 'vitest';
import { checkTranscriptAgainstCall, parseTranscriptRecord } from '../../models/transcript-record.ts';
import { composeDialogue, type Dialogue } from '../../api/demo/compose-dialogue.ts';
import { demoTranscript, type DemoCallFacts } from '../../api/demo/demo-transcript.ts';
import { LOOK_ALIKES, TABOOS } from '../../api/demo/dialogue-lines.ts';

/** 600 calls shaped like the demo's: mostly 40–400 s, some hang-ups, a long tail; a few outbound and mono. */
function calls(
  seed: number,
): Array<{ facts: DemoCallFacts; dialogue: Dialogue; record: ReturnType<typeof demoTranscript>['record'] }> {
  return Array.from({ length: 600 }, (_, i) => {
    const facts: DemoCallFacts = {
      callId: `D2026100000${String(i).padStart(5, '0')}`,
      agentId: String(1001 + (i % 7)),
      agentName: '王芳',
      durationS: i % 20 === 0 ? 4 + (i % 15) : i % 50 === 1 ? 900 + i : 25 + ((i * 37) % 380),
      direction: i % 9 === 0 ? 'outbound' : 'inbound',
      agentChannel: i % 8 === 0 ? 'mono' : 'left',
    };
    const { dialogue, record } = demoTranscript(facts, seed);
    return { facts, dialogue, record };
  });
}

describe('demo dialogues', () => {
  const made = calls(1);

  it('open and close in many ways, not one template', () => {
    const openerKinds = new Set(made.map((m) => m.dialogue.features.opener));
    expect(openerKinds).toEqual(
      new Set(['informal', 'none', 'noNumber', 'outbound', 'scripted', 'short_call']),
    );
    const closingKinds = new Set(made.map((m) => m.dialogue.features.closing));
    expect(closingKinds).toEqual(new Set(['abrupt', 'bye', 'full', 'none', 'short_call', 'thanks']));
    // Distinct first lines (slots filled) and distinct last agent lines.
    expect(new Set(made.map((m) => m.dialogue.turns[0].said)).size).toBeGreaterThan(40);
    const lastAgent = made.map((m) => m.dialogue.turns.filter((t) => t.speaker === 'agent').at(-1)?.said);
    expect(new Set(lastAgent).size).toBeGreaterThan(30);
    expect(new Set(made.map((m) => m.dialogue.features.topic)).size).toBe(6);
    expect(made.some((m) => m.dialogue.features.reopened)).toBe(true);
    expect(made.some((m) => m.dialogue.features.hold === 'thanked')).toBe(true);
    expect(made.some((m) => m.dialogue.features.hold === 'plain')).toBe(true);
  });

  it('holds every family of 服务忌语 and every kind of harmless look-alike, in the words said', () => {
    for (const family of Object.keys(TABOOS) as Array<keyof typeof TABOOS>) {
      const withIt = made.filter((m) => m.dialogue.features.taboo === family);
      expect(withIt.length, family).toBeGreaterThan(3);
      for (const m of withIt)
        expect(
          m.dialogue.turns.some((t) => t.speaker === 'agent' && TABOOS[family].includes(t.said as never)),
        ).toBe(true);
    }
    for (const kind of Object.keys(LOOK_ALIKES) as Array<keyof typeof LOOK_ALIKES>) {
      const withIt = made.filter((m) => m.dialogue.features.lookAlike === kind);
      expect(withIt.length, kind).toBeGreaterThan(3);
      for (const m of withIt)
        expect(
          m.dialogue.turns.some((t) => t.speaker === 'agent' && LOOK_ALIKES[kind].includes(t.said as never)),
        ).toBe(true);
    }
    const clean = made.filter(
      (m) => !m.dialogue.features.taboo && m.dialogue.features.opener !== 'short_call',
    );
    expect(clean.length).toBeGreaterThan(made.length / 2);
  });

  it('has ASR slips at low confidence, mono calls with unknown speakers, and short and long calls', () => {
    const slipped = made.filter((m) => m.dialogue.features.slips > 0);
    expect(slipped.length).toBeGreaterThan(30);
    for (const m of slipped) {
      const changed = m.dialogue.turns.filter((t) => t.heard !== t.said);
      expect(changed.length).toBe(m.dialogue.features.slips);
      for (const t of changed) expect(t.confidence).toBeLessThan(0.75);
    }
    for (const m of made) {
      const speakers = new Set(m.record.segments.map((s) => s.speaker));
      if (m.facts.agentChannel === 'mono') expect([...speakers]).toEqual(['unknown']);
      else expect(speakers.has('unknown')).toBe(false);
      expect(m.record.segments.map((s) => s.text).join('')).not.toMatch(/[{}]/);
    }
    const lengths = made.map((m) => m.record.segments.length);
    expect(Math.min(...lengths)).toBeLessThanOrEqual(3);
    expect(Math.max(...lengths)).toBeGreaterThan(60);
  });

  it('times every turn in order within the call, and the import format accepts every transcript', () => {
    for (const m of made) {
      let previousEnd = 0;
      for (const s of m.record.segments) {
        expect(s.start).toBeGreaterThanOrEqual(previousEnd);
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.end).toBeLessThanOrEqual(m.facts.durationS);
        previousEnd = s.end;
      }
      // Speech fills a plausible share of a call that is not all hold music.
      if (m.facts.durationS > 45 && m.facts.durationS < 300)
        expect(previousEnd).toBeGreaterThan(m.facts.durationS * 0.7);
      const parsed = parseTranscriptRecord(m.record);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(checkTranscriptAgainstCall(parsed.transcript, m.facts.durationS)).toBeUndefined();
    }
  });

  it('is the same for the same seed and different for another', () => {
    const again = calls(1);
    expect(again.map((m) => m.record)).toEqual(made.map((m) => m.record));
    const other = calls(2);
    const same = other.filter((m, i) => JSON.stringify(m.record) === JSON.stringify(made[i].record)).length;
    expect(same).toBeLessThan(10);
    const request = {
      key: 'k',
      seed: 5,
      targetS: 120,
      agentId: '1001',
      agentName: '王芳',
      direction: 'inbound',
    } as const;
    expect(composeDialogue(request)).toEqual(composeDialogue(request));
  });
});
