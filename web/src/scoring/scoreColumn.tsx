import type { Column } from '../components/LeadTable';
import { ScoreBadge } from './ScoreBadge';

/** The lead list's Score column (sortable: sort=-score). */
export const scoreColumn: Column = {
  key: 'score',
  label: 'Score',
  sort: 'score',
  width: '6rem',
  render: (l) => <ScoreBadge score={l.score} label="" />,
};
