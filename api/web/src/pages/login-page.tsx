import { Alert, Button, Card, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth.tsx';
import { errorText } from '../error-text.ts';
import { LANGUAGES, setLanguage, type Language } from '../i18n.ts';

/** Username and password; a refusal is shown by its code in the UI language. */
export function LoginPage() {
  const { t, i18n } = useTranslation();
  const { login } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      // Signed in, the app's routes take over and lead back to where the user was going (app.tsx).
      await login(values.username, values.password);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="centred" id="main">
      <Card
        title={<h1 className="card-heading">{t('app.title')}</h1>}
        style={{ width: 380 }}
        extra={
          <Select<Language>
            size="small"
            aria-label={t('header.language')}
            value={i18n.language === 'en' ? 'en' : 'zh-CN'}
            onChange={(language) => void setLanguage(language)}
            options={LANGUAGES.map((l) => ({ value: l, label: l === 'en' ? 'English' : '简体中文' }))}
          />
        }
      >
        <Form layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
          <Form.Item
            label={t('login.username')}
            name="username"
            rules={[{ required: true, message: t('login.required', { field: t('login.username') }) }]}
          >
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            label={t('login.password')}
            name="password"
            rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error !== null && (
            <Alert type="error" role="alert" title={errorText(t, error)} style={{ marginBottom: 16 }} />
          )}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
