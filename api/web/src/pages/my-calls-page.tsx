import { AudioMutedOutlined, AudioOutlined } from '@ant-design/icons';
import { type TableColumnsType, Alert, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { MyCall, MyCallsPage as Page } from '../../../contracts/my-calls.ts';
import { api, queryString } from '../api-client.ts';
import { LoadMore, useCursorPages } from '../components/cursor-pages.tsx';
import { errorText } from '../error-text.ts';
import { clock, dateTime } from '../format.ts';

/** An agent's home, GET /me/calls: their own sampled, scored calls, newest first; read-only. */
export function MyCallsPage() {
  const { t, i18n } = useTranslation();
  const fetchPage = useCallback(
    (after: string | null) => api<Page>('GET', `/me/calls${queryString({ cursor: after })}`),
    [],
  );
  const { items, cursor, loading, error, load } = useCursorPages<MyCall, Page>(fetchPage);
  useEffect(() => void load(null), [load]);

  const columns: TableColumnsType<MyCall> = [
    {
      title: t('myCalls.columns.call'),
      dataIndex: 'callId',
      render: (callId: string) => (
        <Link to={`/calls/${encodeURIComponent(callId)}`} aria-label={t('queue.open', { callId })}>
          {callId}
        </Link>
      ),
    },
    {
      title: t('myCalls.columns.startedAt'),
      dataIndex: 'startedAt',
      render: (at: string) => dateTime(at, i18n.language),
    },
    {
      title: t('myCalls.columns.duration'),
      dataIndex: 'durationS',
      align: 'right',
      render: (s: number) => clock(s),
    },
    {
      title: t('myCalls.columns.direction'),
      dataIndex: 'direction',
      render: (direction: MyCall['direction']) => t(`call.directions.${direction}`),
    },
    {
      title: t('myCalls.columns.reason'),
      dataIndex: 'sampleReason',
      render: (reason: string) => t(`reasons.${reason}`),
    },
    {
      title: t('myCalls.columns.score'),
      dataIndex: 'score',
      align: 'right',
      render: (score: number, item) => (
        <Space size={4}>
          <Typography.Text type={item.passed ? undefined : 'danger'}>{score}</Typography.Text>
          <Tag color={item.passed ? 'green' : 'red'}>
            {item.passed ? t('myCalls.passed') : t('myCalls.failed')}
          </Tag>
        </Space>
      ),
    },
    {
      title: t('myCalls.columns.review'),
      dataIndex: 'reviewed',
      render: (reviewed: boolean) =>
        reviewed ? <Tag color="blue">{t('myCalls.reviewed')}</Tag> : <Tag>{t('myCalls.notReviewed')}</Tag>,
    },
    {
      title: t('myCalls.columns.recording'),
      dataIndex: 'hasRecording',
      align: 'center',
      render: (has: boolean) =>
        has ? (
          <AudioOutlined role="img" aria-label={t('queue.hasRecording')} />
        ) : (
          <AudioMutedOutlined role="img" aria-label={t('queue.noRecording')} className="muted" />
        ),
    },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <h1 className="page-heading">{t('myCalls.title')}</h1>
      <Typography.Paragraph type="secondary">{t('myCalls.intro')}</Typography.Paragraph>
      {error !== null && <Alert type="error" role="alert" title={errorText(t, error)} />}
      <div data-testid="my-calls-table">
        <Table<MyCall>
          rowKey="callId"
          size="middle"
          columns={columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          locale={{ emptyText: t('myCalls.empty') }}
        />
      </div>
      <LoadMore count={items.length} cursor={cursor} loading={loading} onMore={() => void load(cursor)} />
    </Space>
  );
}
