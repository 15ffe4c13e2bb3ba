import { Switch, Tag } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallReviewView } from '../../../contracts/review.ts';
import { clock } from '../format.ts';
import { SPEAKER_COLOURS } from './waveform-player.tsx';

type Transcript = NonNullable<CallReviewView['transcript']>;

/** A rule hit as the transcript shows it. */
export interface TranscriptHit {
  id: string;
  segmentIndex: number;
  matchedText: string;
  itemTitle: string;
}

/** The segment being played: the last one that started at or before the time. */
export function segmentAt(segments: Transcript['segments'], seconds: number): number | null {
  let found: number | null = null;
  for (const segment of segments) {
    if (segment.start <= seconds + 0.05) found = segment.index;
    else break;
  }
  return found;
}

/** The text with each hit's words marked, where the words occur as written. */
function marked(text: string, hits: TranscriptHit[], activeHit: string | null): ReactNode[] {
  const spans: { from: number; to: number; id: string }[] = [];
  for (const hit of hits) {
    const at = hit.matchedText ? text.indexOf(hit.matchedText) : -1;
    if (at >= 0 && !spans.some((s) => at < s.to && at + hit.matchedText.length > s.from)) {
      spans.push({ from: at, to: at + hit.matchedText.length, id: hit.id });
    }
  }
  spans.sort((a, b) => a.from - b.from);
  const parts: ReactNode[] = [];
  let cursor = 0;
  for (const span of spans) {
    parts.push(text.slice(cursor, span.from));
    parts.push(
      <mark key={span.id} className={span.id === activeHit ? 'hit-mark active' : 'hit-mark'}>
        {text.slice(span.from, span.to)}
      </mark>,
    );
    cursor = span.to;
  }
  parts.push(text.slice(cursor));
  return parts;
}

/**
 * The transcript, following playback: the segment being heard is highlighted
 * and kept in view; segments with rule hits are marked; a click seeks.
 */
export function TranscriptView({
  transcript,
  time,
  hits,
  activeHit,
  onSeek,
}: {
  transcript: Transcript;
  time: number;
  hits: TranscriptHit[];
  activeHit: string | null;
  onSeek(seconds: number): void;
}) {
  const { t } = useTranslation();
  const box = useRef<HTMLOListElement>(null);
  const [follow, setFollow] = useState(true);
  const current = segmentAt(transcript.segments, time);

  useEffect(() => {
    if (!follow || current === null || !box.current) return;
    const row = box.current.querySelector<HTMLElement>(`[data-segment="${current}"]`);
    // Scroll the list only, never the page (the reviewer may be typing in the form).
    if (row) box.current.scrollTo({ top: row.offsetTop - box.current.clientHeight / 3, behavior: 'smooth' });
  }, [current, follow]);

  return (
    <section aria-labelledby="transcript-heading">
      <div className="section-head">
        <h2 id="transcript-heading" className="card-heading">
          {t('transcript.title')}
        </h2>
        <label className="inline-label">
          <Switch size="small" checked={follow} onChange={setFollow} aria-label={t('transcript.follow')} />{' '}
          {t('transcript.follow')}
        </label>
      </div>
      <ol className="transcript" ref={box} data-testid="transcript">
        {transcript.segments.map((segment) => {
          const segmentHits = hits.filter((hit) => hit.segmentIndex === segment.index);
          const classes = ['segment', `speaker-${segment.speaker}`];
          if (segment.index === current) classes.push('current');
          if (segmentHits.length > 0) classes.push('has-hit');
          return (
            <li key={segment.index} data-segment={segment.index} className={classes.join(' ')}>
              <button
                type="button"
                className="segment-button"
                onClick={() => onSeek(segment.start)}
                aria-current={segment.index === current ? 'true' : undefined}
              >
                <span className="segment-time">{clock(segment.start)}</span>
                <Tag color={SPEAKER_COLOURS[segment.speaker]} className="segment-speaker">
                  {t(`speakers.${segment.speaker}`)}
                </Tag>
                <span className="segment-text">{marked(segment.text, segmentHits, activeHit)}</span>
                {segmentHits.length > 0 && (
                  <span className="segment-hits">
                    {t('transcript.hitsIn', {
                      items: [...new Set(segmentHits.map((h) => h.itemTitle))].join('、'),
                    })}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
