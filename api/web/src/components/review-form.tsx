import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Statistic,
  Switch,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallReviewView } from '../../../contracts/review.ts';
import { clock } from '../format.ts';
import {
  computedTotal,
  undecidedItems,
  type AddedDeduction,
  type ReviewDraft,
} from '../review/review-draft.ts';

type Score = NonNullable<CallReviewView['score']>;

interface DeductionForm {
  itemId: string;
  start: number;
  end: number;
  points: number;
  comment: string;
}

/**
 * The rest of a review beside the per-item verdicts: added deductions (time
 * span prefilled from the playback position), the overall comment, the
 * computed total (live, by the shared total-score definition), the final
 * score and pass/fail, and the exemplary-recording mark (优秀录音).
 */
export function ReviewForm({
  score,
  draft,
  onChange,
  currentTime,
  submitting,
  onSubmit,
}: {
  score: Score;
  draft: ReviewDraft;
  onChange(draft: ReviewDraft): void;
  currentTime(): number;
  submitting: boolean;
  onSubmit(finalScore: number, passed: boolean): void;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const [addForm] = Form.useForm<DeductionForm>();
  const computed = computedTotal(score, draft) ?? {
    score: score.score,
    passed: score.passed,
    autoFailed: score.autoFailed,
  };
  const finalScore = draft.finalScore ?? computed.score;
  const passed = draft.passed ?? (!computed.autoFailed && finalScore >= score.passThreshold);
  const differs = finalScore !== computed.score;
  const needsComment = differs && draft.comment.trim() === '';
  const undecided = undecidedItems(score, draft);
  const titleOf = (itemId: string) => score.items.find((item) => item.itemId === itemId)?.title ?? itemId;

  function openAdd() {
    const at = Math.round(currentTime() * 10) / 10;
    const first = score.items[0];
    addForm.setFieldsValue({
      itemId: first?.itemId,
      start: at,
      end: Math.round((at + 5) * 10) / 10,
      points: first?.points ?? 0,
      comment: '',
    });
    setAdding(true);
  }

  function add(values: DeductionForm) {
    const deduction: AddedDeduction = { key: Date.now(), ...values, comment: values.comment.trim() };
    onChange({ ...draft, added: [...draft.added, deduction] });
    setAdding(false);
  }

  return (
    <Card
      size="small"
      title={<h2 className="card-heading">{t('review.title')}</h2>}
      data-testid="review-form"
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <div>
          <Typography.Text strong>{t('review.addedDeductions')}</Typography.Text>
          <ul className="added-deductions" data-testid="added-deductions">
            {draft.added.map((added) => (
              <li key={added.key}>
                <span>
                  {titleOf(added.itemId)} · {clock(added.start)}–{clock(added.end)} · −{added.points} ·{' '}
                  {added.comment}
                </span>
                <Button
                  size="small"
                  type="text"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('review.remove')}
                  onClick={() =>
                    onChange({ ...draft, added: draft.added.filter((a) => a.key !== added.key) })
                  }
                />
              </li>
            ))}
          </ul>
          <Button icon={<PlusOutlined />} onClick={openAdd} data-testid="add-deduction">
            {t('review.addDeduction')}
          </Button>
        </div>

        <label className="block-label">
          {t('review.comment')}
          <Input.TextArea
            aria-label={t('review.comment')}
            value={draft.comment}
            maxLength={4000}
            autoSize={{ minRows: 2, maxRows: 6 }}
            status={needsComment ? 'error' : undefined}
            onChange={(event) => onChange({ ...draft, comment: event.target.value })}
          />
        </label>

        <Space size="large" wrap align="end">
          <Statistic title={t('review.computed')} value={computed.score} data-testid="computed-score" />
          <label className="block-label">
            {t('review.finalScore')}
            <InputNumber
              aria-label={t('review.finalScore')}
              min={0}
              max={100}
              step={0.5}
              value={finalScore}
              onChange={(value) => onChange({ ...draft, finalScore: value === null ? null : Number(value) })}
              data-testid="final-score"
            />
          </label>
          <label className="inline-label">
            <Switch
              checked={passed}
              onChange={(value) => onChange({ ...draft, passed: value })}
              aria-label={t('review.passed')}
            />{' '}
            {t('review.passed')}
          </label>
        </Space>
        {needsComment && <Alert type="warning" showIcon title={t('review.finalDiffers')} />}

        <Checkbox
          checked={draft.exemplary}
          onChange={(event) => onChange({ ...draft, exemplary: event.target.checked })}
        >
          {t('review.exemplary')}
        </Checkbox>
        {draft.exemplary && (
          <Input
            aria-label={t('review.exemplaryNote')}
            placeholder={t('review.exemplaryNote')}
            maxLength={1000}
            value={draft.exemplaryNote}
            onChange={(event) => onChange({ ...draft, exemplaryNote: event.target.value })}
          />
        )}

        {undecided.length > 0 && (
          <Alert
            type="info"
            showIcon
            title={t('review.undecided', { items: undecided.map((i) => i.title).join('、') })}
          />
        )}
        <Button
          type="primary"
          block
          loading={submitting}
          disabled={needsComment || undecided.length > 0}
          onClick={() => onSubmit(finalScore, passed)}
          data-testid="submit-review"
        >
          {t('review.submit')}
        </Button>
      </Space>

      <Modal
        open={adding}
        title={t('review.addDeduction')}
        okText={t('review.add')}
        cancelText={t('review.cancel')}
        onOk={() => addForm.submit()}
        onCancel={() => setAdding(false)}
        destroyOnHidden
        forceRender
      >
        <Typography.Paragraph type="secondary">{t('review.fromPlayback')}</Typography.Paragraph>
        <Form<DeductionForm> form={addForm} layout="vertical" onFinish={add} data-testid="deduction-form">
          <Form.Item label={t('review.deductionItem')} name="itemId" rules={[{ required: true }]}>
            <Select
              options={score.items.map((item) => ({ value: item.itemId, label: item.title }))}
              onChange={(itemId: string) =>
                addForm.setFieldValue(
                  'points',
                  score.items.find((item) => item.itemId === itemId)?.points ?? 0,
                )
              }
            />
          </Form.Item>
          <Space>
            <Form.Item label={t('review.deductionStart')} name="start" rules={[{ required: true }]}>
              <InputNumber min={0} step={0.1} />
            </Form.Item>
            <Form.Item label={t('review.deductionEnd')} name="end" rules={[{ required: true }]}>
              <InputNumber min={0} step={0.1} />
            </Form.Item>
            <Form.Item label={t('review.deductionPoints')} name="points" rules={[{ required: true }]}>
              <InputNumber min={0} max={100} step={0.5} />
            </Form.Item>
          </Space>
          <Form.Item
            label={t('review.deductionComment')}
            name="comment"
            rules={[{ required: true, whitespace: true, message: t('review.deductionCommentRequired') }]}
          >
            <Input.TextArea maxLength={1000} autoSize={{ minRows: 2 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
