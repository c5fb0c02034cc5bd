/**
 * The self-time half of a profile analysis (the flame graph is the other): each frame's category —
 * callers first, so that inheriting frames see their caller's (rule 3 in profile-categories.ts) —,
 * self samples per category with our code split over its lines (rule 4), and the functions with
 * the most self samples.
 */
import type { FrameSource, ProfileNode } from './cpu-profile.js';
import {
  CATEGORY,
  type Category,
  effectiveCategory,
  frameCategory,
  lineCategory,
} from './profile-categories.js';

export interface CategoryShare {
  category: Category;
  /** Fractional: a function's self samples are split over its lines' categories. */
  samples: number;
  pct: number;
}

export interface TopFunction {
  name: string;
  location: string;
  /** For our code, the category most of its self samples went to. */
  category: Category;
  samples: number;
  pct: number;
  /** The line of the function with the most self ticks (generated code), when V8 recorded them. */
  hotLine: string | null;
}

/** What the analysis knows of every node of one profile. */
export interface Frames {
  byId: ReadonlyMap<number, ProfileNode>;
  root: ProfileNode;
  source(node: ProfileNode): FrameSource;
  category: ReadonlyMap<number, Category>;
}

export function describeFrames(
  nodes: readonly ProfileNode[],
  sources?: ReadonlyMap<number, FrameSource>,
): Frames {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const children = new Set(nodes.flatMap((n) => n.children ?? []));
  const root = nodes.find((n) => !children.has(n.id));
  if (!root) throw new Error('CPU profile without a root node');
  const source = (node: ProfileNode): FrameSource =>
    sources?.get(node.id) ?? {
      file: node.callFrame.url,
      line: node.callFrame.lineNumber + 1,
      imports: [],
      lines: [],
    };
  const category = new Map<number, Category>();
  const stack: [ProfileNode, Category | null][] = [[root, null]];
  while (stack.length > 0) {
    const [node, caller] = stack.pop()!;
    const src = source(node);
    const own = frameCategory({ ...node.callFrame, file: src.file, imports: src.imports });
    category.set(node.id, node === root ? CATEGORY.node : effectiveCategory(own, caller));
    const next = node === root ? null : category.get(node.id)!;
    for (const child of node.children ?? []) stack.push([byId.get(child)!, next]);
  }
  return { byId, root, source, category };
}

export function frameName(node: ProfileNode): string {
  return node.callFrame.functionName || '(anonymous)';
}

/** `file:line`, with a dependency's path cut to what follows its last `node_modules/`. */
export function locationOf(source: FrameSource): string {
  return source.file ? `${source.file.replace(/^.*node_modules\//, '')}:${source.line}` : '';
}

/** Self samples per category, largest first. */
export function categoryShares(
  self: ReadonlyMap<number, number>,
  frames: Frames,
): Omit<CategoryShare, 'pct'>[] {
  const shares: Tally<Category> = new Map();
  for (const [id, count] of self) {
    for (const [category, weight] of splitSelf(id, frames)) add(shares, category, count * weight);
  }
  return [...shares]
    .map(([category, samples]) => ({ category, samples }))
    .sort((a, b) => b.samples - a.samples);
}

/** Functions (name + location, merged over the whole tree) by self samples, largest first. */
export function topFunctions(
  self: ReadonlyMap<number, number>,
  frames: Frames,
  topN: number,
): Omit<TopFunction, 'pct'>[] {
  type Entry = {
    name: string;
    location: string;
    samples: number;
    shares: Tally<Category>;
    lines: Tally<string>;
  };
  const functions = new Map<string, Entry>();
  for (const [id, count] of self) {
    const node = frames.byId.get(id)!;
    const src = frames.source(node);
    const name = frameName(node);
    const location = locationOf(src);
    const key = `${name}\u0000${location}`;
    const entry = functions.get(key) ?? { name, location, samples: 0, shares: new Map(), lines: new Map() };
    entry.samples += count;
    for (const [category, weight] of splitSelf(id, frames)) add(entry.shares, category, count * weight);
    for (const line of src.lines) add(entry.lines, line.code, line.ticks);
    functions.set(key, entry);
  }
  return [...functions.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, topN)
    .map(({ name, location, samples, shares, lines }) => ({
      name,
      location,
      samples,
      category: largest(shares)!,
      hotLine: largest(lines),
    }));
}

/** A node's self time as category → weight (summing to 1): our code split by its lines' ticks. */
function splitSelf(id: number, frames: Frames): [Category, number][] {
  const category = frames.category.get(id)!;
  const source = frames.source(frames.byId.get(id)!);
  const ticks = source.lines.reduce((sum, l) => sum + l.ticks, 0);
  if (category !== CATEGORY.ours || ticks === 0) return [[category, 1]];
  const weights: Tally<Category> = new Map();
  for (const line of source.lines) {
    add(weights, lineCategory(line.code, source.imports) ?? CATEGORY.ours, line.ticks / ticks);
  }
  return [...weights];
}

type Tally<K> = Map<K, number>;

function add<K>(tally: Tally<K>, key: K, amount: number): void {
  tally.set(key, (tally.get(key) ?? 0) + amount);
}

function largest<K>(tally: Tally<K>): K | null {
  return [...tally].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
