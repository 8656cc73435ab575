import { expect, hydrated, signIn, test } from './helpers';

test('the audit log shows who changed what, filtered, linking to the object and its history', async ({ page }) => {
  await signIn(page, '/environments/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-audited');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await expect(page).toHaveURL(/\/environments$/);
  await page.getByRole('link', { name: 'Edit e2e-audited' }).click();
  await hydrated(page);
  await page.getByLabel('Description').fill('changed for the audit test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/environments$/);

  // The nav offers the log to an admin; the filter form narrows it.
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await page.getByLabel('Object type').selectOption('environment');
  await page.getByLabel('Action').fill('environment.update');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=environment.update/);
  const row = page.getByTestId('event-row').filter({ hasText: 'e2e-audited' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('admin');
  await row.getByText('Changes').click();
  await expect(row).toContainText('changed for the audit test');

  // The object link leads to the environment, whose page shows its recent history.
  await row.getByRole('link', { name: 'e2e-audited' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-audited');
  const history = page.locator('section.history');
  await expect(history.getByTestId('event-row')).toHaveCount(2);
  await expect(history).toContainText('environment.update');
  await expect(history).toContainText('environment.create');
});
