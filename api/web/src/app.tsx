import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AuthProvider, useAuth } from './auth.tsx';
import { AppHeader } from './components/app-header.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';

/*
 * Each signed-in page is its own chunk, loaded when first shown: the sign-in
 * page never loads echarts (the queue's plan chart) or wavesurfer (the call
 * page's player). Chunks come from /app/assets/ like the entry, so the CSP's
 * script-src 'self' covers them.
 */
const QueuePage = lazy(() => import('./pages/queue-page.tsx').then((m) => ({ default: m.QueuePage })));
const CallPage = lazy(() => import('./pages/call-page.tsx').then((m) => ({ default: m.CallPage })));
const MyCallsPage = lazy(() => import('./pages/my-calls-page.tsx').then((m) => ({ default: m.MyCallsPage })));

/** The app is served at /app/ (api/routes/web-app.ts); every deep link there loads this shell. */
export const BASENAME = '/app';

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#1f6feb' } }}
    >
      <AntApp>
        <AuthProvider>
          <BrowserRouter basename={BASENAME}>
            <Shell />
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

function Shell() {
  const { me } = useAuth();
  const { t } = useTranslation();
  const location = useLocation();
  const loading = (
    <div className="centred" role="status">
      <Spin aria-label={t('call.loading')} />
    </div>
  );
  if (me === undefined) return loading;
  if (me === null) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          path="*"
          element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />}
        />
      </Routes>
    );
  }
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <AppHeader />
      <main id="main" className="main">
        <Suspense fallback={loading}>
          <Routes>
            {/* An agent's home is their own calls; everyone else's is the review queue. */}
            <Route path="/" element={me.role === 'agent' ? <MyCallsPage /> : <QueuePage />} />
            {/* Just signed in: back to where the sign-in page was asked for. */}
            <Route
              path="/login"
              element={<Navigate to={(location.state as { from?: string } | null)?.from ?? '/'} replace />}
            />
            <Route path="/calls/:callId" element={<CallPage />} />
            <Route path="*" element={<NotFoundPage kind="page" />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
