/**
 * The calibration plot, a standalone SVG: left, realised hit rate against predicted P per bucket
 * with ±3 standard-error bars (window-resampled) around the diagonal a calibrated price lies on;
 * right, per distance band the promised house edge (h plus the latency loading) and the realised
 * one with ±3 SE bars, the 1-pp band around the promise shaded and the h − 1 % floor drawn.
 */

import type { CalibrationReport, GroupStats } from '@tap/calibration';
import { errorBar, escapeXml, svgHead, ticks } from './svg.js';

const SIZE = 360;
const MARGIN = { left: 60, top: 50, bottom: 60, gap: 90 };
const WIDTH = MARGIN.left + SIZE + MARGIN.gap + SIZE + 30;
const HEIGHT = MARGIN.top + SIZE + MARGIN.bottom;

export function renderCalibrationSvg(report: CalibrationReport, title: string): string {
  const parts = [
    ...svgHead({ width: WIDTH, height: HEIGHT }, MARGIN.left, title, summary(report), 38),
    ...bucketPanel(report.buckets, MARGIN.left),
    ...edgePanel(report, MARGIN.left + SIZE + MARGIN.gap),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function summary(r: CalibrationReport): string {
  const verdict = r.checks.pass ? 'PASS' : 'FAIL';
  return `${r.decisions.toLocaleString('en-US')} cell-decisions, ${r.windows.toLocaleString('en-US')} windows, ${r.hoursOfPrints.toFixed(1)} h of prints — ${verdict}`;
}

function bucketPanel(buckets: readonly GroupStats[], left: number): string[] {
  const top = MARGIN.top;
  const x = (p: number) => left + p * SIZE;
  const y = (p: number) => top + SIZE * (1 - Math.min(1, Math.max(0, p)));
  const out = [
    `<rect x="${left}" y="${top}" width="${SIZE}" height="${SIZE}" fill="none" stroke="#999"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`,
    `<text x="${left + SIZE / 2}" y="${top + SIZE + 40}" text-anchor="middle">predicted P (bucket mean)</text>`,
    `<text x="${left - 42}" y="${top + SIZE / 2}" text-anchor="middle" transform="rotate(-90 ${left - 42} ${top + SIZE / 2})">realised hit rate (±3 SE)</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<text x="${x(tick)}" y="${top + SIZE + 16}" text-anchor="middle">${tick}</text>`);
    out.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  // Buckets too thin to check (< 500 bets) would only draw noise.
  for (const b of buckets.filter((x) => x.bets >= 500)) {
    const color = Math.abs(b.z) <= 3 ? '#1f77b4' : '#d62728';
    const label = `${b.label}: ${b.bets} bets, hit ${b.hitRate.toFixed(4)} vs ${b.predicted.toFixed(4)}, z ${b.z.toFixed(2)}`;
    out.push(...errorBar(x(b.predicted), y, { value: b.hitRate, half: 3 * b.hitSe, color, label }));
  }
  return out;
}

function edgePanel(report: CalibrationReport, left: number): string[] {
  const top = MARGIN.top;
  const groups = report.distance;
  const values = groups.flatMap((g) => [
    g.promisedEdge,
    g.realisedEdge - 3 * g.edgeSe,
    g.realisedEdge + 3 * g.edgeSe,
  ]);
  const lo = Math.min(report.houseEdge - 0.03, ...values);
  const hi = Math.max(report.houseEdge + 0.05, ...values);
  const y = (v: number) => top + SIZE * (1 - (v - lo) / (hi - lo));
  const slot = SIZE / Math.max(1, groups.length);
  const floor = report.houseEdge - 0.01;
  const out = [
    `<rect x="${left}" y="${top}" width="${SIZE}" height="${SIZE}" fill="none" stroke="#999"/>`,
    `<line x1="${left}" y1="${y(floor)}" x2="${left + SIZE}" y2="${y(floor)}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    `<text x="${left + SIZE - 4}" y="${y(floor) - 4}" text-anchor="end" fill="#d62728">h − 1 %</text>`,
    `<text x="${left + SIZE / 2}" y="${top + SIZE + 40}" text-anchor="middle">distance from the index (bands)</text>`,
    `<text x="${left - 48}" y="${top + SIZE / 2}" text-anchor="middle" transform="rotate(-90 ${left - 48} ${top + SIZE / 2})">house edge: promised ■, realised ● ±3 SE</text>`,
  ];
  for (const tick of ticks(lo, hi, hi - lo > 0.3 ? 0.1 : hi - lo > 0.12 ? 0.05 : 0.02)) {
    out.push(
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${(tick * 100).toFixed(0)} %</text>`,
    );
  }
  groups.forEach((g, i) => {
    const cx = left + slot * (i + 0.5);
    const ok = Math.abs(g.realisedEdge - g.promisedEdge) <= 0.01 && g.realisedEdge >= floor;
    const color = ok ? '#1f77b4' : '#d62728';
    out.push(
      `<rect x="${cx - slot / 3}" y="${y(g.promisedEdge + 0.01)}" width="${(2 * slot) / 3}" height="${y(g.promisedEdge - 0.01) - y(g.promisedEdge + 0.01)}" fill="#eee"/>`,
      `<rect x="${cx - 4}" y="${y(g.promisedEdge) - 4}" width="8" height="8" fill="#555"/>`,
      ...errorBar(cx + 10, y, { value: g.realisedEdge, half: 3 * g.edgeSe, color, r: 4 }),
      `<text x="${cx}" y="${top + SIZE + 16}" text-anchor="middle">${escapeXml(g.label.replace(' bands', ''))}</text>`,
    );
  });
  return out;
}
