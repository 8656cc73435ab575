import { expect, hydrated, signIn, test } from './helpers';

test('credential and connection, assigned through the transfer list and removed again', async ({ page }) => {
  await signIn(page, '/credentials');
  await hydrated(page);

  // A credential: the secret fields follow the type, and the secret is never shown back.
  await page.getByRole('link', { name: 'New credential' }).first().click();
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-cluster-token');
  await page.getByLabel('Type').selectOption('kubernetes');
  await expect(page.getByLabel('Client key (PEM) (optional)')).toBeVisible();
  await page.getByLabel('Bearer token (optional)').fill('e2e-secret-token-value');
  // Where the secret may go is asked for, and set with it.
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.locator('#cred-hosts ~ .field-error')).toContainText('at least one host');
  await page.getByLabel('Allowed hosts').fill('*.example:6443');
  await page.getByRole('button', { name: 'Create credential' }).click();
  // You land on the credential's read-only page: its fields by name, never the secret.
  await expect(page).toHaveURL(/\/credentials\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-cluster-token');
  const facts = page.getByTestId('credential-facts');
  await expect(facts).toContainText('kubernetes');
  await expect(facts).toContainText('token · stored, never shown');
  await expect(facts.getByTestId('credential-hosts')).toHaveText('*.example:6443');
  await expect(page.locator('body')).not.toContainText('e2e-secret-token-value');
  await page.goto('/credentials');
  const credRow = page.getByTestId('credential-row').filter({ hasText: 'e2e-cluster-token' });
  await expect(credRow).toContainText('kubernetes');
  await expect(credRow.getByTestId('credential-hosts')).toHaveText('*.example:6443');
  await expect(credRow).toContainText('token');
  await expect(page.locator('body')).not.toContainText('e2e-secret-token-value');

  // A connection: kubernetes asks for its API server, and takes the credential.
  await page.goto('/connections/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-gke');
  await page.getByLabel('Kind').fill('kubernetes');
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page.locator('#conn-url + .field-error, #conn-url ~ .field-error')).toContainText('API server URL');
  await page.getByLabel('API server URL').fill('https://gke.example:6443');
  await page.getByLabel('Credential').selectOption({ label: 'e2e-cluster-token (kubernetes)' });
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-gke');
  await page.goto('/connections');
  const connRow = page.getByTestId('connection-row').filter({ hasText: 'e2e-gke' });
  await expect(connRow).toContainText('registered');
  await expect(connRow).toContainText('e2e-cluster-token');

  // An environment to put it in.
  await page.goto('/environments/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-assign');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await expect(page).toHaveURL(/\/environments\/[0-9a-f-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-assign');
  await hydrated(page);

  // Assign through the transfer list: Save is enabled only once something changed.
  const available = page.getByTestId('pane-available');
  const assigned = page.getByTestId('pane-assigned');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await expect(save).toHaveAttribute('aria-disabled', 'true');
  await available.getByLabel('Search available connections').fill('e2e-gke');
  await available.getByLabel('Search available connections').press('Enter');
  await expect(available.getByText('e2e-gke')).toBeVisible();
  await available.getByRole('checkbox').first().check();
  await page.getByRole('button', { name: 'Add selected →' }).click();
  await expect(assigned.getByText('e2e-gke')).toBeVisible();
  await expect(assigned.getByTestId('transfer-item').filter({ hasText: 'e2e-gke' })).toContainText('to add');
  await expect(save).toHaveAttribute('aria-disabled', 'false');
  await save.click();
  await expect(page.getByRole('status')).toContainText('Saved: 1 added, 0 removed');
  await expect(save).toHaveAttribute('aria-disabled', 'true');

  // Reload: still assigned, and the status summary counts it.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('pane-assigned').getByText('e2e-gke')).toBeVisible();
  await expect(page.getByTestId('count-assigned')).toHaveText('1 assigned');
  await expect(page.getByLabel('Connections by status')).toContainText('registered');

  // Remove it again, with the keyboard.
  const box = page.getByTestId('pane-assigned').getByRole('checkbox').first();
  await box.focus();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked();
  await page.getByRole('button', { name: '← Remove selected' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved: 0 added, 1 removed');
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('count-assigned')).toHaveText('0 assigned');

  // The connection and its credential are still there.
  await page.goto('/connections');
  await expect(page.getByTestId('connection-row').filter({ hasText: 'e2e-gke' })).toContainText('e2e-cluster-token');
  await page.goto('/environments');
  await expect(page.getByTestId('environment-row').filter({ hasText: 'e2e-assign' }).getByTestId('connection-count')).toHaveText('0');
});
