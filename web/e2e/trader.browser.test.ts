/**
 * The web client end to end in real Chromium (Debian's `chromium`, driven by playwright-core):
 * the whole stack on the simulated feed, nginx serving the build (run `pnpm build` first), a trader
 * who signs in with the demo wallet, takes faucet funds, taps a cell and watches the bet go
 * pending → accepted → settled while the balance follows; the breaker banner and the locked grid
 * while the feed is stopped; "reconnecting" while ws-gateway is down and the missed events after it
 * is back; a phone-sized viewport. Screenshots go to web/e2e/artifacts/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startNginx, startStack, type TestNginx, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const artifacts = join(import.meta.dirname, 'artifacts');
const CHROMIUM = '/usr/bin/chromium';

const BREAKER = { BREAKER_STALE_MS: '3000', BREAKER_RECOVERY_MS: '2000' };

let stack: TestStack;
let nginx: TestNginx;
let redis: Redis;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  stack = await startStack({
    daemons: ['price-ingest', 'health-monitor', 'batcher', 'resolver', 'ingest-api', 'ws-gateway'],
    env: {
      'ingest-api': {
        DEMO_MODE: '1',
        LOGIN_DOMAIN: `127.0.0.1:${port}`,
        LOGIN_URI: `http://127.0.0.1:${port}`,
      },
      'price-ingest': { SIM_OUTAGE_MEAN_INTERVAL_MS: '0' },
      // Stale after 3 s: short for the test, long enough that a busy machine does not open it. The
      // resolver judges the breaker from the prints with the same rules (its README: must equal).
      'health-monitor': BREAKER,
      resolver: BREAKER,
    },
  });
  nginx = await startNginx({
    apiPort: Number(new URL(stack.apiUrl).port),
    wsPort: Number(new URL(stack.wsUrl).port),
    port,
    webRoot: dist,
    ratePerS: 200,
  });
  redis = new Redis(stack.redis.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await waitUntil(
    async () => (await redis.hget(`${stack.prefix}breaker:state`, 'state')) === 'closed',
    30_000,
  );
}, 120_000);
afterAll(async () => {
  await browser?.close();
  redis?.disconnect();
  await nginx?.stop();
  await stack?.stop();
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** Opens the page, signs in with a fresh demo wallet and takes $100 from the faucet. */
async function signedInPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(nginx.url);
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
 * bet's list item once the API answered. A cell whose multiplier is not offered ignores the tap;
 * a refused bet is tapped again elsewhere: every refusal the market causes is expected now and
 * then (`quote_moved`: the price moved between the quote shown and the server's, and the trader's
 * minimum is the multiplier shown, SPEC §3; `cell_not_offered`, `price_stale` while the feed warms
 * up). The refusals are kept for the failure message.
 */
async function tapACell(page: Page, tap: (x: number, y: number) => Promise<void>) {
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
    if ((await phaseOf(item)) !== 'refused') return item;
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

const phaseOf = (item: Locator) => item.getAttribute('data-phase');

/** Waits for the bet's phase to match, naming what the page shows if it does not. */
async function phaseBecomes(page: Page, item: Locator, match: RegExp, timeoutMs: number) {
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

describe('the web client in Chromium', () => {
  it('signs in with the demo wallet, takes funds, bets with a tap and follows it to settlement', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context);
    await shot(page, '1-signed-in');
    const bet = await tapACell(page, (x, y) => page.mouse.click(x, y));
    const phases = new Set<string | null>([await phaseOf(bet)]);
    const watcher = setInterval(() => void phaseOf(bet).then((p) => phases.add(p)), 20);
    await phaseBecomes(page, bet, /won|lost|void/, 30_000).finally(() => clearInterval(watcher));
    // It was seen open (pending or accepted) before it settled, never refused.
    expect([...phases].some((p) => p === 'pending' || p === 'accepted')).toBe(true);
    expect(phases.has('refused')).toBe(false);
    const balance = await page.getByTestId('balance').textContent();
    const outcome = await phaseOf(bet);
    if (outcome === 'lost') expect(balance).toBe('$99.00');
    else expect(balance).not.toBe('$99.00');
    await shot(page, '2-settled');
    await bet.getByRole('button', { name: 'Receipt' }).click();
    await expect.poll(() => page.getByTestId('receipt').textContent()).toContain('Window candle');
    await shot(page, '3-receipt');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Ledger' }).click();
    await expect.poll(() => page.getByTestId('ledger').textContent()).toContain('deposit');
    await context.close();
  }, 90_000);

  it('shows the breaker banner and locks the grid while the feed is stopped', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context);
    const feed = stack.daemon('price-ingest');
    feed.child.kill('SIGSTOP');
    try {
      await page.getByTestId('breaker-banner').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('chart').getAttribute('data-grid')).toBe('locked');
      await shot(page, '4-breaker-open');
      const bets = await page.locator('[data-testid=bets] li').count();
      const box = await page.getByTestId('chart').boundingBox();
      await page.mouse.click((box?.x ?? 0) + (box?.width ?? 0) * 0.7, (box?.y ?? 0) + (box?.height ?? 0) / 2);
      expect(await page.locator('[data-testid=bets] li').count()).toBe(bets);
    } finally {
      feed.child.kill('SIGCONT');
    }
    await page.getByTestId('breaker-banner').waitFor({ state: 'detached', timeout: 15_000 });
    await context.close();
  }, 60_000);

  it('shows "reconnecting" while ws-gateway is down and the missed events after it is back', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context);
    const bet = await tapACell(page, (x, y) => page.mouse.click(x, y));
    await phaseBecomes(page, bet, /accepted/, 10_000);
    await stack.daemon('ws-gateway').stop('SIGKILL');
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('reconnecting');
    expect(await page.getByTestId('connection').textContent()).toBe('Reconnecting…');
    // The grid locks on the render after the connection state changes: poll, don't read once.
    await expect.poll(() => page.getByTestId('chart').getAttribute('data-grid')).toBe('locked');
    await shot(page, '5-reconnecting');
    // The bet settles while the page is cut off; it can only learn so by resuming from its last
    // event id (a reconnect that can resume does not reload over HTTP).
    const { token } = JSON.parse(
      (await page.evaluate(() => sessionStorage.getItem('tap.session.v1'))) ?? '{}',
    );
    const betId = await bet.getAttribute('data-bet-id');
    await waitUntil(async () => {
      const res = await fetch(`${stack.apiUrl}/v1/bets/${betId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ['won', 'lost', 'void'].includes(((await res.json()) as { status: string }).status);
    }, 30_000);
    expect(await phaseOf(bet)).toBe('accepted');
    await stack.crashAndRestart('ws-gateway');
    await expect
      .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('open');
    await phaseBecomes(page, bet, /won|lost|void/, 10_000);
    await shot(page, '6-resumed');
    await context.close();
  }, 90_000);

  it('works at phone width with tap targets of at least 44 px', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 2,
    });
    const page = await signedInPage(context);
    const small = await page.$$eval('button', (buttons) =>
      buttons
        .map((b) => ({ text: b.textContent, ...b.getBoundingClientRect().toJSON() }))
        .filter((b) => b.width < 44 || b.height < 44),
    );
    expect(small).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    const bet = await tapACell(page, (x, y) => page.touchscreen.tap(x, y));
    await phaseBecomes(page, bet, /accepted|won|lost|void/, 15_000);
    await shot(page, '7-phone');
    await context.close();
  }, 60_000);
});
