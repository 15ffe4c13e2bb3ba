import { mulberry32 } from '../../models/mulberry32.ts';
import {
  composeDialogue,
  dialogueSeed,
  speakingSeconds,
  type Dialogue,
  type DialogueTurn,
} from './compose-dialogue.ts';

/** A transcript in the import format (`callqa import-transcripts`, `POST /calls/:id/transcript`). */
export interface TranscriptRecord {
  call_id: string;
  language: string;
  segments: Array<{
    speaker: 'agent' | 'customer' | 'unknown';
    start: number;
    end: number;
    text: string;
    confidence: number;
  }>;
}

export interface DemoCallFacts {
  callId: string;
  agentId: string;
  agentName: string;
  durationS: number;
  direction: 'inbound' | 'outbound';
  agentChannel: 'left' | 'right' | 'mono';
}

/**
 * The demo transcript of a call: a dialogue composed for its length, timed to
 * fit inside it. Mono calls get `unknown` speakers, which scoring assigns from
 * what is said, as it does for mono recordings.
 */
export function demoTranscript(
  call: DemoCallFacts,
  seed: number,
): { record: TranscriptRecord; dialogue: Dialogue } {
  const dialogue = composeDialogue({
    key: call.callId,
    seed,
    targetS: call.durationS,
    agentId: call.agentId,
    agentName: call.agentName,
    direction: call.direction,
  });
  const random = mulberry32(dialogueSeed(call.callId, seed + 1));
  const times = timeTurns(dialogue.turns, call.durationS, random);
  return {
    dialogue,
    record: {
      call_id: call.callId,
      language: 'zh',
      segments: dialogue.turns.map((turn, i) => ({
        speaker: call.agentChannel === 'mono' ? 'unknown' : turn.speaker,
        start: times[i][0],
        end: times[i][1],
        text: turn.heard,
        confidence: turn.confidence,
      })),
    },
  };
}

/**
 * Start and end of each turn within `durationS`: speech at 3.8–5.5 characters
 * a second, pauses of 0.2–1.2 s between turns, a wait before a turn after a
 * hold; time left over goes mostly to the hold (or spreads over the pauses),
 * and a call too short for what is said is spoken faster.
 */
export function timeTurns(
  turns: readonly DialogueTurn[],
  durationS: number,
  random: () => number,
): Array<[number, number]> {
  const speech = turns.map((t) => speakingSeconds(t.said, 3.8 + random() * 1.7));
  const gaps = turns.map((t, i) =>
    i === 0 ? 0.3 + random() * 1.2 : t.afterHold ? 8 + random() * 20 : 0.2 + random() * 1,
  );
  const tail = 0.3 + random() * 1.5;
  const needed = sum(speech) + sum(gaps) + tail;
  const room = Math.max(0.5, durationS - 0.05);
  if (needed > room) {
    const scale = room / needed;
    for (let i = 0; i < turns.length; i++) {
      speech[i] *= scale;
      gaps[i] *= scale;
    }
  } else {
    let spare = room - needed;
    const holdAt = turns.findIndex((t) => t.afterHold);
    if (holdAt >= 0) {
      const toHold = spare * (0.5 + random() * 0.3);
      gaps[holdAt] += toHold;
      spare -= toHold;
    }
    // The rest: a little more at the end (the line stays open), the most into the pauses.
    const toTail = Math.min(spare, 2 + random() * 4);
    spare -= toTail;
    const pauses = sum(gaps.slice(1)) || 1;
    for (let i = 1; i < gaps.length; i++) gaps[i] += (spare * gaps[i]) / pauses;
    if (gaps.length === 1) gaps[0] += spare;
  }
  const times: Array<[number, number]> = [];
  let at = 0;
  for (let i = 0; i < turns.length; i++) {
    const start = at + gaps[i];
    const end = start + speech[i];
    times.push([round2(start), Math.min(round2(end), Math.floor(durationS * 100) / 100)]);
    at = end;
  }
  return times;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round2 = (n: number) => Math.round(n * 100) / 100;
