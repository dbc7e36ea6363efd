import './scoring.css';

/** How likely the lead is to be won (0-100), from the organization's scoring model; nothing when unscored. */
export function ScoreBadge({ score, label = 'Score' }: { score: unknown; label?: string }) {
  if (typeof score !== 'number') return null;
  const band = score >= 70 ? 'high' : score >= 40 ? 'mid' : 'low';
  return (
    <span className={`score-badge score-${band}`} title={`Lead score: ${score} out of 100`}>
      {label ? `${label} ` : ''}
      {score}
    </span>
  );
}
