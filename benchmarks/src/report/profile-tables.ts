/**
 * A daemon's profile analysis as what a result keeps (`DaemonProfileSummary`, in the JSON) and as
 * tables: self time by category, the top functions, and the daemons side by side (RESULTS.md).
 */
import type { DaemonProfileSummary, ResultTable } from '../scenario.js';
import type { ProfileAnalysis } from './profile-analysis.js';

/** `betsPerS` turns shares of the wall clock into main-thread µs per bet (null: not a bet run). */
export function profileSummary(
  daemon: string,
  analysis: ProfileAnalysis,
  betsPerS: number | null,
): DaemonProfileSummary {
  const wallShare = (samples: number) => (analysis.samples > 0 ? samples / analysis.samples : 0);
  const usPerBet = (samples: number) =>
    betsPerS && betsPerS > 0 ? Math.round((wallShare(samples) * 1e6 * 10) / betsPerS) / 10 : null;
  return {
    daemon,
    busyPct: Math.round(wallShare(analysis.busySamples) * 1000) / 10,
    busySamples: analysis.busySamples,
    categories: analysis.categories.map((c) => ({
      category: c.category,
      pct: round1(c.pct),
      usPerBet: usPerBet(c.samples),
    })),
    top: analysis.top.map((f) => ({
      name: f.name,
      location: f.location,
      category: f.category,
      pct: round1(f.pct),
      hotLine: f.hotLine,
    })),
  };
}

const WHAT_IS_BUSY =
  'Busy = main-thread samples (V8 samples every ~1 ms) that were not idle in the event loop: running JavaScript, ' +
  'native code or GC, or blocked in a synchronous call (a SQLite commit waiting for fsync counts). Self time only; ' +
  'categories as in src/report/profile-categories.ts.';

export function categoryTable(profile: DaemonProfileSummary): ResultTable {
  return {
    title: `${profile.daemon}: main thread by category`,
    columns: ['category', '% of busy', 'main-thread µs per bet'],
    rows: profile.categories.map((c) => [c.category, c.pct, c.usPerBet]),
    notes: [
      `The main thread was busy ${profile.busyPct} % of the measured window (${profile.busySamples} busy samples).`,
      WHAT_IS_BUSY,
      'µs per bet: the share of the window ÷ the achieved (202) bets/s, as in the resource table.',
    ],
  };
}

export function topFunctionsTable(profile: DaemonProfileSummary): ResultTable {
  return {
    title: `${profile.daemon}: top ${profile.top.length} functions by self time`,
    columns: ['function', 'where', 'category', 'self % of busy', 'hottest line (bundled code)'],
    rows: profile.top.map((f) => [f.name, f.location || 'native', f.category, f.pct, codeCell(f.hotLine)]),
    notes: [
      'The hottest line is the line of the bundle (dist/main.js) with most of the function’s self samples over the whole run.',
    ],
  };
}

/** Categories as rows, daemons as columns: "% of busy · µs per bet". */
export function profilesSideBySide(profiles: readonly DaemonProfileSummary[]): ResultTable {
  const totals = new Map<string, number>();
  for (const p of profiles) {
    for (const c of p.categories)
      totals.set(c.category, (totals.get(c.category) ?? 0) + (c.usPerBet ?? c.pct));
  }
  const order = [...totals].sort((a, b) => b[1] - a[1]).map(([category]) => category);
  const cell = (p: DaemonProfileSummary, category: string) => {
    const c = p.categories.find((x) => x.category === category);
    return c ? `${c.pct} % · ${c.usPerBet ?? '—'} µs` : '—';
  };
  return {
    title: 'Main thread by category, each daemon (% of its busy samples · µs per bet)',
    columns: ['category', ...profiles.map((p) => p.daemon)],
    rows: [
      ['main thread busy (% of the window)', ...profiles.map((p) => `${p.busyPct} %`)],
      ...order.map((category) => [category, ...profiles.map((p) => cell(p, category))]),
    ],
    notes: [WHAT_IS_BUSY],
  };
}

function codeCell(code: string | null): string {
  return code ? `\`${code.replace(/`/g, "'")}\`` : '—';
}

const round1 = (value: number) => Math.round(value * 10) / 10;
