import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import { LANGUAGES, setLanguage, type Language } from '../i18n.ts';

const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '简体中文', en: 'English' };

/** Who is signed in and as what, the language switch, sign-out. */
export function AppHeader() {
  const { t, i18n } = useTranslation();
  const { me, logout } = useAuth();
  const navigate = useNavigate();
  if (!me) return null;
  return (
    <header className="app-header">
      <Link to="/" className="app-title">
        {t('app.title')}
      </Link>
      <nav aria-label={t('header.navigation')}>
        <Link to="/">{me.role === 'agent' ? t('header.myCalls') : t('header.queue')}</Link>
      </nav>
      <Space size="middle" className="app-header-right">
        <span aria-label={t('header.user')} data-testid="current-user">
          <UserOutlined /> <Typography.Text strong>{me.username}</Typography.Text>{' '}
          <Tag>{t(`header.roles.${me.role}`)}</Tag>
        </span>
        <Select<Language>
          aria-label={t('header.language')}
          value={i18n.language === 'en' ? 'en' : 'zh-CN'}
          onChange={(language) => void setLanguage(language)}
          options={LANGUAGES.map((language) => ({ value: language, label: LANGUAGE_NAMES[language] }))}
          style={{ width: 120 }}
        />
        <Button icon={<LogoutOutlined />} onClick={() => void logout().then(() => navigate('/login'))}>
          {t('header.logout')}
        </Button>
      </Space>
    </header>
  );
}
