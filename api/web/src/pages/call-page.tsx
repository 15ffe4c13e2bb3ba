import { ArrowLeftOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Result,
  Row,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import type { CallReviewView, ReviewHit, ReviewItem, ReviewSaved } from '../../../contracts/review.ts';
import { api, ApiFailure } from '../api-client.ts';
import { useAuth } from '../auth.tsx';
import { ReviewForm } from '../components/review-form.tsx';
import { hitId, orderedItems, reasonText, ScorecardItems } from '../components/scorecard-items.tsx';
import { isTyping, ownsSpace, ShortcutHelp } from '../components/shortcut-help.tsx';
import { TranscriptView, type TranscriptHit } from '../components/transcript-view.tsx';
import { WaveformPlayer, type HitRegion, type PlayerHandle } from '../components/waveform-player.tsx';
import { errorText } from '../error-text.ts';
import { clock, dateTime } from '../format.ts';
import {
  emptyDraft,
  setHitVerdict,
  setItemComment,
  setItemStatus,
  submissionOf,
  type HitVerdict,
  type ReviewDraft,
} from '../review/review-draft.ts';
import { NotFoundPage } from './not-found-page.tsx';

interface FlatHit {
  id: string;
  item: ReviewItem;
  hit: ReviewHit;
}

/** GET /calls/:id/review: the call, its recording, transcript and scorecard, and the review form. */
export function CallPage() {
  const { callId = '' } = useParams();
  const { t } = useTranslation();
  const [view, setView] = useState<CallReviewView | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  // Kept here: a saved review reloads the view, which starts a fresh CallReview.
  const [saved, setSaved] = useState<ReviewSaved | null>(null);

  useEffect(() => {
    let live = true;
    setFailure(null);
    api<CallReviewView>('GET', `/calls/${encodeURIComponent(callId)}/review`).then(
      (answer) => live && setView(answer),
      (error: unknown) => live && setFailure(error),
    );
    return () => {
      live = false;
    };
  }, [callId, reloads]);
  useEffect(() => setSaved(null), [callId]);

  if (failure instanceof ApiFailure && failure.status === 404) return <NotFoundPage kind="call" />;
  if (failure instanceof ApiFailure && failure.status === 403) return <NotFoundPage kind="forbidden" />;
  if (failure) return <Result status="error" title={errorText(t, failure)} />;
  if (!view || view.call.callId !== callId) {
    return (
      <div className="centred" role="status">
        <Spin aria-label={t('call.loading')} />
      </div>
    );
  }
  const reload = () => setReloads((n) => n + 1);
  return (
    <CallReview
      key={`${callId}:${view.reviews[0]?.version ?? 0}`}
      view={view}
      saved={saved}
      onSaved={(answer) => {
        setSaved(answer);
        reload();
      }}
      reload={reload}
    />
  );
}

function CallReview({
  view,
  saved,
  onSaved,
  reload,
}: {
  view: CallReviewView;
  saved: ReviewSaved | null;
  onSaved(answer: ReviewSaved): void;
  reload(): void;
}) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const { me } = useAuth();
  const player = useRef<PlayerHandle>(null);
  const [time, setTime] = useState(0);
  const timeRef = useRef(0);
  const [draft, setDraft] = useState<ReviewDraft>(emptyDraft);
  const [activeHit, setActiveHit] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const { call, score, transcript, recording } = view;
  const reviewing = view.can.review && score !== null;

  const hits = useMemo<FlatHit[]>(
    () =>
      orderedItems(score?.items ?? [])
        .flatMap((item) => item.evidence.map((hit) => ({ id: hitId(item.itemId, hit.index), item, hit })))
        .sort((a, b) => a.hit.start - b.hit.start),
    [score],
  );
  const regions = useMemo<HitRegion[]>(
    () =>
      hits.map(({ id, item, hit }) => ({
        id,
        start: hit.start,
        end: hit.end,
        label: item.title,
        active: id === activeHit,
      })),
    [hits, activeHit],
  );
  const transcriptHits = useMemo<TranscriptHit[]>(
    () =>
      hits
        .filter(({ hit }) => hit.segmentIndex !== null)
        .map(({ id, item, hit }) => ({
          id,
          segmentIndex: hit.segmentIndex!,
          matchedText: hit.matchedText,
          itemTitle: item.title,
        })),
    [hits],
  );

  const seek = useCallback((seconds: number) => {
    player.current?.seek(seconds);
    timeRef.current = seconds;
    setTime(seconds);
  }, []);
  const goToHit = useCallback(
    (flat: FlatHit) => {
      setActiveHit(flat.id);
      seek(flat.hit.start);
      document.querySelector(`[data-hit="${CSS.escape(flat.id)}"]`)?.scrollIntoView({ block: 'nearest' });
    },
    [seek],
  );
  const verdict = useCallback((item: ReviewItem, hit: ReviewHit, value: HitVerdict) => {
    setActiveHit(hitId(item.itemId, hit.index));
    setDraft((current) => setHitVerdict(current, item, hit.index, value));
  }, []);

  // Space, N, C, O — not while typing in a field.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === ' ' && recording.url) {
        // Space on a focused control is that control's (a button's click, a switch's toggle).
        if (ownsSpace(event.target)) return;
        event.preventDefault();
        player.current?.playPause();
      } else if (key === 'n' && hits.length > 0) {
        const position = hits.findIndex((h) => h.id === activeHit);
        const next =
          position >= 0
            ? hits[(position + 1) % hits.length]
            : (hits.find((h) => h.hit.start > timeRef.current + 0.05) ?? hits[0]);
        goToHit(next);
      } else if ((key === 'c' || key === 'o') && reviewing && activeHit) {
        const flat = hits.find((h) => h.id === activeHit);
        if (flat) verdict(flat.item, flat.hit, key === 'c' ? 'confirm' : 'overturn');
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [hits, activeHit, reviewing, recording.url, goToHit, verdict]);

  async function submit(finalScore: number, passed: boolean) {
    setSubmitting(true);
    try {
      const answer = await api<ReviewSaved>(
        'POST',
        `/calls/${encodeURIComponent(call.callId)}/reviews`,
        submissionOf(view, draft, finalScore, passed),
      );
      onSaved(answer);
      void message.success(t('review.saved', { version: answer.version, score: answer.finalScore }));
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'review_conflict') {
        // Someone saved a version first: show it now (this draft was made on the old one), and say so.
        reload();
        modal.warning({ title: t('review.conflictTitle'), content: errorText(t, error) });
      } else {
        void message.error(errorText(t, error));
      }
    } finally {
      setSubmitting(false);
    }
  }

  const lang = i18n.language;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap className="page-title-row">
        <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate('/')}>
          {me?.role === 'agent' ? t('call.backToMyCalls') : t('call.back')}
        </Button>
        <h1 className="page-heading">{t('call.title', { callId: call.callId })}</h1>
        {score?.needsReview && <Tag color="orange">{t('queue.needsReviewTag')}</Tag>}
        <ShortcutHelp />
      </Space>

      {saved && (
        <Alert
          type="success"
          showIcon
          role="status"
          data-testid="review-saved"
          title={t('review.saved', { version: saved.version, score: saved.finalScore })}
        />
      )}

      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
          <Descriptions.Item label={t('call.agent')}>
            {call.agentName} ({call.agentId})
          </Descriptions.Item>
          <Descriptions.Item label={t('call.team')}>{call.teamId ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('call.startedAt')}>{dateTime(call.startedAt, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('call.duration')}>{clock(call.durationS)}</Descriptions.Item>
          <Descriptions.Item label={t('call.direction')}>
            {t(`call.directions.${call.direction}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('call.channel')}>
            {t(`call.channels.${call.agentChannel}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('call.sample')}>
            <span data-testid="sample-reason">
              {view.sample
                ? t('call.sampleDetail', {
                    reason: t(`reasons.${view.sample.reason}`),
                    month: view.sample.month,
                    runId: view.sample.runId,
                  })
                : t('call.notSampled')}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('call.outcome')}>
            {view.outcome ? (
              <span data-testid="outcome">
                {view.outcome.score} · {view.outcome.passed ? t('call.passed') : t('call.failed')} ·{' '}
                {t(`call.outcomeSources.${view.outcome.source}`)}
              </span>
            ) : (
              '—'
            )}
          </Descriptions.Item>
          {view.assignment && (
            <Descriptions.Item label={t('call.assignment')}>
              {view.assignment.reviewer} ({view.assignment.month})
            </Descriptions.Item>
          )}
          {view.processing && (
            <Descriptions.Item label={t('call.processing')}>
              {view.processing.state}
              {view.processing.failureCode ? ` (${view.processing.failureCode})` : ''}
            </Descriptions.Item>
          )}
        </Descriptions>
        {score && score.reviewReasons.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('call.reviewReasons')}
            description={
              <ul className="plain-list">
                {score.reviewReasons.map((reason, i) => (
                  <li key={i}>{reasonText(reason)}</li>
                ))}
              </ul>
            }
          />
        )}
      </Card>

      <Card size="small" title={<h2 className="card-heading">{t('recording.title')}</h2>}>
        {recording.url ? (
          <WaveformPlayer
            url={recording.url}
            durationS={transcript?.durationS ?? call.durationS}
            segments={transcript?.segments ?? []}
            regions={regions}
            onTime={(seconds) => {
              timeRef.current = seconds;
              setTime(seconds);
            }}
            onRegionClick={(id) => setActiveHit(id)}
            handle={player}
          />
        ) : (
          <Alert
            type="warning"
            showIcon
            data-testid="no-recording"
            title={t('recording.noRecording', { problem: problemText(t, recording.problem) })}
          />
        )}
      </Card>

      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Card size="small">
            {transcript ? (
              <TranscriptView
                transcript={transcript}
                time={time}
                hits={transcriptHits}
                activeHit={activeHit}
                onSeek={seek}
              />
            ) : (
              <Empty description={t('call.noTranscript')} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {score ? (
              <Card
                size="small"
                title={<h2 className="card-heading">{t('items.title')}</h2>}
                extra={t('items.score', { score: score.score, threshold: score.passThreshold })}
              >
                <ScorecardItems
                  items={score.items}
                  draft={draft}
                  reviewing={reviewing}
                  activeHit={activeHit}
                  onSeekHit={(item, hit) => goToHit({ id: hitId(item.itemId, hit.index), item, hit })}
                  onHitVerdict={verdict}
                  onItemStatus={(item, status) => setDraft((d) => setItemStatus(d, item.itemId, status))}
                  onItemComment={(item, comment) => setDraft((d) => setItemComment(d, item.itemId, comment))}
                />
              </Card>
            ) : (
              <Card size="small">
                <Empty description={t('call.noScore')} />
              </Card>
            )}
            {reviewing && score ? (
              <ReviewForm
                score={score}
                draft={draft}
                onChange={setDraft}
                currentTime={() => timeRef.current}
                submitting={submitting}
                onSubmit={(finalScore, passed) => void submit(finalScore, passed)}
              />
            ) : (
              !view.can.review && <Alert type="info" title={t('review.readOnly')} />
            )}
            <ReviewHistory view={view} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

function problemText(t: ReturnType<typeof useTranslation>['t'], problem: string | null): string {
  const code = problem ?? 'no_recording';
  return (
    t(`recording.problems.${code}`, { defaultValue: '' }) || t('recording.unknownProblem', { problem: code })
  );
}

function ReviewHistory({ view }: { view: CallReviewView }) {
  const { t, i18n } = useTranslation();
  return (
    <Card size="small" title={<h2 className="card-heading">{t('review.history')}</h2>}>
      {view.reviews.length === 0 ? (
        <Typography.Text type="secondary">{t('review.noReviews')}</Typography.Text>
      ) : (
        <ol className="plain-list" data-testid="review-history">
          {view.reviews.map((review) => (
            <li key={review.version}>
              <Typography.Text strong>
                {t('review.version', {
                  version: review.version,
                  reviewer: review.reviewer,
                  at: dateTime(review.createdAt, i18n.language),
                })}
              </Typography.Text>{' '}
              {t('review.versionScore', { computed: review.computedScore, final: review.finalScore })}{' '}
              <Tag color={review.passed ? 'green' : 'red'}>
                {review.passed ? t('call.passed') : t('call.failed')}
              </Tag>
              {review.exemplary && <Tag color="gold">{t('review.exemplary')}</Tag>}
              {review.comment && <div className="muted">{review.comment}</div>}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
