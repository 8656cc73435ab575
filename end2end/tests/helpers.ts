import { test as base, expect, Page } from '@playwright/test';

/** Every test fails on a browser error: a panic, a hydration mismatch, an uncaught exception.
 *  Chromium's own lines about HTTP error statuses are left out: refusals are tested on purpose. */
export const test = base.extend<{ browserErrors: string[] }>({
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
