import { Browser, Page } from '@playwright/test';
import { expect, hydrated, signIn, test } from './helpers';

const LOGIN = 'e2e-sessions@example.com';

async function signInAs(browser: Browser, password: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/settings');
  await page.getByLabel('User name or email').fill(LOGIN);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await hydrated(page);
  return page;
}

async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
}

test('a password change signs the other browsers out; the session list shows them, and "sign out everywhere" ends them', async ({ page, browser, baseURL }) => {
  // An admin adds someone; they get a one-time password.
  await signIn(page, '/members');
  await hydrated(page);
  const r = await page.request.fetch('/api/users', { method: 'POST', data: { email: LOGIN }, headers: { Origin: baseURL! } });
  expect(r.status()).toBe(201);
  const oneTime = (await r.json()).one_time_password as string;

  // They choose their own password in one browser, then sign in from a second.
  const first = await signInAs(browser, oneTime);
  await changePassword(first, oneTime, 'sessions-password-1');
  const second = await signInAs(browser, 'sessions-password-1');

  // Both sessions are listed; the second browser is the current one there.
  await second.reload();
  await hydrated(second);
  await expect(second.getByTestId('session-row')).toHaveCount(2);
  await expect(second.locator('[data-testid="session-row"][data-current="true"]')).toHaveCount(1);
  await expect(second.locator('[data-testid="session-row"][data-current="true"]')).toContainText('this browser');

  // The second browser changes the password: the first is sent to sign in on its next page.
  await changePassword(second, 'sessions-password-1', 'sessions-password-2');
  await first.goto('/environments');
  await expect(first).toHaveURL(/\/login/);
  await second.goto('/settings');
  await expect(second.getByTestId('session-row')).toHaveCount(1);

  // Signed in again there, then signed out everywhere from the second browser.
  const again = await signInAs(browser, 'sessions-password-2');
  await second.reload();
  await hydrated(second);
  await expect(second.getByTestId('session-row')).toHaveCount(2);
  await second.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(second).toHaveURL(/\/login/);
  await again.goto('/environments');
  await expect(again).toHaveURL(/\/login/);
});
