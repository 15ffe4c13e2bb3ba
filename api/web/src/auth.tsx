import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiFailure, whenUnauthenticated, type Me } from './api-client.ts';

interface Auth {
  /** undefined while asking the server, null when signed out. */
  me: Me | null | undefined;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

/** Who is signed in (GET /auth/me), sign-in and sign-out; a 401 anywhere signs the UI out. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    whenUnauthenticated(() => setMe(null));
    api<Me>('GET', '/auth/me').then(setMe, (error: unknown) => {
      if (error instanceof ApiFailure && error.status === 401) setMe(null);
      else setMe(null);
    });
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    await api('POST', '/auth/login', { username, password });
    setMe(await api<Me>('GET', '/auth/me'));
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('POST', '/auth/logout');
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, login, logout }), [me, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
