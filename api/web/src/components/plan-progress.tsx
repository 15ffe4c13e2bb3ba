import { Alert, Card, Col, Row, Statistic } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanProgress as Progress } from '../../../contracts/review.ts';
import { api, ApiFailure } from '../api-client.ts';
import { errorText } from '../error-text.ts';
import { dateTime } from '../format.ts';
import { EChart, type ChartOption } from './echart.tsx';

/** The month's QA plan (质检计划): totals and, per reviewer, quota vs assigned vs reviewed. */
export function PlanProgress({ month, refreshKey }: { month: string; refreshKey: number }) {
  const { t, i18n } = useTranslation();
  const [progress, setProgress] = useState<Progress | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api<Progress>('GET', `/review/plans/${month}`).then(
      (answer) => live && setProgress(answer),
      (failure: unknown) => {
        if (!live) return;
        if (failure instanceof ApiFailure && failure.status === 404) setProgress(null);
        else setError(failure);
      },
    );
    return () => {
      live = false;
    };
  }, [month, refreshKey]);

  const option = useMemo<ChartOption | null>(() => {
    if (!progress) return null;
    const names = progress.reviewers.map((r) => r.username);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('plan.quota'),
          type: 'bar',
          data: progress.reviewers.map((r) => r.quota),
          itemStyle: { color: '#c9d6e8' },
        },
        {
          name: t('plan.assigned'),
          type: 'bar',
          data: progress.reviewers.map((r) => r.assigned),
          itemStyle: { color: '#5b8ff9' },
        },
        {
          name: t('plan.reviewed'),
          type: 'bar',
          data: progress.reviewers.map((r) => r.reviewed),
          itemStyle: { color: '#3fb27f' },
        },
      ],
    };
    // The series names follow the language.
  }, [progress, t, i18n.language]);

  if (error) return <Alert type="error" title={errorText(t, error)} />;
  if (progress === undefined) return null;
  if (progress === null) return <Alert type="info" title={t('plan.none', { month })} data-testid="no-plan" />;
  const { totals } = progress;
  return (
    <Card
      title={<h2 className="card-heading">{t('plan.title', { month })}</h2>}
      extra={t('plan.createdBy', {
        user: progress.createdBy,
        at: dateTime(progress.createdAt, i18n.language),
      })}
      size="small"
      data-testid="plan-progress"
    >
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Row gutter={[8, 8]}>
            {(['sampled', 'scored', 'assigned', 'reviewed'] as const).map((key) => (
              <Col span={12} key={key}>
                <Statistic title={t(`plan.${key}`)} value={totals[key]} />
              </Col>
            ))}
          </Row>
        </Col>
        <Col xs={24} md={18}>
          {option && <EChart option={option} label={t('plan.chartLabel')} height={220} />}
        </Col>
      </Row>
    </Card>
  );
}
