/**
 * The informed-traders plot (issue 22), a standalone SVG: each informed trader's realised return
 * per unit stake against how far ahead of our print it sees (L, ms), ±1 standard error (block
 * resampled, as the tables), every cell (solid) and best cell (dashed); the honest random bettor's
 * return as a grey line and 0 — where the defense must hold a trader — in red. Under the plot, the
 * refused-fill share per trader at L = 150 ms and the fill wait when the run had a fill delay.
 */

import type { CalibrationReport, StrategyStats } from '@tap/calibration';
import { errorBar, escapeXml, svgHead, ticks } from './svg.js';

const PLOT = { left: 70, top: 56, width: 520, height: 320 };
const WIDTH = PLOT.left + PLOT.width + 230;
const HEIGHT = PLOT.top + PLOT.height + 128;
const COLORS = { truth: '#1f77b4', venue: '#ff7f0e', index: '#2ca02c' } as const;
const SEES_TEXT = { truth: 'true price', venue: 'fastest venue', index: 'our next prints' } as const;

export function renderInformedSvg(report: CalibrationReport, title: string): string {
  const all = report.informed ?? [];
  const informed = all.filter((s) => s.sees !== null && s.leadMs !== null && s.bets > 0);
  const random = all.find((s) => s.strategy === 'random');
  const leads = [...new Set(informed.map((s) => s.leadMs!))].sort((a, b) => a - b);
  const values = informed.flatMap((s) => [s.meanReturn - s.returnSe, s.meanReturn + s.returnSe]);
  const lo = Math.min(-0.15, ...values, random?.meanReturn ?? 0);
  const hi = Math.max(0.15, ...values);
  const leadMax = Math.max(1, ...leads);
  const x = (leadMs: number) => PLOT.left + (leadMs / leadMax) * PLOT.width;
  const y = (r: number) => PLOT.top + PLOT.height * (1 - (r - lo) / (hi - lo));
  const parts = [
    ...svgHead({ width: WIDTH, height: HEIGHT }, PLOT.left, title, subtitle(report), 40),
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#999"/>`,
    `<line x1="${PLOT.left}" y1="${y(0)}" x2="${PLOT.left + PLOT.width}" y2="${y(0)}" stroke="#d62728"/>`,
    `<text x="${PLOT.left + PLOT.width / 2}" y="${PLOT.top + PLOT.height + 38}" text-anchor="middle">trader sees L ms after our print</text>`,
    `<text x="${PLOT.left - 50}" y="${PLOT.top + PLOT.height / 2}" text-anchor="middle" transform="rotate(-90 ${PLOT.left - 50} ${PLOT.top + PLOT.height / 2})">trader return per unit stake (±1 SE)</text>`,
  ];
  for (const lead of leads) {
    parts.push(`<text x="${x(lead)}" y="${PLOT.top + PLOT.height + 16}" text-anchor="middle">${lead}</text>`);
  }
  for (const tick of ticks(lo, hi, hi - lo > 0.8 ? 0.2 : hi - lo > 0.3 ? 0.1 : 0.05)) {
    parts.push(
      `<text x="${PLOT.left - 6}" y="${y(tick) + 4}" text-anchor="end">${Math.round(tick * 100)} %</text>`,
    );
  }
  if (random) {
    parts.push(
      `<line x1="${PLOT.left}" y1="${y(random.meanReturn)}" x2="${PLOT.left + PLOT.width}" y2="${y(random.meanReturn)}" stroke="#888" stroke-dasharray="2 3"/>`,
    );
  }
  let legendY = PLOT.top + 8;
  const legendX = PLOT.left + PLOT.width + 20;
  for (const sees of ['truth', 'venue', 'index'] as const) {
    for (const strategy of ['all_positive', 'best_cell'] as const) {
      const series = informed
        .filter((s) => s.sees === sees && s.strategy === strategy)
        .sort((a, b) => a.leadMs! - b.leadMs!);
      if (series.length === 0) continue;
      const dash = strategy === 'best_cell' ? ' stroke-dasharray="6 4"' : '';
      const shift = strategy === 'best_cell' ? 4 : -4;
      const path = series.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.leadMs!) + shift} ${y(s.meanReturn)}`);
      parts.push(`<path d="${path.join(' ')}" fill="none" stroke="${COLORS[sees]}"${dash}/>`);
      for (const s of series) parts.push(...point(s, x(s.leadMs!) + shift, y, COLORS[sees]));
      parts.push(
        `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${COLORS[sees]}"${dash}/>`,
        `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(`${SEES_TEXT[sees]}, ${strategy === 'best_cell' ? 'best cell' : 'every cell'}`)}</text>`,
      );
      legendY += 18;
    }
  }
  if (random) {
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="#888" stroke-dasharray="2 3"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(`random (honest): ${pct(random.meanReturn)}`)}</text>`,
    );
  }
  refusedLines(informed).forEach((line, i) => {
    parts.push(
      `<text x="${PLOT.left}" y="${PLOT.top + PLOT.height + 60 + 16 * i}" fill="#555">${escapeXml(line)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function point(s: StrategyStats, cx: number, y: (r: number) => number, color: string): string[] {
  const label = `${s.strategy} ${s.sees} ${s.leadMs} ms: ${pct(s.meanReturn)} ± ${pct(s.returnSe)}, ${s.bets} bets`;
  return errorBar(cx, y, { value: s.meanReturn, half: s.returnSe, color, label });
}

function subtitle(r: CalibrationReport): string {
  const fill = r.fill
    ? `fill print after receipt p50 ${r.fill.waitMsP50} ms, p99 ${r.fill.waitMsP99} ms (${r.fill.printsP50}–${r.fill.printsMax} prints)`
    : 'priced at receipt';
  return `${r.hoursOfPrints.toFixed(1)} h of prints, ${r.decisions.toLocaleString('en-US')} cell-decisions; ${fill}`;
}

/** One line per trader: the share of its bets its own minimum refused at the fill, at L = 150 ms. */
function refusedLines(informed: readonly StrategyStats[]): string[] {
  const at150 = informed.filter((s) => s.leadMs === 150 && s.sent);
  const lines = (['truth', 'venue', 'index'] as const).flatMap((sees) => {
    const of = (strategy: string) => at150.find((s) => s.sees === sees && s.strategy === strategy);
    const share = (s: StrategyStats | undefined) => (s ? pct((s.refusedFills ?? 0) / s.sent!) : '—');
    const every = of('all_positive');
    return every
      ? [`${SEES_TEXT[sees]}: every cell ${share(every)}, best cell ${share(of('best_cell'))}`]
      : [];
  });
  return lines.length ? ['refused fills at 150 ms (minMultiplierBp at its break-even):', ...lines] : [];
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
