import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';

/**
 * A call that does not exist and a call the user may not see look the same
 * (the API answers 404 for both), so nobody learns which calls exist.
 */
export function NotFoundPage({ kind }: { kind: 'call' | 'page' | 'forbidden' }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const forbidden = kind === 'forbidden';
  return (
    <Result
      status={forbidden ? '403' : '404'}
      title={
        <h1 className="result-heading">{forbidden ? t('notFound.forbiddenTitle') : t('notFound.title')}</h1>
      }
      subTitle={
        <span data-testid={forbidden ? 'forbidden' : 'not-found'}>
          {kind === 'call' ? t('notFound.call') : forbidden ? t('notFound.forbidden') : t('notFound.page')}
        </span>
      }
      extra={
        <Button type="primary" onClick={() => void navigate('/')}>
          {t('notFound.home')}
        </Button>
      }
    />
  );
}
