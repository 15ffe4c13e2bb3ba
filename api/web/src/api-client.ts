import { CSRF_HEADER } from '../../contracts/session.ts';

/** An API refusal: the HTTP status and the stable code the server sent; words are the UI's (errors.*). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET /auth/me. */
export interface Me {
  userId: number;
  username: string;
  role: 'agent' | 'qa' | 'supervisor' | 'admin';
  agentId: string | null;
  teams: string[];
}

let onUnauthenticated: () => void = () => {};
/** Called when any request answers 401: the session ended, so the app shows the sign-in page. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * One request to the API on this origin. The session cookie rides along
 * (httpOnly, SameSite=Strict); every request that changes something carries
 * the CSRF header the access hook checks (api/auth/access.ts).
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers[CSRF_HEADER] = 'callqa-web';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiFailure(0, 'network_error', String(error));
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const { code, message } = (payload ?? {}) as { code?: string; message?: string };
    if (response.status === 401 && path !== '/auth/login') onUnauthenticated();
    throw new ApiFailure(response.status, code ?? `http_${response.status}`, message ?? response.statusText);
  }
  return payload as T;
}

/** A query string from the set values of a filter object. */
export function queryString(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
