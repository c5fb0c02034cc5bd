/**
 * The web client end to end in real Chromium (Debian's `chromium`, driven by playwright-core):
 * the whole stack on the simulated feed with its production defaults (next-tick entry, the adaptive
 * fill delay, the filtered index), nginx serving the build (run `pnpm build` first), a trader
 * who signs in with the demo wallet, takes faucet funds, taps a cell and watches the bet go
 * pending → accepted (filled at a print after the tap) → settled while the balance follows; the breaker banner and the locked grid
 * while the feed is stopped; "reconnecting" while ws-gateway is down and the missed events after it
 * is back; a phone-sized viewport. Screenshots go to web/e2e/artifacts/ (gitignored).
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  phaseBecomes,
  phaseOf,
  shot,
  signedInPage as signIn,
  startWebStack,
  tapACell,
  type WebStack,
  waitUntil,
} from './browser-kit.js';

let web: WebStack;

beforeAll(async () => {
  web = await startWebStack();
}, 120_000);
afterAll(async () => {
  await web?.stop();
});

const signedInPage = (context: BrowserContext) => signIn(web.nginx.url, context);

describe('the web client in Chromium', () => {
  it('signs in with the demo wallet, takes funds, bets with a tap and follows it to settlement', async () => {
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 } });
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
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context);
    const feed = web.stack.daemon('price-ingest');
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
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signedInPage(context);
    const bet = await tapACell(page, (x, y) => page.mouse.click(x, y));
    await phaseBecomes(page, bet, /accepted/, 10_000);
    await web.stack.daemon('ws-gateway').stop('SIGKILL');
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
      const res = await fetch(`${web.stack.apiUrl}/v1/bets/${betId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ['won', 'lost', 'void'].includes(((await res.json()) as { status: string }).status);
    }, 30_000);
    expect(await phaseOf(bet)).toBe('accepted');
    await web.stack.crashAndRestart('ws-gateway');
    await expect
      .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('open');
    await phaseBecomes(page, bet, /won|lost|void/, 10_000);
    await shot(page, '6-resumed');
    await context.close();
  }, 90_000);

  it('works at phone width with tap targets of at least 44 px', async () => {
    const context = await web.browser.newContext({
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
