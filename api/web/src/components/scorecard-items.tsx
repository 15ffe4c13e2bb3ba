import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RenderedReason, ReviewHit, ReviewItem } from '../../../contracts/review.ts';
import { currentLanguage } from '../i18n.ts';
import { clock } from '../format.ts';
import {
  effectiveStatus,
  itemDraft,
  type DecidedStatus,
  type HitVerdict,
  type ReviewDraft,
} from '../review/review-draft.ts';

const STATUS_COLOURS: Record<ReviewItem['status'], string> = {
  pass: 'green',
  fail: 'red',
  na: 'default',
  review: 'orange',
};

/** A decision's words in the UI language (the API sends both). */
export function reasonText(reason: RenderedReason): string {
  return reason.text[currentLanguage()];
}

export const hitId = (itemId: string, index: number) => `${itemId}#${index}`;

/** Needs-review items first, then failed ones, then the rest in card order. */
export function orderedItems(items: ReviewItem[]): ReviewItem[] {
  const rank = (item: ReviewItem) => (item.status === 'review' ? 0 : item.status === 'fail' ? 1 : 2);
  return items
    .map((item, order) => ({ item, order }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.order - b.order)
    .map((x) => x.item);
}

/**
 * The scorecard's items: the machine's verdict, its reason and evidence
 * (excused and borderline hits say why), and, for a reviewer, a verdict per
 * hit and per item.
 */
export function ScorecardItems({
  items,
  draft,
  reviewing,
  activeHit,
  onSeekHit,
  onHitVerdict,
  onItemStatus,
  onItemComment,
}: {
  items: ReviewItem[];
  draft: ReviewDraft;
  reviewing: boolean;
  activeHit: string | null;
  onSeekHit(item: ReviewItem, hit: ReviewHit): void;
  onHitVerdict(item: ReviewItem, hit: ReviewHit, verdict: HitVerdict): void;
  onItemStatus(item: ReviewItem, status: DecidedStatus | undefined): void;
  onItemComment(item: ReviewItem, comment: string): void;
}) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="small" data-testid="score-items">
      {orderedItems(items).map((item) => {
        const decided = itemDraft(draft, item.itemId);
        const status = effectiveStatus(draft, item);
        return (
          <Card
            key={item.itemId}
            size="small"
            className={item.status === 'review' ? 'item-card needs-review' : 'item-card'}
            data-item={item.itemId}
            title={
              <Space wrap size={4}>
                <span className="item-title">{item.title}</span>
                <Tag color={STATUS_COLOURS[item.status]}>{t(`items.statuses.${item.status}`)}</Tag>
                {status !== item.status && (
                  <Tag color={STATUS_COLOURS[status]} data-testid="reviewed-status">
                    → {t(`items.statuses.${status}`)}
                  </Tag>
                )}
                {item.deduction > 0 && (
                  <Tag color="red">{t('items.deduction', { points: item.deduction })}</Tag>
                )}
                {item.autoFail && <Tag color="magenta">{t('items.autoFail')}</Tag>}
              </Space>
            }
            extra={<Typography.Text type="secondary">{item.category}</Typography.Text>}
          >
            <Typography.Paragraph className="item-reason">{reasonText(item.reason)}</Typography.Paragraph>
            {item.evidence.length > 0 && (
              <ul className="evidence" aria-label={t('items.evidence')}>
                {item.evidence.map((hit) => {
                  const id = hitId(item.itemId, hit.index);
                  const verdict = decided.hits[hit.index];
                  return (
                    <li key={id} className={id === activeHit ? 'hit active' : 'hit'} data-hit={id}>
                      <Button
                        size="small"
                        type="link"
                        onClick={() => onSeekHit(item, hit)}
                        aria-label={t('items.seek', { time: clock(hit.start) })}
                      >
                        {clock(hit.start)}
                      </Button>
                      <Tag>{t(`speakers.${hit.speaker}`)}</Tag>
                      <span className="hit-text">{hit.matchedText}</span>{' '}
                      <Typography.Text type="secondary">{t(`items.methods.${hit.method}`)}</Typography.Text>
                      {hit.uncertain && <Tag color="orange">{t('items.uncertain')}</Tag>}
                      {hit.excusedBy && (
                        <div className="hit-note">
                          {t('items.excused', { reason: reasonText(hit.excusedBy) })}
                        </div>
                      )}
                      {hit.reviewBecause && (
                        <div className="hit-note borderline">
                          {t('items.borderline', { reason: reasonText(hit.reviewBecause) })}
                        </div>
                      )}
                      {reviewing && (
                        <Space size={4} className="hit-verdict">
                          <Button
                            size="small"
                            icon={<CheckOutlined />}
                            type={verdict === 'confirm' ? 'primary' : 'default'}
                            aria-pressed={verdict === 'confirm'}
                            aria-label={`${verdict === 'confirm' ? t('review.confirmed') : t('review.confirm')} ${clock(hit.start)} ${hit.matchedText}`}
                            onClick={() => onHitVerdict(item, hit, 'confirm')}
                          >
                            {verdict === 'confirm' ? t('review.confirmed') : t('review.confirm')}
                          </Button>
                          <Button
                            size="small"
                            danger
                            icon={<CloseOutlined />}
                            type={verdict === 'overturn' ? 'primary' : 'default'}
                            aria-pressed={verdict === 'overturn'}
                            aria-label={`${verdict === 'overturn' ? t('review.overturned') : t('review.overturn')} ${clock(hit.start)} ${hit.matchedText}`}
                            onClick={() => onHitVerdict(item, hit, 'overturn')}
                          >
                            {verdict === 'overturn' ? t('review.overturned') : t('review.overturn')}
                          </Button>
                        </Space>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
            {reviewing && (
              <Space wrap className="item-decision">
                <Select<DecidedStatus | 'machine'>
                  aria-label={t('review.itemStatus', { title: item.title })}
                  value={decided.status ?? 'machine'}
                  style={{ width: 180 }}
                  onChange={(value) => onItemStatus(item, value === 'machine' ? undefined : value)}
                  options={[
                    { value: 'machine', label: t('review.keepMachine') },
                    ...(['pass', 'fail', 'na'] as const).map((value) => ({
                      value,
                      label: t(`items.statuses.${value}`),
                    })),
                  ]}
                />
                <Input
                  aria-label={`${t('review.itemComment')}: ${item.title}`}
                  placeholder={t('review.itemComment')}
                  value={decided.comment}
                  maxLength={1000}
                  onChange={(event) => onItemComment(item, event.target.value)}
                  style={{ width: 260 }}
                />
              </Space>
            )}
          </Card>
        );
      })}
    </Space>
  );
}
