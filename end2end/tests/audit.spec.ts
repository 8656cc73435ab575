import * as fs from 'node:fs';
import { api, expect, hydrated, signIn, test } from './helpers';

test('the audit log shows who changed what, filtered, linking to the object and its history', async ({ page }) => {
  await signIn(page, '/environments/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-audited');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await expect(page).toHaveURL(/\/environments\/[0-9a-f-]+$/);
  await page.goto('/environments');
  await page.getByRole('link', { name: 'Edit e2e-audited' }).click();
  await hydrated(page);
  await page.getByLabel('Description').fill('changed for the audit test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/environments\/[0-9a-f-]+$/);

  // The nav offers the log to an admin; the filter form narrows it.
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await page.getByLabel('Object').selectOption('environment');
  await page.getByLabel('Action').fill('environment.update');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=environment.update/);
  const row = page.getByTestId('event-row').filter({ hasText: 'e2e-audited' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('admin');
  // The change as a diff: the changed field only, before and after.
  await row.locator('summary').click();
  const diff = row.getByTestId('diff');
  await expect(diff.locator('tbody tr')).toHaveCount(1);
  await expect(diff).toContainText('description');
  await expect(diff.locator('.diff-after')).toHaveText('changed for the audit test');

  // The object link leads to the environment, whose page shows its recent history.
  await row.getByRole('link', { name: 'e2e-audited' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-audited');
  const history = page.locator('section.history');
  await expect(history.getByTestId('event-row')).toHaveCount(2);
  await expect(history).toContainText('environment.update');
  await expect(history).toContainText('environment.create');
});

test('the audit log filters by person and date, downloads what it shows, and remembers deleted objects', async ({ page, baseURL }) => {
  await signIn(page, '/audit');
  const env = await api(page.request, baseURL!, 'POST', '/api/environments', { name: 'e2e-forgotten' });
  await api(page.request, baseURL!, 'DELETE', `/api/environments/${env.id}`);
  await api(page.request, baseURL!, 'DELETE', `/api/environments/${env.id}?purge=true`);
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  await page.goto('/audit');
  await hydrated(page);
  await page.getByLabel('Who').fill('admin');
  await page.getByLabel('From (UTC)').fill(today);
  await page.getByLabel('To (UTC)').fill(today);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`actor=admin.*from=${today}`));
  const events = page.getByTestId('event-row');
  await expect(events.filter({ hasText: 'e2e-forgotten' })).toHaveCount(3);
  for (const who of await page.getByTestId('event-actor').allTextContents()) expect(who).toMatch(/^admin/);
  // Everything of yesterday and before: none of today's.
  await page.getByLabel('From (UTC)').fill('');
  await page.getByLabel('To (UTC)').fill(yesterday);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(events.filter({ hasText: 'e2e-forgotten' })).toHaveCount(0);

  // The download is the filtered log as CSV.
  await page.goto(`/audit?actor=admin&action=purge&from=${today}`);
  await hydrated(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^meshenv-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('id,time,actor_id,actor_name,token_id,action,entity_type,entity_id,entity_name,reason,before,after');
  expect(csv.slice(1).every((line) => line.includes(',environment.purge,'))).toBeTruthy();
  expect(csv.some((line) => line.includes(`,${env.id},e2e-forgotten,`))).toBeTruthy();

  // A link to the purged environment shows its last known state and its history.
  await page.goto(`/environments/${env.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-forgotten');
  await expect(page.getByTestId('gone')).toHaveText('deleted');
  await expect(page.getByTestId('last-known')).toContainText('e2e-forgotten');
  await expect(page.locator('section.history').getByTestId('event-row')).toHaveCount(3);

  // The same for a deleted credential, whose secret stays masked in its last known state.
  const cred = await api(page.request, baseURL!, 'POST', '/api/credentials',
    { name: 'e2e-gone-token', type: 'token', secret: { token: 'e2e-secret-value' }, allowed_hosts: ['*.example'] });
  await api(page.request, baseURL!, 'DELETE', `/api/credentials/${cred.id}`);
  await page.goto(`/credentials/${cred.id}/edit`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-gone-token');
  await expect(page.getByTestId('gone')).toHaveText('deleted');
  await expect(page.getByTestId('last-known')).toContainText('e2e-gone-token');
  await expect(page.locator('body')).not.toContainText('e2e-secret-value');
});
