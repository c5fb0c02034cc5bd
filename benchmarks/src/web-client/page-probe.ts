/**
 * What the web-client scenario measures inside the page: a script installed before the app loads
 * records the interval between animation frames, the work of each frame callback, long tasks
 * (PerformanceObserver) and when the chart first went live; `startMeasuring` and `stopMeasuring`
 * bracket the measured window. The heap is sampled from outside (`heapAfterGc`).
 */
import type { CDPSession, Page } from 'playwright-core';

/** Installed before the app loads: frame intervals, long tasks, the first live chart. */
export const PROBE = `
window.__bench = { frames: [], work: [], longTasks: [], liveAt: null, measuring: false };
// Times every animation-frame callback (the chart's draw is the page's only one): the frame's work.
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => raf((t) => {
  const began = performance.now();
  callback(t);
  if (window.__bench.measuring) window.__bench.work.push(performance.now() - began);
});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (window.__bench.measuring) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: false });
let last = 0;
const frame = (t) => {
  if (window.__bench.measuring && last) window.__bench.frames.push(t - last);
  last = t;
  if (window.__bench.liveAt === null && document.querySelector('[data-grid="open"]')) window.__bench.liveAt = performance.now();
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
`;

export interface PageStats {
  frames: number[];
  work: number[];
  /** Page time (performance.now) of each long task's start, and its duration. */
  longTasks: { start: number; duration: number }[];
}

/**
 * The page's live JS heap at `atMs` after the measured window began, and the page time the forced
 * collection took (`gcFrom`..`gcTo`): a long task then is the benchmark's, not the client's.
 */
export interface HeapSample {
  atMs: number;
  bytes: number;
  gcFrom: number;
  gcTo: number;
}

type Bench = PageStats & { measuring: boolean; liveAt: number };

/**
 * The page's JS heap after a full garbage collection (Chrome DevTools Protocol): what the page
 * still holds, so a leak shows as a trend instead of hiding in the saw-tooth of when the collector
 * last ran (the in-page `performance.memory` counts garbage not yet collected).
 */
export async function heapAfterGc(page: Page, cdp: CDPSession): Promise<Omit<HeapSample, 'atMs'>> {
  const gcFrom = await page.evaluate(() => performance.now());
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const gcTo = await page.evaluate(() => performance.now());
  return { bytes: usedSize, gcFrom, gcTo };
}
/** performance.now() in the page when the chart went live (the probe's first sighting of the grid). */
export function liveAt(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __bench: Bench }).__bench.liveAt);
}

export async function startMeasuring(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __bench: Bench }).__bench.measuring = true;
  });
}

export function stopMeasuring(page: Page): Promise<PageStats> {
  return page.evaluate(() => {
    const b = (globalThis as unknown as { __bench: Bench }).__bench;
    b.measuring = false;
    return { frames: b.frames, work: b.work, longTasks: b.longTasks };
  });
}
