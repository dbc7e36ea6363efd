import { assertCan, type AuthContext } from '../access/roles.js';
import type { StatusRepository } from './status.repository.js';

export interface StatusWord {
  key: string;
  category: string;
  is_default: boolean;
  position: number;
}

/**
 * The organization's live statuses as a vocabulary (key, category, default, order), without the lead counts
 * that `listStatuses` computes: what compatible surfaces read on every request to translate their status
 * names, so it must not cost a count over all leads (about 75 ms at 100k leads on SQLite).
 */
export function createStatusVocabulary({ statuses }: { statuses: StatusRepository }) {
  return {
    async listStatusWords(auth: AuthContext): Promise<StatusWord[]> {
      assertCan(auth, 'leads:read');
      return (await statuses.listByOrg(auth.orgId)).map((s) => ({
        key: s.key,
        category: s.category,
        is_default: s.is_default === 1,
        position: s.position,
      }));
    },
  };
}

export type StatusVocabulary = ReturnType<typeof createStatusVocabulary>;
