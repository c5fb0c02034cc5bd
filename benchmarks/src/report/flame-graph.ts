/**
 * A V8 CPU profile → what a reader needs to see where a daemon's main thread goes: a flame graph
 * (standalone SVG: one rect per frame, width ∝ inclusive samples, identical frames at the same
 * stack path merged, frames under 0.2 % of the width dropped, a tooltip on each), the top functions
 * by self time, and self time grouped into categories (`profile-categories.ts` says how).
 *
 * Pure: the caller passes the profile, optionally a window and the source of each frame (the
 * source-mapped file, its imports and the code of its sampled lines: `profile-files.ts`). `(idle)`
 * samples are left out of everything, so percentages are of busy samples — time the thread was
 * running JavaScript, native code or GC, or blocked in a synchronous call (an fsync counts).
 */
import { type CpuProfile, countBy, type FrameSource, samplesIn, type WindowUs } from './cpu-profile.js';
import { CATEGORY_COLORS, type Category } from './profile-categories.js';
import {
  type CategoryShare,
  categoryShares,
  describeFrames,
  type Frames,
  frameName,
  locationOf,
  type TopFunction,
  topFunctions,
} from './self-time.js';
import { escapeXml } from './svg.js';

export interface FlameNode {
  name: string;
  location: string;
  /** null for the root. */
  category: Category | null;
  totalSamples: number;
  selfSamples: number;
  children: FlameNode[];
}

export interface ProfileAnalysis {
  /** Every sample in the window, idle included: the denominator of a share of the wall clock. */
  samples: number;
  busySamples: number;
  categories: CategoryShare[];
  top: TopFunction[];
  flame: FlameNode;
}

export interface AnalyzeOptions {
  sources?: ReadonlyMap<number, FrameSource>;
  window?: WindowUs;
  topN?: number;
}

export function analyzeProfile(profile: CpuProfile, options: AnalyzeOptions = {}): ProfileAnalysis {
  const frames = describeFrames(profile.nodes, options.sources);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const windowed = samplesIn(profile, options.window);
  const busy = windowed.filter((id) => !idle.has(id));
  const self = countBy(busy);
  const pct = (samples: number) => (busy.length > 0 ? Math.round((samples / busy.length) * 10_000) / 100 : 0);
  return {
    samples: windowed.length,
    busySamples: busy.length,
    categories: categoryShares(self, frames).map((c) => ({ ...c, pct: pct(c.samples) })),
    top: topFunctions(self, frames, options.topN ?? 15).map((f) => ({ ...f, pct: pct(f.samples) })),
    flame: buildFlame(frames, self, idle),
  };
}

/** Merges the profile's tree by frame (name + location) under each parent; idle is left out. */
function buildFlame(frames: Frames, self: ReadonlyMap<number, number>, idle: ReadonlySet<number>): FlameNode {
  const { root } = frames;
  const flame: FlameNode = {
    name: 'all',
    location: '',
    category: null,
    totalSamples: 0,
    selfSamples: self.get(root.id) ?? 0,
    children: [],
  };
  const stack: [number, FlameNode][] = (root.children ?? []).map((id) => [id, flame]);
  while (stack.length > 0) {
    const [id, parent] = stack.pop()!;
    if (idle.has(id)) continue;
    const node = frames.byId.get(id)!;
    const name = frameName(node);
    const location = locationOf(frames.source(node));
    let merged = parent.children.find((c) => c.name === name && c.location === location);
    if (!merged) {
      merged = {
        name,
        location,
        category: frames.category.get(id)!,
        totalSamples: 0,
        selfSamples: 0,
        children: [],
      };
      parent.children.push(merged);
    }
    merged.selfSamples += self.get(id) ?? 0;
    for (const child of node.children ?? []) stack.push([child, merged]);
  }
  sumAndPrune(flame);
  return flame;
}

function sumAndPrune(node: FlameNode): number {
  node.totalSamples = node.selfSamples + node.children.reduce((sum, child) => sum + sumAndPrune(child), 0);
  node.children = node.children
    .filter((c) => c.totalSamples > 0)
    .sort((a, b) => b.totalSamples - a.totalSamples);
  return node.totalSamples;
}

const SVG = { width: 1200, pad: 10, row: 16, top: 52, charPx: 6.6, minShare: 0.002, depthMax: 150 };
const LEGEND = { columns: 3, row: 18 };

interface Rect {
  node: FlameNode;
  depth: number;
  x: number;
  width: number;
}

export function renderFlameGraphSvg(
  analysis: ProfileAnalysis,
  options: { title: string; subtitle: string },
): string {
  const total = analysis.flame.totalSamples;
  const rects = total > 0 ? layout(analysis.flame, total) : [];
  const depthMax = Math.max(0, ...rects.map((r) => r.depth));
  const legendRows = Math.ceil(analysis.categories.length / LEGEND.columns);
  const legendTop = SVG.top + (depthMax + 1) * SVG.row + 16;
  const height = legendTop + legendRows * LEGEND.row + SVG.pad;
  const pct = (samples: number) => (total > 0 ? ((samples / total) * 100).toFixed(2) : '0');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG.width}" height="${height}" viewBox="0 0 ${SVG.width} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="${SVG.width}" height="${height}" fill="white"/>`,
    `<text x="${SVG.width / 2}" y="20" text-anchor="middle" font-size="15" font-family="sans-serif">${escapeXml(options.title)}</text>`,
    `<text x="${SVG.width / 2}" y="38" text-anchor="middle" font-family="sans-serif" fill="#555">${escapeXml(options.subtitle)}</text>`,
  ];
  for (const { node, depth, x, width } of rects) {
    const y = SVG.top + (depthMax - depth) * SVG.row;
    const tip = node.category
      ? `${node.name} · ${node.location || 'native'} · ${pct(node.totalSamples)} % of busy samples (self ${pct(node.selfSamples)} %) · ${node.category}`
      : `all busy samples (${node.totalSamples})`;
    const label = fitLabel(node.name, width);
    parts.push(
      `<g><title>${escapeXml(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${SVG.row - 1}" rx="1" fill="${node.category ? CATEGORY_COLORS[node.category] : '#e9ecef'}"/>` +
        (label ? `<text x="${(x + 3).toFixed(1)}" y="${y + 11}">${escapeXml(label)}</text>` : '') +
        '</g>',
    );
  }
  const columnPx = Math.floor((SVG.width - 2 * SVG.pad) / LEGEND.columns);
  analysis.categories.forEach((share, i) => {
    const x = SVG.pad + (i % LEGEND.columns) * columnPx;
    const y = legendTop + Math.floor(i / LEGEND.columns) * LEGEND.row;
    parts.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${CATEGORY_COLORS[share.category]}"/>`,
      `<text x="${x + 17}" y="${y + 10}" font-family="sans-serif">${escapeXml(`${share.category}: ${share.pct.toFixed(1)} % of self time`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Rects root first; a child starts where its previous sibling ended. Thin frames are dropped. */
function layout(root: FlameNode, total: number): Rect[] {
  const scale = (SVG.width - 2 * SVG.pad) / total;
  const rects: Rect[] = [];
  const stack: Rect[] = [{ node: root, depth: 0, x: SVG.pad, width: total * scale }];
  while (stack.length > 0) {
    const rect = stack.pop()!;
    rects.push(rect);
    if (rect.depth >= SVG.depthMax) continue;
    let x = rect.x;
    for (const child of rect.node.children) {
      const width = child.totalSamples * scale;
      if (child.totalSamples / total >= SVG.minShare)
        stack.push({ node: child, depth: rect.depth + 1, x, width });
      x += width;
    }
  }
  return rects;
}

/** The name cut to the rect's width (with an ellipsis), or nothing when under three characters fit. */
export function fitLabel(name: string, widthPx: number): string {
  const chars = Math.floor((widthPx - 6) / SVG.charPx);
  if (chars < 3) return '';
  return name.length <= chars ? name : `${name.slice(0, chars - 1)}…`;
}
