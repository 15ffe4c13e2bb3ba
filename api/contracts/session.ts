/**
 * What a browser must send with the session cookie: shared by the access hook
 * (api/auth/access.ts) and the web app (api/web/), so the two cannot drift.
 * Nothing here may import Node-only modules.
 */

/** Cookie-authenticated requests that change something must carry this header (any value). */
export const CSRF_HEADER = 'x-requested-with';
