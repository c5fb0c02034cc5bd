/**
 * The defenses side by side (issue 22), a standalone SVG written with the calibration section:
 * for every run on the current pricing that valued informed traders, the every-cell trader's
 * return against its lead L — left the true-price trader, right the fastest-venue one — one line
 * per run (±1 SE), 0 in red. The per-run plots (informed-svg.ts) have the best-cell traders and the
 * refused fills; this one answers "which defense holds at which L".
 */

import type { CalibrationReport, StrategyStats } from '@tap/calibration';
import { errorBar, escapeXml, svgHead, ticks } from './svg.js';

const PANEL = { width: 380, height: 300, top: 76, left: 70, gap: 80 };
const LEGEND_ROW = 16;
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const SUBTITLE =
  'every cell worth more than its price; return per unit stake ±1 SE against how far ahead of our print the trader sees';

export interface ComparedRun {
  name: string;
  /** The simulator's annualised volatility of the run. */
  vol: number;
  report: CalibrationReport;
}

export function renderInformedComparisonSvg(runs: readonly ComparedRun[], title: string): string {
  const series = (run: ComparedRun, sees: 'truth' | 'venue') =>
    (run.report.informed ?? [])
      .filter((s) => s.strategy === 'all_positive' && s.sees === sees && s.leadMs !== null && s.bets > 0)
      .sort((a, b) => a.leadMs! - b.leadMs!);
  const all = runs.flatMap((r) => [...series(r, 'truth'), ...series(r, 'venue')]);
  const lo = Math.min(-0.1, ...all.map((s) => s.meanReturn - s.returnSe));
  const hi = Math.max(0.1, ...all.map((s) => s.meanReturn + s.returnSe));
  const leadMax = Math.max(1, ...all.map((s) => s.leadMs!));
  const width = PANEL.left + 2 * PANEL.width + PANEL.gap + 30;
  const legendTop = PANEL.top + PANEL.height + 50;
  const height = legendTop + runs.length * LEGEND_ROW + 10;
  const parts = [...svgHead({ width, height }, PANEL.left, title, SUBTITLE, 40)];
  (['truth', 'venue'] as const).forEach((sees, p) => {
    const left = PANEL.left + p * (PANEL.width + PANEL.gap);
    const x = (leadMs: number) => left + (leadMs / leadMax) * PANEL.width;
    const y = (r: number) => PANEL.top + PANEL.height * (1 - (r - lo) / (hi - lo));
    parts.push(
      `<rect x="${left}" y="${PANEL.top}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#999"/>`,
      `<line x1="${left}" y1="${y(0)}" x2="${left + PANEL.width}" y2="${y(0)}" stroke="#d62728"/>`,
      `<text x="${left + PANEL.width / 2}" y="${PANEL.top - 6}" text-anchor="middle" font-weight="bold">${sees === 'truth' ? 'sees the true price' : "sees the fastest venue's quote"}</text>`,
      `<text x="${left + PANEL.width / 2}" y="${PANEL.top + PANEL.height + 34}" text-anchor="middle">L, ms after our print</text>`,
    );
    for (const lead of [...new Set(all.map((s) => s.leadMs!))]) {
      parts.push(
        `<text x="${x(lead)}" y="${PANEL.top + PANEL.height + 16}" text-anchor="middle">${lead}</text>`,
      );
    }
    for (const t of ticks(lo, hi, 0.05)) {
      parts.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${Math.round(t * 100)} %</text>`);
    }
    runs.forEach((run, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      const points = series(run, sees);
      const shift = (i - (runs.length - 1) / 2) * 3;
      if (points.length === 0) return;
      const path = points.map((s, k) => `${k === 0 ? 'M' : 'L'}${x(s.leadMs!) + shift} ${y(s.meanReturn)}`);
      parts.push(`<path d="${path.join(' ')}" fill="none" stroke="${color}"/>`);
      for (const s of points) parts.push(...point(run.name, s, x(s.leadMs!) + shift, y, color));
    });
  });
  runs.forEach((run, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const rowY = legendTop + i * LEGEND_ROW;
    parts.push(
      `<line x1="${PANEL.left}" y1="${rowY}" x2="${PANEL.left + 24}" y2="${rowY}" stroke="${color}"/>`,
      `<text x="${PANEL.left + 30}" y="${rowY + 4}">${escapeXml(legendText(run))}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function legendText(run: ComparedRun): string {
  const fill = run.report.fill;
  const random = run.report.informed?.find((s) => s.strategy === 'random');
  const wait = fill
    ? `receipt → fill p50 ${fill.waitMsP50} ms, p99 ${fill.waitMsP99} ms`
    : 'priced at receipt';
  return `${run.name} (σ ${Math.round(100 * run.vol)} %/yr): ${wait}; honest random ${random ? `${(100 * random.meanReturn).toFixed(1)} %` : '—'}`;
}

function point(run: string, s: StrategyStats, cx: number, y: (r: number) => number, color: string): string[] {
  const label = `${run}, ${s.sees} ${s.leadMs} ms: ${(100 * s.meanReturn).toFixed(1)} ± ${(100 * s.returnSe).toFixed(1)} %`;
  return errorBar(cx, y, { value: s.meanReturn, half: s.returnSe, color, label });
}
