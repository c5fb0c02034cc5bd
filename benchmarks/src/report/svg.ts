/**
 * The latency-over-time plot of one load run, as a standalone SVG (no plotting library): top panel
 * per-second p50 and p99 time-to-answer and p99 time-to-WebSocket-accepted on a log scale; bottom
 * panel offered vs achieved requests per second and errors per second. The warm-up is shaded.
 */
import type { TimelinePoint } from '../stats/timeline.js';

const WIDTH = 900;
const PLOT = { left: 70, right: 20, top: 40 };
const LATENCY_HEIGHT = 250;
const RATE_TOP = PLOT.top + LATENCY_HEIGHT + 50;
const RATE_HEIGHT = 150;
const HEIGHT = RATE_TOP + RATE_HEIGHT + 50;

export interface PlotOptions {
  title: string;
  warmupS: number;
}

export function renderLatencySvg(points: readonly TimelinePoint[], options: PlotOptions): string {
  const seconds = Math.max(1, points.length);
  const x = (second: number) => PLOT.left + (second / seconds) * (WIDTH - PLOT.left - PLOT.right);
  const latencies = points.flatMap((p) => [p.p50Ms, p.p99Ms, p.acceptedP99Ms ?? 0]).filter((v) => v > 0);
  const decades = logRange(latencies);
  const yLatency = (ms: number) => {
    const clamped = Math.min(Math.max(ms, 10 ** decades.min), 10 ** decades.max);
    const share = (Math.log10(clamped) - decades.min) / (decades.max - decades.min);
    return PLOT.top + LATENCY_HEIGHT * (1 - share);
  };
  const rateMax = niceCeil(Math.max(1, ...points.flatMap((p) => [p.offeredPerS, p.okPerS, p.errorsPerS])));
  const yRate = (perS: number) => RATE_TOP + RATE_HEIGHT * (1 - perS / rateMax);
  const line = (pick: (p: TimelinePoint) => number | null, y: (v: number) => number) =>
    points
      .map((p) => ({ second: p.second, value: pick(p) }))
      .filter((p): p is { second: number; value: number } => p.value !== null && p.value > 0)
      .map((p) => `${x(p.second + 0.5).toFixed(1)},${y(p.value).toFixed(1)}`)
      .join(' ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${(x(options.warmupS) - PLOT.left).toFixed(1)}" height="${RATE_TOP + RATE_HEIGHT - PLOT.top}" fill="#eee"/>`,
  ];
  for (let d = decades.min; d <= decades.max; d += 1) {
    const y = yLatency(10 ** d).toFixed(1);
    parts.push(
      gridLine(y),
      `<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dy="4">${formatMs(10 ** d)}</text>`,
    );
  }
  for (const fraction of [0, 0.5, 1]) {
    const y = yRate(rateMax * fraction).toFixed(1);
    parts.push(
      gridLine(y),
      `<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dy="4">${Math.round(rateMax * fraction)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(seconds / 15));
  for (let s = 0; s <= seconds; s += step) {
    parts.push(
      `<text x="${x(s).toFixed(1)}" y="${RATE_TOP + RATE_HEIGHT + 18}" text-anchor="middle">${s}s</text>`,
    );
  }
  parts.push(
    polyline(
      line((p) => p.p50Ms, yLatency),
      '#1f77b4',
    ),
    polyline(
      line((p) => p.p99Ms, yLatency),
      '#d62728',
    ),
    polyline(
      line((p) => p.acceptedP99Ms, yLatency),
      '#2ca02c',
      '6 3',
    ),
    polyline(
      line((p) => p.offeredPerS, yRate),
      '#999',
      '4 3',
    ),
    polyline(
      line((p) => p.okPerS, yRate),
      '#000',
    ),
    polyline(
      line((p) => p.errorsPerS, yRate),
      '#ff7f0e',
    ),
    axisLabel(PLOT.top - 8, 'latency from planned time (log scale)'),
    axisLabel(RATE_TOP - 8, 'requests per second'),
    legend([
      ['#1f77b4', 'p50 answer'],
      ['#d62728', 'p99 answer'],
      ['#2ca02c', 'p99 WS accepted'],
      ['#999', 'offered/s'],
      ['#000', 'achieved/s'],
      ['#ff7f0e', 'errors/s'],
    ]),
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

/** Whole decades covering the values (at least 0.1 ms … 10 ms). */
export function logRange(values: readonly number[]): { min: number; max: number } {
  if (values.length === 0) return { min: -1, max: 1 };
  const min = Math.min(-1, Math.floor(Math.log10(Math.min(...values))));
  const max = Math.max(1, Math.ceil(Math.log10(Math.max(...values))));
  return { min, max: max > min ? max : min + 1 };
}

/** 1, 2 or 5 × a power of ten, at least `value`. */
export function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value) ?? 10 * power;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${Number(ms.toPrecision(3))}ms`;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const gridLine = (y: string) =>
  `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`;

const polyline = (points: string, color: string, dash = '') =>
  points
    ? `<polyline fill="none" stroke="${color}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points}"/>`
    : '';

const axisLabel = (y: number, text: string) =>
  `<text x="${PLOT.left}" y="${y}" fill="#555">${escapeXml(text)}</text>`;

function legend(items: [string, string][]): string {
  return items
    .map(([color, label], i) => {
      const x = PLOT.left + 10 + i * 135;
      const y = HEIGHT - 12;
      return `<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"/><text x="${x + 22}" y="${y}">${escapeXml(label)}</text>`;
    })
    .join('\n');
}
