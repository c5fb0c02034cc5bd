/**
 * The session token survives a reload (sessionStorage: gone when the tab closes; the server's
 * sessions live 24 h and a wallet holds at most 10, SPEC §5). Logout removes it.
 */
const SESSION_KEY = 'tap.session.v1';

export interface StoredSession {
  token: string;
  address: string;
}

export function loadSession(storage: Storage = sessionStorage): StoredSession | null {
  try {
    const parsed = JSON.parse(storage.getItem(SESSION_KEY) ?? 'null') as StoredSession | null;
    return parsed && typeof parsed.token === 'string' && typeof parsed.address === 'string' ? parsed : null;
  } catch {
    return null; // A garbled entry is the same as none: the trader signs in again.
  }
}

export function saveSession(session: StoredSession | null, storage: Storage = sessionStorage): void {
  if (session) storage.setItem(SESSION_KEY, JSON.stringify(session));
  else storage.removeItem(SESSION_KEY);
}
