// Hand-made SVG charts: four shapes cover the dashboard, far lighter than a chart library.

const PALETTE = ['#2457d6', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626', '#ca8a04', '#64748b'];
export const color = (i: number) => PALETTE[i % PALETTE.length];

export interface Bar {
  label: string;
  value: number;
  text?: string;
  color?: string;
  /** Click-through (e.g. to the matching lead list). */
  onClick?: () => void;
}

/** Horizontal bars (funnel, rates): one row per item, the value written at the end. */
export function HBars({ bars, title, max }: { bars: Bar[]; title: string; max?: number }) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const rowH = 26;
  const h = bars.length * rowH;
  return (
    <svg
      className="chart"
      viewBox={`0 0 400 ${h}`}
      // A chart whose bars are links is a group of links (an img's children would be hidden from assistive tech).
      role={bars.some((b) => b.onClick) ? 'group' : 'img'}
      aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.text ?? b.value}`).join(', ')}`}
    >
      {bars.map((b, i) => {
        const w = Math.max(b.value > 0 ? 2 : 0, (b.value / top) * 220);
        return (
          <g
            key={b.label}
            transform={`translate(0 ${i * rowH})`}
            {...(b.onClick
              ? {
                  onClick: b.onClick,
                  role: 'link',
                  tabIndex: 0,
                  className: 'clickable',
                  'aria-label': `${b.label.length > 18 ? `${b.label.slice(0, 17)}… ` : ''}${b.label} ${b.text ?? b.value.toLocaleString()}`,
                  onKeyDown: (e: { key: string }) => e.key === 'Enter' && b.onClick!(),
                }
              : {})}
          >
            <text x="118" y="17" textAnchor="end" className="axis">
              {/* The trailing space keeps the link's visible text ("New 10") inside its accessible name. */}
              {`${b.label.length > 18 ? `${b.label.slice(0, 17)}…` : b.label} `}
            </text>
            <rect x="124" y="4" width={w} height="18" rx="3" fill={b.color ?? color(0)} />
            <text x={128 + w} y="17" className="val">
              {b.text ?? b.value.toLocaleString()}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Vertical columns, optionally stacked by series (new leads per week by source). */
export function Columns({
  labels,
  series,
  title,
  format = (n) => n.toLocaleString(),
  onPick,
}: {
  /** Click-through on a column (its index in labels). */
  onPick?: (i: number) => void;
  labels: string[];
  series: { name: string; values: number[] }[];
  title: string;
  format?: (n: number) => string;
}) {
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const top = Math.max(1, ...totals);
  const W = 400;
  const H = 180;
  const base = H - 24;
  const slot = (W - 40) / Math.max(1, labels.length);
  const bw = Math.max(4, slot * 0.7);
  const summary = labels.map((l, i) => `${l}: ${format(totals[i])}`).join(', ');
  return (
    <figure className="chart-fig">
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        role={onPick ? 'group' : 'img'}
        aria-label={`${title}. ${summary}`}
      >
        <text x="0" y="12" className="axis">
          {format(top)}
        </text>
        <line x1="36" y1={base} x2={W} y2={base} className="grid-line" />
        {labels.map((l, i) => {
          let y = base;
          const x = 40 + i * slot + (slot - bw) / 2;
          return (
            <g
              key={l}
              {...(onPick
                ? {
                    onClick: () => onPick(i),
                    role: 'link',
                    tabIndex: 0,
                    className: 'clickable',
                    'aria-label': `${l} ${format(totals[i])}`,
                    onKeyDown: (e: { key: string }) => e.key === 'Enter' && onPick(i),
                  }
                : {})}
            >
              {series.map((s, si) => {
                const v = s.values[i] ?? 0;
                const h = (v / top) * (base - 16);
                y -= h;
                return v > 0 ? (
                  <rect key={s.name} x={x} y={y} width={bw} height={h} fill={color(si)}>
                    <title>{`${s.name}, ${l}: ${format(v)}`}</title>
                  </rect>
                ) : null;
              })}
              {(labels.length <= 12 || i % 2 === 0) && (
                <text x={x + bw / 2} y={H - 8} textAnchor="middle" className="axis small">
                  {l}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <figcaption className="legend">
          {series.map((s, i) => (
            <span key={s.name}>
              <i style={{ background: color(i) }} aria-hidden="true" />
              {s.name}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
