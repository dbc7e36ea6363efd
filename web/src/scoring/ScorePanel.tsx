import { useApi } from '../hooks';
import type { Lead } from '../types';
import { ScoreBadge } from './ScoreBadge';

interface Factor {
  text: string;
  direction: 'up' | 'down';
  impact: number;
}
interface ModelInfo {
  status: 'none' | 'trained' | 'refused' | 'failed';
  message: string | null;
}

const OPEN = ['open', 'on_hold'];

/** The lead page's score: the number and, in words, what pushes it up and down. */
export function ScorePanel({ lead }: { lead: Lead }) {
  const score = typeof lead.score === 'number' ? lead.score : null;
  const factors = (Array.isArray(lead.score_factors) ? lead.score_factors : []) as Factor[];
  const model = useApi<ModelInfo>(score === null ? '/scoring/model' : null);
  let why = '';
  if (score === null) {
    if (!OPEN.includes(lead.status_category)) why = 'Only open leads are scored.';
    else if (model.data?.status === 'refused') why = model.data.message ?? 'Too little history to score.';
    else if (model.data && model.data.status !== 'trained')
      why = 'No scoring model yet: it trains once there is enough won and lost history.';
    else why = 'Not scored yet.';
  }
  const up = factors.filter((f) => f.direction === 'up');
  const down = factors.filter((f) => f.direction === 'down');
  return (
    <section className="card score-panel" aria-labelledby="score-h">
      <h2 id="score-h">
        Lead score
        {score !== null && <ScoreBadge score={score} label="" />}
      </h2>
      {score === null ? (
        <p className="muted">{why}</p>
      ) : (
        <>
          <p>
            <span className="score-value">{score}</span> out of 100: the chance of winning this lead, learnt
            from your won and lost leads.
          </p>
          {up.length > 0 && (
            <>
              <h3>Pushing it up</h3>
              <ul aria-label="Pushing the score up">
                {up.map((f) => (
                  <li key={f.text} className="factor-up">
                    {f.text.replace(/ \(\+\)$/, '')}
                  </li>
                ))}
              </ul>
            </>
          )}
          {down.length > 0 && (
            <>
              <h3>Pulling it down</h3>
              <ul aria-label="Pulling the score down">
                {down.map((f) => (
                  <li key={f.text} className="factor-down">
                    {f.text.replace(/ \(-\)$/, '')}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
