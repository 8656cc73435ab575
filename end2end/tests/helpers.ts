import { test as base, APIRequestContext, expect, Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';

/** Every test fails on a browser error: a panic, a hydration mismatch, an uncaught exception.
 *  Chromium's own lines about HTTP error statuses are left out: refusals are tested on purpose. */
export const test = base.extend<{ browserErrors: string[]; accessible: void }>({
  browserErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
      });
      await use(errors);
      expect(errors, 'errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
  /** Every page a test visits is scanned with axe afterwards, in the light and the dark theme,
   *  signed in as the test left the browser; any violation fails the test. The scan runs in a
   *  context of its own with JavaScript on (axe is a script), hydrated like a visitor's page. */
  accessible: [
    async ({ page, context, browser, baseURL }, use) => {
      const visited = new Set<string>();
      page.on('framenavigated', (frame) => {
        if (frame !== page.mainFrame()) return;
        const url = new URL(frame.url());
        if (url.origin === new URL(baseURL!).origin) visited.add(url.pathname + url.search);
      });
      await use();
      const violations: string[] = [];
      const scanned = new Set<string>();
      const scanning = await browser.newContext({
        baseURL,
        javaScriptEnabled: true,
        storageState: await context.storageState(),
      });
      const scanner = await scanning.newPage();
      for (const path of visited) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await scanner.emulateMedia({ colorScheme });
          await scanner.goto(path);
          const at = new URL(scanner.url());
          const key = `${colorScheme} ${at.pathname}${at.search}`;
          if (scanned.has(key)) continue;
          scanned.add(key);
          const ready = await hydrated(scanner).then(() => true, () => false);
          if (!ready) {
            violations.push(`${key}: did not hydrate`);
            continue;
          }
          const result = await new AxeBuilder({ page: scanner }).analyze();
          for (const v of result.violations) {
            const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
            violations.push(`${key}: ${v.id} (${v.impact}) at ${where}`);
          }
        }
      }
      await scanning.close();
      expect(violations, 'accessibility violations (axe)').toEqual([]);
    },
    // Its own time: the scans come after the test's 30 s.
    { auto: true, timeout: 180_000 },
  ],
});
export { expect };

export const ADMIN = { login: 'admin', password: 'e2e-admin-password' };

/** Waits until the WebAssembly app has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 20_000 });
}

export async function signIn(page: Page, next = '/environments') {
  await page.goto(next);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('User name or email').fill(ADMIN.login);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(next.replace(/[?]/g, '\\?') + '$'));
  await expect(page.getByTestId('current-user')).toHaveText('admin');
}

export function rows(page: Page) {
  return page.getByTestId('environment-row');
}

/** Calls the REST API as the signed-in browser (its session cookie, from its own origin) and
 *  returns the parsed answer; fails the test on an error status. */
export async function api(request: APIRequestContext, baseURL: string, method: string, path: string, data?: unknown) {
  const r = await request.fetch(path, { method, data, headers: { Origin: baseURL } });
  expect(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`).toBeTruthy();
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}
