import type { Speaker, Transcript, TranscriptSegment } from '../../models/transcript.ts';
import type { RuleHit } from './call-score.ts';
import {
  matchPhrase,
  mayMatch,
  prepareText,
  segmentKeys,
  type CompiledPhrase,
  type MatchableText,
  type PhraseIndex,
  type PhraseMatch,
} from './phrase-matcher.ts';
import { keysIn, soundText, type KeySet } from './sound-text.ts';
import type { PositionWindow, SpeakerScope } from './scorecard-schema.ts';

/** A phrase or regex found in one segment, before it is attributed to an item. */
export interface RawHit {
  phrase: string;
  segmentIndex: number;
  from: number;
  to: number;
  similarity: number;
  method: 'exact' | 'fuzzy' | 'regex' | 'pattern' | 'model';
}

/** A segment's normalised text, its sound text and sound keys, when someone already read it (assign-roles.ts). */
export interface SegmentReading {
  text: string;
  sound: string;
  keys: KeySet;
}

interface ScopeIndex {
  /** Segment indexes of the scope, in time order. */
  order: number[];
}

/**
 * One call as the rules see it: segments in time order, normalised lazily,
 * per-speaker utterance ranks for position windows, and a per-call cache of
 * phrase matches so a phrase used by several rules is searched once.
 */
export class CallView {
  readonly segments: TranscriptSegment[];
  /** Position of each (time-ordered) segment in transcript.segments, for evidence. */
  readonly originalIndex: number[];
  private readonly prepared: Array<MatchableText | undefined>;
  private readonly sounds: Array<string | undefined>;
  private readonly soundKeySets: Array<KeySet | undefined>;
  /** Company names from the call's context, for {company} slots. */
  companies: string[] = [];
  /**
   * Segments before this one are out of every scope: set while a closing rule
   * is judged, so a closing said before the customer reopened does not count.
   */
  floor = 0;
  /**
   * Segments (view indexes) where a forbidden or flat-no item already counted a violation or
   * cleared one by an exception: set before a learned rule runs, which leaves them out
   * (score-transcript.ts).
   */
  judgedViolations?: Set<number>;
  private readonly scopes = new Map<SpeakerScope, ScopeIndex>();
  /**
   * The phrase keys of each segment (`segmentKeys`), `index.words` words
   * each, filled on first use: one flat array per call keeps allocation (and
   * GC) small.
   */
  private phraseKeys?: Int32Array;
  private readonly phraseKeysReady: Uint8Array;
  /** Match cache by phrase slot, then segment; phrases outside the index use the map. */
  private readonly matchesBySlot: Array<Array<PhraseMatch | null | undefined> | undefined> = [];
  private readonly adHocMatches = new Map<CompiledPhrase, Array<PhraseMatch | null | undefined>>();

  /** The view index of transcript segment `original` (evidence carries transcript indexes). */
  viewIndexOf(original: number): number {
    return this.originalIndex.indexOf(original);
  }

  constructor(
    readonly transcript: Transcript,
    private readonly index?: PhraseIndex,
    /** By transcript index: what role assignment already computed, so no segment is normalised twice. */
    readings?: ReadonlyArray<SegmentReading | undefined>,
  ) {
    const order = transcript.segments.map((_, i) => i);
    order.sort((a, b) => {
      const x = transcript.segments[a];
      const y = transcript.segments[b];
      return x.start - y.start || x.end - y.end || a - b;
    });
    this.originalIndex = order;
    this.segments = order.map((i) => transcript.segments[i]);
    this.prepared = new Array<MatchableText | undefined>(this.segments.length);
    this.sounds = new Array<string | undefined>(this.segments.length);
    this.soundKeySets = new Array<KeySet | undefined>(this.segments.length);
    this.phraseKeysReady = new Uint8Array(this.segments.length);
    if (readings) {
      order.forEach((original, i) => {
        const reading = readings[original];
        if (!reading) return;
        this.prepared[i] = { text: reading.text };
        this.sounds[i] = reading.sound;
        this.soundKeySets[i] = reading.keys;
      });
    }
  }

  text(index: number): MatchableText {
    let prepared = this.prepared[index];
    if (!prepared) {
      prepared = prepareText(this.segments[index].text);
      this.prepared[index] = prepared;
    }
    return prepared;
  }

  /** The segment's normalised text spelled by sound (sound-text.ts), for intent patterns. */
  sound(index: number): string {
    let sound = this.sounds[index];
    if (sound === undefined) {
      sound = soundText(this.text(index).text);
      this.sounds[index] = sound;
    }
    return sound;
  }

  /** The sound keys present in the segment, so intents that cannot match are skipped. */
  soundKeys(index: number): KeySet {
    let keys = this.soundKeySets[index];
    if (keys === undefined) {
      keys = keysIn(this.sound(index));
      this.soundKeySets[index] = keys;
    }
    return keys;
  }

  match(phrase: CompiledPhrase, index: number): PhraseMatch | null {
    const indexed = this.index !== undefined && phrase.slot >= 0 && phrase.slot < this.index.size;
    // Most pairs are rejected here, before any cache lookup.
    if (indexed && !this.couldMatch(phrase.slot, index)) return null;
    const perSegment = indexed ? this.slotMatches(phrase.slot) : this.adHocMatchesOf(phrase);
    let found = perSegment[index];
    if (found === undefined) {
      found = matchPhrase(phrase, this.text(index));
      perSegment[index] = found;
    }
    return found;
  }

  private slotMatches(slot: number): Array<PhraseMatch | null | undefined> {
    let perSegment = this.matchesBySlot[slot];
    if (!perSegment) {
      perSegment = new Array<PhraseMatch | null | undefined>(this.segments.length);
      this.matchesBySlot[slot] = perSegment;
    }
    return perSegment;
  }

  private adHocMatchesOf(phrase: CompiledPhrase): Array<PhraseMatch | null | undefined> {
    let perSegment = this.adHocMatches.get(phrase);
    if (!perSegment) {
      perSegment = new Array<PhraseMatch | null | undefined>(this.segments.length);
      this.adHocMatches.set(phrase, perSegment);
    }
    return perSegment;
  }

  /** Only called with an index (see `match`). */
  private couldMatch(slot: number, index: number): boolean {
    const phraseIndex = this.index as PhraseIndex;
    const at = index * phraseIndex.words;
    this.phraseKeys ??= new Int32Array(phraseIndex.words * this.segments.length);
    if (this.phraseKeysReady[index] === 0) {
      segmentKeys(phraseIndex, this.text(index).text, this.phraseKeys, at);
      this.phraseKeysReady[index] = 1;
    }
    return mayMatch(phraseIndex, this.phraseKeys, at, slot);
  }

  scope(speaker: SpeakerScope): ScopeIndex {
    let index = this.scopes.get(speaker);
    if (!index) {
      const order: number[] = [];
      this.segments.forEach((segment, i) => {
        if (speaker === 'any' || segment.speaker === speaker) order.push(i);
      });
      index = { order };
      this.scopes.set(speaker, index);
    }
    return index;
  }

  /** Segment indexes of the scope inside the window (relative to the scope's own first/last utterance). */
  inScope(speaker: SpeakerScope, window?: PositionWindow): number[] {
    const inWindow = this.inWindow(speaker, window);
    return this.floor > 0 ? inWindow.filter((i) => i >= this.floor) : inWindow;
  }

  private inWindow(speaker: SpeakerScope, window?: PositionWindow): number[] {
    const { order } = this.scope(speaker);
    if (!window || order.length === 0) return order;
    if (window.first) {
      const { seconds, utterances } = window.first;
      const origin = this.segments[order[0]].start;
      const limit = utterances === undefined ? order.length : Math.min(utterances, order.length);
      return order
        .slice(0, limit)
        .filter((i) => seconds === undefined || this.segments[i].start < origin + seconds);
    }
    if (window.last) {
      const { seconds, utterances } = window.last;
      // A loop, not Math.max(...ends): spreading 100k+ arguments overflows the stack.
      const end = order.reduce((latest, i) => Math.max(latest, this.segments[i].end), -Infinity);
      const from = utterances === undefined ? 0 : Math.max(0, order.length - utterances);
      return order.slice(from).filter((i) => seconds === undefined || this.segments[i].end > end - seconds);
    }
    return order;
  }

  /** Time span of a hit, interpolated inside its segment by character position. */
  timeOf(hit: RawHit): { start: number; end: number } {
    const segment = this.segments[hit.segmentIndex];
    const length = Math.max(1, this.text(hit.segmentIndex).text.length);
    const span = segment.end - segment.start;
    return {
      start: segment.start + (span * hit.from) / length,
      end: segment.start + (span * hit.to) / length,
    };
  }

  speakerOf(index: number): Speaker {
    return this.segments[index].speaker;
  }
}

export interface EvidenceSettings {
  scorecardId: string;
  scorecardVersion: number;
  minSimilarity: number;
  minConfidence: number;
}

export function toRuleHit(
  view: CallView,
  hit: RawHit,
  itemId: string,
  settings: EvidenceSettings,
  exception: { excusedBy?: string; reviewBecause?: string } = {},
): RuleHit {
  const segment = view.segments[hit.segmentIndex];
  const { start, end } = view.timeOf(hit);
  const lowConfidence = segment.confidence !== undefined && segment.confidence < settings.minConfidence;
  return {
    scorecardId: settings.scorecardId,
    scorecardVersion: settings.scorecardVersion,
    itemId,
    phrase: hit.phrase,
    matchedText: view.text(hit.segmentIndex).text.slice(hit.from, hit.to),
    similarity: Math.round(hit.similarity * 1000) / 1000,
    method: hit.method,
    speaker: segment.speaker,
    segmentIndex: view.originalIndex[hit.segmentIndex],
    start: Math.round(start * 100) / 100,
    end: Math.round(end * 100) / 100,
    ...(segment.confidence !== undefined ? { confidence: segment.confidence } : {}),
    uncertain:
      lowConfidence || hit.similarity < settings.minSimilarity || exception.reviewBecause !== undefined,
    ...(exception.excusedBy !== undefined ? { excusedBy: exception.excusedBy } : {}),
    ...(exception.reviewBecause !== undefined ? { reviewBecause: exception.reviewBecause } : {}),
  };
}
