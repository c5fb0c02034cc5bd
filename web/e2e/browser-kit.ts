/**
 * What the browser tests share: the whole stack on the simulated feed behind nginx serving the
 * build (run `pnpm build` first), Chromium (Debian's `/usr/bin/chromium` from scripts/setup.sh,
 * driven by playwright-core: never `playwright install`), a signed-in demo trader, and tapping
 * cells until one takes a bet. Screenshots go to web/e2e/artifacts/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startNginx, startStack, type TestNginx, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const artifacts = join(import.meta.dirname, 'artifacts');
const CHROMIUM = '/usr/bin/chromium';

export const BREAKER = { BREAKER_STALE_MS: '3000', BREAKER_RECOVERY_MS: '2000' };

export interface WebStack {
  stack: TestStack;
  nginx: TestNginx;
  redis: Redis;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * Starts the daemons, nginx and Chromium and waits for the breaker to close. The daemons run their
 * production defaults — next-tick entry with the adaptive fill delay on the filtered index — unless
 * `ingestEnv` adds to ingest-api's environment (e.g. `BET_ENTRY=receipt`).
 */
export async function startWebStack(ingestEnv: Record<string, string> = {}): Promise<WebStack> {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  const stack = await startStack({
    daemons: ['price-ingest', 'health-monitor', 'batcher', 'resolver', 'ingest-api', 'ws-gateway'],
    env: {
      'ingest-api': {
        DEMO_MODE: '1',
        LOGIN_DOMAIN: `127.0.0.1:${port}`,
        LOGIN_URI: `http://127.0.0.1:${port}`,
        ...ingestEnv,
      },
      'price-ingest': { SIM_OUTAGE_MEAN_INTERVAL_MS: '0' },
      // Stale after 3 s: short for the test, long enough that a busy machine does not open it. The
      // resolver judges the breaker from the prints with the same rules (its README: must equal).
      'health-monitor': BREAKER,
      resolver: BREAKER,
    },
  });
  let nginx: TestNginx | undefined;
  let redis: Redis | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    redis?.disconnect();
    await nginx?.stop();
    await stack.stop();
  };
  try {
    nginx = await startNginx({
      apiPort: Number(new URL(stack.apiUrl).port),
      wsPort: Number(new URL(stack.wsUrl).port),
      port,
      webRoot: dist,
      ratePerS: 200,
    });
    const connection = new Redis(stack.redis.url);
    redis = connection;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await waitUntil(
      async () => (await connection.hget(`${stack.prefix}breaker:state`, 'state')) === 'closed',
      30_000,
    );
    return { stack, nginx, redis, browser, stop };
  } catch (err) {
    // Whatever started is stopped here: the caller's afterAll has nothing to stop.
    await stop();
    throw err;
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** Opens the page, signs in with a fresh demo wallet and takes $100 from the faucet. */
export async function signedInPage(url: string, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in with the demo wallet' }).click();
  await page.getByTestId('faucet').click();
  await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 15_000 }).toBe('$100.00');
  await expect
    .poll(() => page.getByTestId('chart').getAttribute('data-grid'), { timeout: 15_000 })
    .toBe('open');
  expect(errors).toEqual([]);
  return page;
}

/**
 * Taps cells around the price line a few columns ahead until one takes the bet, and returns the
 * bet's list item once the API answered (`until: 'admitted'`) or once the bet is priced and
 * accepted (`'accepted'`, the default). A cell whose multiplier is not offered ignores the tap;
 * a refused bet is tapped again elsewhere: every refusal the market causes is expected now and
 * then (`quote_moved`: the price moved between the quote shown and the server's or the fill's by
 * more than the trader's slippage tolerance, SPEC §3 — under next-tick entry about a tenth of
 * near-cell fills at the default 10 %; `cell_not_offered`, `price_stale` while the feed warms up).
 * The refusals are kept for the failure message.
 */
export async function tapACell(
  page: Page,
  tap: (x: number, y: number) => Promise<void>,
  until: 'admitted' | 'accepted' = 'accepted',
) {
  const box = await page.getByTestId('chart').boundingBox();
  if (!box) throw new Error('no chart on the page');
  const nowX = Math.min(Math.max(box.width * 0.3, 90), 360);
  const column = Math.max(64, ((box.width - nowX) * 5_000) / 60_000);
  const row = Math.max(44, Math.min(64, box.height / 12));
  const refusals: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const [dx, rows] = TAP_SPOTS[attempt % TAP_SPOTS.length] ?? [1.5, 2.5];
    const before = await page.locator('[data-testid=bets] li').count();
    await tap(box.x + nowX + column * dx, box.y + box.height / 2 - row * rows);
    const placed = await page
      .waitForFunction((n) => document.querySelectorAll('[data-testid=bets] li').length > n, before, {
        timeout: 1_500,
      })
      .then(
        () => true,
        () => false,
      );
    if (!placed) continue;
    const item = page.locator('[data-testid=bets] li').first();
    await expect.poll(() => phaseOf(item), { timeout: 10_000 }).not.toBe('sending');
    // Under next-tick entry the 202 is pending and the fill decides; at receipt it is accepted next.
    if (until === 'accepted')
      await expect.poll(() => phaseOf(item), { timeout: 10_000 }).not.toMatch(/^(sending|pending)$/);
    if (!['refused', 'rejected'].includes((await phaseOf(item)) ?? '')) return item;
    refusals.push(await item.innerText());
  }
  throw new Error(`no cell took the bet; refusals: ${JSON.stringify(refusals)}`);
}

const TAP_SPOTS = [
  [1.5, 2.5],
  [2.5, 2.5],
  [2.5, -2.5],
  [3.5, 3.5],
  [1.5, -3.5],
  [4.5, 1.5],
] as const;

export const phaseOf = (item: Locator) => item.getAttribute('data-phase');

/** Waits for the bet's phase to match, naming what the page shows if it does not. */
export async function phaseBecomes(page: Page, item: Locator, match: RegExp, timeoutMs: number) {
  try {
    await expect.poll(() => phaseOf(item), { timeout: timeoutMs, interval: 50 }).toMatch(match);
  } catch (err) {
    const shown = await page
      .locator('[data-testid=bets]')
      .innerText()
      .catch(() => '(no bets)');
    const status = await page
      .getByTestId('status')
      .innerText()
      .catch(() => '');
    throw new Error(`bet never matched ${match}: page shows "${shown}" / "${status}"`, { cause: err });
  }
}
