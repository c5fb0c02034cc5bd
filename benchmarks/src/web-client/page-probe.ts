/**
 * What the web-client scenario measures inside the page: a script installed before the app loads
 * records the interval between animation frames, the work of each frame callback, long tasks
 * (PerformanceObserver), the JS heap every 10 s and when the chart first went live; `startMeasuring`
 * and `stopMeasuring` bracket the measured window.
 */
import type { Page } from 'playwright-core';

/** Installed before the app loads: frame intervals, long tasks, heap samples, the first live chart. */
export const PROBE = `
window.__bench = { frames: [], work: [], longTasks: [], heap: [], liveAt: null, measuring: false };
// Times every animation-frame callback (the chart's draw is the page's only one): the frame's work.
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => raf((t) => {
  const began = performance.now();
  callback(t);
  if (window.__bench.measuring) window.__bench.work.push(performance.now() - began);
});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (window.__bench.measuring) window.__bench.longTasks.push(e.duration);
}).observe({ type: 'longtask', buffered: false });
let last = 0;
const frame = (t) => {
  if (window.__bench.measuring && last) window.__bench.frames.push(t - last);
  last = t;
  if (window.__bench.liveAt === null && document.querySelector('[data-grid="open"]')) window.__bench.liveAt = performance.now();
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
setInterval(() => { if (window.__bench.measuring && performance.memory) window.__bench.heap.push(performance.memory.usedJSHeapSize); }, 10000);
`;

export interface PageStats {
  frames: number[];
  work: number[];
  longTasks: number[];
  heap: number[];
}

type Bench = PageStats & { measuring: boolean; liveAt: number };
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
    return { frames: b.frames, work: b.work, longTasks: b.longTasks, heap: b.heap };
  });
}
