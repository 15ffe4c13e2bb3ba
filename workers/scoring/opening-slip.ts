import type { Transcript } from '../../models/transcript.ts';
import { timeOrder } from './assign-roles.ts';
import type { CompiledScorecard } from './compile-scorecard.ts';
import { normaliseText } from './normalise-text.ts';
import { keysIn, soundText } from './sound-text.ts';

/**
 * The agent's greeting credited to the customer: an export or diarisation
 * slip in the opening of a transcript whose speakers were labelled by
 * someone (an import, a chat export, a diariser), never by channel. A turn
 * among the call's first OPENING_TURNS that the transcript gives the customer
 * but that holds the card's hello *and* its offer of help
 * (您好，这里是清研护肤旗舰店，客服小研在线，请问有什么可以帮您～) can only be the
 * agent's: a customer does not offer the centre's help in its name. It is
 * scored as the agent's, and the speaker decision says so. A customer's own
 * 你好, even naming the company (你好，是邮政客服吧), stays theirs, and so does
 * any greeting after the agent has already greeted. Pure.
 */
const OPENING_TURNS = 3;

export function correctOpeningSlips(
  compiled: CompiledScorecard,
  transcript: Transcript,
  companies: string[] = [],
): Transcript {
  const hello = compiled.intents.get('hello');
  const offer = compiled.intents.get('offer');
  if (!hello || !offer || transcript.speakerDecision.method === 'channel') return transcript;
  const slips: number[] = [];
  for (const index of timeOrder(transcript).slice(0, OPENING_TURNS)) {
    const segment = transcript.segments[index];
    if (segment.speaker === 'unknown') continue;
    const sound = soundText(normaliseText(segment.text));
    const keys = keysIn(sound);
    if (!hello.find(sound, companies, keys)) continue;
    // The agent greeted first: a greeting after it is not the agent's lost one.
    if (segment.speaker === 'agent') break;
    if (offer.find(sound, companies, keys)) slips.push(index);
  }
  if (slips.length === 0) return transcript;
  const slipped = new Set(slips);
  const note = `segment ${slips.join(', ')}: the agent's greeting, credited to the customer, scored as the agent's`;
  return {
    ...transcript,
    segments: transcript.segments.map((segment, index) =>
      slipped.has(index) ? { ...segment, speaker: 'agent' } : segment,
    ),
    speakerDecision: {
      ...transcript.speakerDecision,
      note: transcript.speakerDecision.note ? `${transcript.speakerDecision.note}; ${note}` : note,
    },
  };
}
