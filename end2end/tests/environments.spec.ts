import { expect, hydrated, rows, signIn, test } from './helpers';

test.describe.configure({ mode: 'serial' });

test('sign in, then create, find, edit and delete an environment', async ({ page }) => {
  await signIn(page);
  await hydrated(page);

  // The page hydrated: the form checks fields as they are typed, before any submit.
  await page.getByRole('link', { name: 'New environment' }).first().click();
  await expect(page).toHaveURL(/\/environments\/new$/);
  await page.getByLabel('Tags').fill('bad tag!');
  await expect(page.locator('#env-tags-error')).toContainText("has '!'");
  await page.getByLabel('Tags').fill('prod, us-east');
  await expect(page.locator('#env-tags-error')).toBeEmpty();

  // Create through the form: no full reload, a toast, and the row in the list.
  await page.getByLabel('Name').fill('e2e-production');
  await page.getByLabel('Description').fill('Production clusters for the e2e run');
  await page.getByRole('button', { name: 'Create environment' }).click();
  // After creating, you land on the new environment.
  await expect(page).toHaveURL(/\/environments\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-production');
  await expect(page.getByRole('status')).toContainText("Created environment 'e2e-production'");
  await page.goto('/environments');
  await expect(rows(page).filter({ hasText: 'e2e-production' })).toHaveCount(1);
  await expect(rows(page).filter({ hasText: 'e2e-production' }).locator('.chip')).toHaveText(['prod', 'us-east']);

  // A second try with the same name (other case) is refused on the name field.
  await page.goto('/environments/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('E2E-Production');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await expect(page.getByTestId('name-error')).toContainText('already exists');
  await expect(page).toHaveURL(/\/environments\/new$/);
  // Editing the name clears the server's refusal.
  await page.getByLabel('Name').fill('e2e-staging');
  await expect(page.getByTestId('name-error')).toBeEmpty();
  await page.getByRole('button', { name: 'Create environment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-staging');
  await page.goto('/environments');
  await expect(rows(page).filter({ hasText: /e2e-(production|staging)/ })).toHaveCount(2);

  // Search: the URL carries it, and a reload shows the same view.
  await page.getByLabel('Search environments').fill('PRODUCTION');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/search=PRODUCTION/);
  await expect(rows(page)).toHaveCount(1);
  await page.getByRole('link', { name: /^Name/ }).click();
  await expect(page).toHaveURL(/order=name(%20|\+)asc/);
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Search environments')).toHaveValue('PRODUCTION');
  await expect(rows(page)).toHaveCount(1);
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Name');
  await page.goBack();
  await expect(page).not.toHaveURL(/order=/);
  await expect(rows(page)).toHaveCount(1);

  // Edit.
  await rows(page).filter({ hasText: 'e2e-production' }).getByRole('link', { name: 'Edit' }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await hydrated(page);
  await expect(page.getByLabel('Name')).toHaveValue('e2e-production');
  await page.getByLabel('Description').fill('Edited by the e2e run');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/environments\/[0-9a-f-]+$/);
  await expect(page.getByRole('status')).toContainText("Saved environment 'e2e-production'");
  await page.goto('/environments');
  await hydrated(page);
  await expect(rows(page).filter({ hasText: 'e2e-production' })).toContainText('Edited by the e2e run');

  // Delete, behind a confirmation that says what is kept: it goes to the trash.
  await rows(page).filter({ hasText: 'e2e-production' }).getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Connections and credentials are never deleted');
  await dialog.getByRole('button', { name: 'Delete environment' }).click();
  await expect(page.getByRole('status')).toContainText("Moved to the trash: 'e2e-production'");
  await expect(rows(page).filter({ hasText: 'e2e-production' })).toHaveCount(0);
  await page.reload();
  await expect(rows(page).filter({ hasText: 'e2e-production' })).toHaveCount(0);
  await expect(rows(page).filter({ hasText: 'e2e-staging' })).toHaveCount(1);
});

test('API tokens are created once-visible and revoked from settings', async ({ page, request }) => {
  await signIn(page, '/settings');
  await hydrated(page);
  await page.getByLabel('Token name').fill('e2e-ci');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').locator('code').textContent())!.trim();
  expect(secret).toMatch(/^mshv_/);
  await expect(page.getByTestId('token-row').filter({ hasText: 'e2e-ci' })).toHaveCount(1);

  const me = await request.get('/api/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).name).toBe('admin');

  await page.getByTestId('token-row').filter({ hasText: 'e2e-ci' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke token' }).click();
  await expect(page.getByTestId('token-row').filter({ hasText: 'e2e-ci' })).toHaveCount(0);
  // The revoked token's secret is not left on screen.
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  const after = await request.get('/api/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in and the create form work before hydration', async ({ page }) => {
    await signIn(page);
    await page.goto('/environments/new');
    await page.getByLabel('Name').fill('no-js-env');
    await page.getByLabel('Tags').fill('plain, form');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await expect(page).toHaveURL(/\/environments$/);
    await expect(rows(page).filter({ hasText: 'no-js-env' })).toHaveCount(1);

    // The server's refusal comes back on the name field.
    await page.goto('/environments/new');
    await page.getByLabel('Name').fill('NO-JS-ENV');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await expect(page).toHaveURL(/\/environments\/new/);
    await expect(page.getByTestId('name-error')).toContainText('already exists');
  });
});
