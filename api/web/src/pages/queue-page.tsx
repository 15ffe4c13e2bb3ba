import { AudioMutedOutlined, AudioOutlined, ExclamationCircleFilled } from '@ant-design/icons';
import {
  type TableColumnsType,
  Alert,
  AutoComplete,
  Button,
  Form,
  Input,
  InputNumber,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { MONTH, SAMPLE_REASONS, type QueueItem, type QueuePage as Page } from '../../../contracts/review.ts';
import { api, queryString } from '../api-client.ts';
import { PlanProgress } from '../components/plan-progress.tsx';
import { LoadMore, useCursorPages } from '../components/cursor-pages.tsx';
import { errorText } from '../error-text.ts';
import { clock, dateTime } from '../format.ts';

/** The filters, kept in the URL so a reload or a shared link shows the same queue. */
const FILTERS = [
  'month',
  'team',
  'agent',
  'reason',
  'needsReview',
  'scoreMin',
  'scoreMax',
  'status',
  'assignee',
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function filtersFrom(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** GET /review/queue: needs-review first, filtered, paged by cursor; the month's plan progress above. */
export function QueuePage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filterKey = params.toString();
  const [form] = Form.useForm<Filters>();
  const [month, setMonth] = useState<string | null>(null);
  const fetchPage = useCallback(
    async (after: string | null) => {
      const page = await api<Page>(
        'GET',
        `/review/queue${queryString({ ...filtersFrom(new URLSearchParams(filterKey)), cursor: after })}`,
      );
      setMonth(page.month);
      return page;
    },
    [filterKey],
  );
  const { items, cursor, loading, error, load } = useCursorPages<QueueItem, Page>(fetchPage);

  useEffect(() => {
    form.setFieldsValue({ status: 'todo', ...filtersFrom(new URLSearchParams(filterKey)) });
    void load(null);
  }, [filterKey, load, form]);

  function apply(values: Filters) {
    const next = new URLSearchParams();
    for (const key of FILTERS) {
      const value = values[key];
      if (value !== undefined && value !== null && String(value) !== '') next.set(key, String(value));
    }
    setParams(next);
  }

  const columns: TableColumnsType<QueueItem> = [
    {
      title: t('queue.columns.call'),
      dataIndex: 'callId',
      render: (callId: string, item) => (
        <Space size={4}>
          {item.needsReview && (
            <ExclamationCircleFilled className="needs-review-icon" aria-label={t('queue.needsReviewTag')} />
          )}
          <Link to={`/calls/${encodeURIComponent(callId)}`} aria-label={t('queue.open', { callId })}>
            {callId}
          </Link>
        </Space>
      ),
    },
    {
      title: t('queue.columns.agent'),
      dataIndex: 'agentName',
      render: (name: string, item) => (
        <span>
          {name} <Typography.Text type="secondary">{item.agentId}</Typography.Text>
        </span>
      ),
    },
    { title: t('queue.columns.team'), dataIndex: 'teamId', render: (team: string | null) => team ?? '—' },
    {
      title: t('queue.columns.startedAt'),
      dataIndex: 'startedAt',
      render: (at: string) => dateTime(at, i18n.language),
    },
    {
      title: t('queue.columns.duration'),
      dataIndex: 'durationS',
      render: (s: number) => clock(s),
      align: 'right',
    },
    {
      title: t('queue.columns.reason'),
      dataIndex: 'sampleReason',
      render: (reason: string) => t(`reasons.${reason}`),
    },
    {
      title: t('queue.columns.autoScore'),
      dataIndex: 'autoScore',
      align: 'right',
      render: (score: number, item) => (
        <Typography.Text type={item.autoPassed ? undefined : 'danger'}>{score}</Typography.Text>
      ),
    },
    {
      title: t('queue.columns.score'),
      dataIndex: 'score',
      align: 'right',
      render: (score: number, item) => (
        <Typography.Text type={item.passed ? undefined : 'danger'}>{score}</Typography.Text>
      ),
    },
    {
      title: t('queue.columns.review'),
      key: 'review',
      render: (_: unknown, item) => (
        <Space size={2} wrap>
          {item.needsReview && <Tag color="orange">{t('queue.needsReviewTag')}</Tag>}
          {item.reviewed ? (
            <Tag color="green">{t('queue.reviewedTag', { version: item.reviewVersion })}</Tag>
          ) : (
            <Tag>{t('queue.todoTag')}</Tag>
          )}
        </Space>
      ),
    },
    {
      title: t('queue.columns.assignee'),
      dataIndex: 'assignee',
      render: (who: string | null) =>
        who ?? <Typography.Text type="secondary">{t('queue.unassigned')}</Typography.Text>,
    },
    {
      title: t('queue.columns.recording'),
      dataIndex: 'hasRecording',
      align: 'center',
      render: (has: boolean) =>
        has ? (
          <AudioOutlined aria-label={t('queue.hasRecording')} />
        ) : (
          <AudioMutedOutlined aria-label={t('queue.noRecording')} className="muted" />
        ),
    },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <h1 className="page-heading">{t('queue.title')}</h1>
      {month && <PlanProgress month={month} refreshKey={0} />}
      <Form<Filters>
        form={form}
        layout="inline"
        onFinish={apply}
        className="filters"
        aria-label={t('queue.title')}
      >
        <Form.Item
          label={t('queue.month')}
          name="month"
          rules={[{ pattern: MONTH, message: t('queue.monthInvalid') }]}
        >
          <Input placeholder={month ?? t('queue.monthPlaceholder')} style={{ width: 110 }} />
        </Form.Item>
        <Form.Item label={t('queue.team')} name="team">
          <Input style={{ width: 100 }} />
        </Form.Item>
        <Form.Item label={t('queue.agent')} name="agent">
          <Input style={{ width: 110 }} />
        </Form.Item>
        <Form.Item label={t('queue.reason')} name="reason">
          <Select
            allowClear
            placeholder={t('queue.any')}
            style={{ width: 130 }}
            options={SAMPLE_REASONS.map((reason) => ({ value: reason, label: t(`reasons.${reason}`) }))}
          />
        </Form.Item>
        <Form.Item label={t('queue.scoreMin')} name="scoreMin">
          <InputNumber min={0} max={100} style={{ width: 80 }} stringMode />
        </Form.Item>
        <Form.Item label={t('queue.scoreMax')} name="scoreMax">
          <InputNumber min={0} max={100} style={{ width: 80 }} stringMode />
        </Form.Item>
        <Form.Item label={t('queue.needsReview')} name="needsReview">
          <Select
            allowClear
            placeholder={t('queue.any')}
            style={{ width: 90 }}
            options={[
              { value: 'true', label: t('queue.yes') },
              { value: 'false', label: t('queue.no') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('queue.status')} name="status">
          <Segmented
            options={(['todo', 'reviewed', 'all'] as const).map((status) => ({
              value: status,
              label: t(`queue.statuses.${status}`),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('queue.assignee')} name="assignee">
          <AutoComplete
            style={{ width: 120 }}
            placeholder={t('queue.assigneeMe')}
            options={[
              { value: 'me', label: t('queue.assigneeMe') },
              { value: 'all', label: t('queue.assigneeAll') },
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('queue.search')}
            </Button>
            <Button onClick={() => setParams(new URLSearchParams())}>{t('queue.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      {error !== null && <Alert type="error" role="alert" title={errorText(t, error)} />}
      <div data-testid="queue-table">
        <Table<QueueItem>
          rowKey="callId"
          size="middle"
          columns={columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          rowClassName={(item) => (item.needsReview ? 'row-needs-review' : '')}
          onRow={(item) => ({
            onClick: (event) => {
              // The link in the row handles its own clicks (and middle-clicks).
              if ((event.target as HTMLElement).closest('a')) return;
              void navigate(`/calls/${encodeURIComponent(item.callId)}`);
            },
            className: 'clickable-row',
          })}
        />
      </div>
      <LoadMore count={items.length} cursor={cursor} loading={loading} onMore={() => void load(cursor)} />
    </Space>
  );
}
