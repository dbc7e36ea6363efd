import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, session, setUnauthorizedHandler } from './api';
import { navigate } from './router';
import { queryClient } from './query';
import type { Me } from './types';

interface SessionValue {
  me: Me | null;
  ready: boolean;
  /** After a sign-in set the session cookie: load who this is (in `orgId` when given). */
  signIn: (orgId?: number) => Promise<void>;
  signOut: () => Promise<void>;
  switchOrg: (orgId: number) => void;
}

const Ctx = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  // Bumped on org switch so every screen remounts and reloads in the new organization.
  const [epoch, setEpoch] = useState(0);

  const loadMe = useCallback(async () => {
    if (!session.signedIn) {
      setMe(null);
      return;
    }
    try {
      const m = await api.get<Me>('/me');
      setMe(m);
      if (!session.orgId) session.setOrg(m.organization_id);
    } catch (e) {
      // Only the server saying the session is over ends it. A request cut short (a page left mid-load, the
      // network gone for a moment) keeps the cookie, so the next page load is still signed in.
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) session.clear();
      setMe(null);
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      session.clear();
      setMe(null);
      navigate('/signin', true);
    });
    loadMe().finally(() => setReady(true));
  }, [loadMe]);

  const value: SessionValue = {
    me,
    ready,
    signIn: async (orgId) => {
      // The cache holds another account's (or organization's) answers: start empty.
      queryClient.clear();
      if (orgId) session.setOrg(orgId);
      await loadMe();
    },
    signOut: async () => {
      try {
        await api.post('/auth/logout');
      } catch {
        /* the cookie is forgotten here either way */
      }
      session.clear();
      queryClient.clear();
      setMe(null);
      navigate('/signin');
    },
    switchOrg: (orgId) => {
      session.setOrg(orgId);
      queryClient.clear();
      void loadMe().then(() => setEpoch((e) => e + 1));
    },
  };
  return (
    <Ctx.Provider value={value}>
      <div key={epoch} style={{ display: 'contents' }}>
        {children}
      </div>
    </Ctx.Provider>
  );
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
