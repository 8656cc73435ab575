import { api, expect, hydrated, rows, signIn, test } from './helpers';

// Issue 14: the admin's screens. Nobody stuck, nothing lost, one form pattern, words a person
// uses, layouts that hold at every width.

test('every form shows all its errors on their fields, focuses the first, and refuses taken names', async ({ page, baseURL }) => {
  await signIn(page, '/connections/new');
  await hydrated(page);
  const base = baseURL!;
  await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-Forms-Prom', kind: 'prometheus', url: 'http://prom.example:9090' });

  // The name is focused on a new form; nothing is red before it is touched.
  await expect(page.locator('#conn-name')).toBeFocused();
  await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
  // A refused submit shows every error at once and focuses the first.
  await page.locator('#conn-kind').focus();
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page.getByTestId('conn-name-error')).toContainText('name is required');
  await expect(page.getByTestId('conn-kind-error')).toContainText('kind');
  await expect(page.locator('#conn-name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#conn-kind')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#conn-name')).toBeFocused();

  // A name taken in another case is refused on the name field, which gets focus; editing it
  // clears the refusal.
  await page.getByLabel('Name').fill('E2E-FORMS-PROM');
  await page.getByLabel('Kind').fill('prometheus');
  await page.getByLabel('Prometheus URL').fill('http://prom2.example:9090');
  await page.locator('#conn-url').focus();
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page.getByTestId('conn-name-error')).toContainText('already exists');
  await expect(page.locator('#conn-name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#conn-name')).toBeFocused();
  await page.getByLabel('Name').fill('e2e-forms-prom-2');
  await expect(page.getByTestId('conn-name-error')).toBeEmpty();
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-forms-prom-2');
  await expect(page.getByRole('status')).toContainText("Registered connection 'e2e-forms-prom-2'");

  // The credential form: the secret's error waits for the field or a submit, and is marked on it.
  await page.goto('/credentials/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-forms-token');
  await expect(page.locator('#secret-token')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByTestId('cred-name-error')).toBeEmpty();
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.locator('#secret-token')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#secret-token-error')).toContainText('token is required');
  await expect(page.locator('#cred-hosts')).toHaveAttribute('aria-invalid', 'true');
  // The first field in error, in the form's order: the allowed hosts come before the secret.
  await expect(page.locator('#cred-hosts')).toBeFocused();
  await page.locator('#secret-token').fill('s3cret');
  await page.getByLabel('Allowed hosts').fill('*.example');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-forms-token');
  await page.goto('/credentials/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('E2E-Forms-Token');
  await page.locator('#secret-token').fill('other');
  await page.getByLabel('Allowed hosts').fill('*.example');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByTestId('cred-name-error')).toContainText('already exists');
  await expect(page.locator('#cred-name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#cred-name')).toBeFocused();
});

test('members: a one-time password stays until dismissed, can be copied, and the new member goes on without a reload', async ({ page, browser, baseURL }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL! });
  await signIn(page, '/members');
  await hydrated(page);

  // The admin's own row offers nothing to do to themselves.
  const mine = page.getByTestId('user-row').filter({ hasText: 'admin@localhost' });
  await expect(mine).toContainText('you');
  await expect(mine.getByRole('button')).toHaveCount(0);

  await page.getByLabel('Email', { exact: true }).fill('e2e-otp@example.com');
  await page.getByRole('button', { name: 'Add member' }).click();
  const panel = page.getByTestId('one-time-password');
  await expect(panel).toBeVisible();
  const oneTime = (await panel.getByTestId('secret').textContent())!.trim();
  expect(oneTime.length).toBeGreaterThan(8);
  // The form cleared for the next person; a second try with the same email is refused, and
  // the password stays on screen.
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue('');
  await page.getByLabel('Email', { exact: true }).fill('e2e-otp@example.com');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.locator('#user-email ~ .field-error')).toContainText('already exists');
  await expect(panel.getByTestId('secret')).toHaveText(oneTime);
  await panel.getByRole('button', { name: 'Copy' }).click();
  await expect(panel.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(oneTime);
  await panel.getByRole('button', { name: 'Done, I have stored it' }).click();
  await expect(panel).toHaveCount(0);

  // The new member: sent to Settings, the tokens card says what comes first; after the change
  // the banner goes and the rest of the app opens, with no reload.
  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto('/environments');
  await member.getByLabel('User name or email').fill('e2e-otp@example.com');
  await member.getByLabel('Password').fill(oneTime);
  await member.getByRole('button', { name: 'Sign in' }).click();
  await expect(member).toHaveURL(/\/settings$/);
  await hydrated(member);
  await expect(member.getByText('choose your own to continue')).toBeVisible();
  await expect(member.getByTestId('tokens-after-password')).toBeVisible();
  await expect(member.locator('body')).not.toContainText('/api/me/password');
  // A mark on the window: a reload would wipe it.
  await member.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
  await member.getByLabel('Current password').fill(oneTime);
  await member.getByLabel('New password').fill('e2e-otp-own-password');
  await member.getByRole('button', { name: 'Change password' }).click();
  await expect(member.getByRole('status')).toContainText('Password changed.');
  await expect(member.getByText('choose your own to continue')).toHaveCount(0);
  await expect(member.getByLabel('Token name')).toBeVisible();
  await member.getByRole('link', { name: 'Environments', exact: true }).click();
  await expect(member).toHaveURL(/\/environments$/);
  await expect(member.getByRole('heading', { level: 1 })).toHaveText('Environments');
  expect(await member.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

  // Members is for admins: a member is told so, not shown a form that would be refused.
  const refused = await member.goto('/members');
  expect(refused!.status()).toBe(403);
  await expect(member.getByTestId('not-available')).toContainText('Not available to you');
  await expect(member.getByLabel('Email', { exact: true })).toHaveCount(0);
  await context.close();
});

test('bulk delete is confirmed, dialogs keep focus and give it back, one view is current, toasts say what happened', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  for (const n of ['e2e-bulk-1', 'e2e-bulk-2']) await api(page.request, base, 'POST', '/api/environments', { name: n });
  const archived = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-bulk-archived' });
  await api(page.request, base, 'POST', `/api/environments/${archived.id}/archive`);
  await api(page.request, base, 'DELETE', `/api/environments/${archived.id}`);
  await page.goto('/environments?search=e2e-bulk');
  await hydrated(page);

  await page.getByRole('checkbox', { name: 'Select e2e-bulk-1' }).check();
  await page.getByRole('checkbox', { name: 'Select e2e-bulk-2' }).check();
  const bulkDelete = page.getByRole('button', { name: 'Delete selected' });
  await bulkDelete.click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete 2 environments?');
  // Tab goes round the dialog's buttons, never behind it.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Delete environments' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Delete environments' })).toBeFocused();
  // Escape cancels: nothing deleted, focus back on the button that opened it.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(bulkDelete).toBeFocused();
  await expect(rows(page)).toHaveCount(2);
  await bulkDelete.click();
  await dialog.getByRole('button', { name: 'Delete environments' }).click();
  await expect(page.getByRole('status')).toContainText('Moved 2 environments to the trash');
  await expect(rows(page)).toHaveCount(0);

  // Exactly one view is current, after each click and after a reload.
  const views = page.getByRole('navigation', { name: 'Views' });
  for (const view of ['Trash', 'Archived', 'Unused', 'All']) {
    await views.getByRole('link', { name: view, exact: true }).click();
    await expect(views.locator('[aria-current="page"]')).toHaveText([view]);
  }
  await views.getByRole('link', { name: 'Trash', exact: true }).click();
  await page.reload();
  await hydrated(page);
  await expect(views.locator('[aria-current="page"]')).toHaveText(['Trash']);

  // Restoring an environment archived before it was deleted says where it went.
  await rows(page).filter({ hasText: 'e2e-bulk-archived' }).getByRole('button', { name: 'Restore e2e-bulk-archived' }).click();
  await expect(page.getByRole('status')).toContainText("Restored 'e2e-bulk-archived' to Archived");
});

const WIDTHS = [1440, 1024, 768, 390];

test('no main page scrolls sideways at 1440, 1024, 768 or 390 px, and row actions stay in view', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  const long = 'e2e-layout-' + 'x'.repeat(60);
  const env = await api(page.request, base, 'POST', '/api/environments', { name: long, description: 'A long description '.repeat(8), tags: ['prod', 'us-east', 'layout'] });
  await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-layout-conn', kind: 'kubernetes', url: 'https://a-rather-long-host-name.example.internal:6443' });
  const ws = await api(page.request, base, 'POST', '/api/workspaces', { name: 'e2e-layout-ws' });
  const team = await api(page.request, base, 'POST', '/api/teams', { name: 'e2e-layout-team-' + 'y'.repeat(60), description: 'A long description '.repeat(8) });
  const pages = ['/environments', '/connections', '/credentials', '/workspaces', '/teams', '/members', '/audit', '/settings',
    `/environments/${env.id}`, `/workspaces/${ws.id}`, `/teams/${team.id}`];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of pages) {
      await page.goto(path);
      await hydrated(page);
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(widths[0], `${path} at ${width} px is ${widths[0]} px wide`).toBeLessThanOrEqual(widths[1]);
      // The first row's actions are on screen.
      const actions = page.locator('table.data tbody tr').first().locator('.row-actions a, .row-actions button');
      if (await actions.count()) {
        const box = (await actions.last().boundingBox())!;
        expect(box.x + box.width, `${path} at ${width} px: row actions cut off`).toBeLessThanOrEqual(width);
      }
    }
    // On narrow screens the header collapses into a menu button.
    await page.goto('/environments');
    await hydrated(page);
    const menu = page.getByRole('button', { name: 'Menu' });
    if (width <= 720) {
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
      await menu.click();
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
      await expect(page).toHaveURL(/\/connections$/);
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
    } else {
      await expect(menu).toBeHidden();
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    }
  }
});

const KUBECONFIG = `
apiVersion: v1
kind: Config
clusters:
- name: kc-prod-cluster
  cluster:
    server: https://kc-prod.k8s.example:6443
- name: kc-dev-cluster
  cluster:
    server: https://kc-dev.k8s.example:6443
users:
- name: kc-prod-admin
  user:
    token: kc-prod-token-abc123
contexts:
- name: e2e-kc-prod
  context:
    cluster: kc-prod-cluster
    user: kc-prod-admin
- name: e2e-kc-dev
  context:
    cluster: kc-dev-cluster
    user: nobody
`;

test('a kubeconfig is imported through the UI after a preview; a connection changes status from its page', async ({ page }) => {
  await signIn(page, '/connections');
  await hydrated(page);
  await page.getByRole('link', { name: 'Import kubeconfig' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import a kubeconfig');
  await hydrated(page);
  // Nothing to read yet: said on the field.
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('#kubeconfig-yaml-error')).toContainText('Paste a kubeconfig');
  await page.getByLabel('Or paste it').fill('clusters: [unclosed');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.locator('#kubeconfig-yaml-error')).toContainText('not a kubeconfig');
  await page.getByLabel('Or paste it').fill(KUBECONFIG);
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByTestId('kubeconfig-preview');
  await expect(preview.getByTestId('preview-row')).toHaveCount(2);
  await expect(preview.getByTestId('preview-row').first()).toContainText('https://kc-prod.k8s.example:6443');
  await expect(preview.getByTestId('preview-row').first()).toContainText("from the file's user");
  await expect(preview.getByTestId('preview-row').nth(1)).toContainText('none');
  // The preview made nothing.
  const before = await page.request.get('/api/connections?search=e2e-kc');
  expect((await before.json()).total_count).toBe(0);
  await preview.getByRole('button', { name: 'Import 2 connections' }).click();
  await expect(page.getByRole('status')).toContainText('Imported 2 connections');
  await expect(page).toHaveURL(/\/connections\?/);
  await expect(page.getByTestId('connection-row').filter({ hasText: 'e2e-kc-' })).toHaveCount(2);

  // Again: all of it already there, nothing to import.
  await page.goto('/connections/import');
  await hydrated(page);
  await page.getByLabel('Or paste it').fill(KUBECONFIG);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(preview.getByTestId('preview-row').filter({ hasText: 'already imported' })).toHaveCount(2);
  await expect(preview.getByRole('button', { name: 'Import 0 connections' })).toBeDisabled();

  // The status moves along its lifecycle from the connection's page.
  await page.goto('/connections?search=e2e-kc-prod');
  await page.getByTestId('connection-row').filter({ hasText: 'e2e-kc-prod' }).getByRole('link', { name: 'e2e-kc-prod', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-kc-prod');
  await hydrated(page);
  await page.getByLabel('New status').selectOption('ignored');
  await page.getByRole('button', { name: 'Change status' }).click();
  await expect(page.getByRole('status')).toContainText("'e2e-kc-prod' is now ignored");
  await expect(page.locator('.facts')).toContainText('ignored');
});

test('leaving an environment with staged moves asks first, and stays when told to', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-leave-env' });
  await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-leave-conn', kind: 'prometheus', url: 'http://leave.example:9090' });
  await page.goto(`/environments/${env.id}`);
  await hydrated(page);
  const available = page.getByTestId('pane-available');
  await available.getByLabel('Search available connections').fill('e2e-leave-conn');
  await available.getByLabel('Search available connections').press('Enter');
  await available.getByRole('checkbox', { name: /e2e-leave-conn/ }).check();
  await page.getByRole('button', { name: 'Add selected →' }).click();
  await expect(page.getByTestId('pane-assigned')).toContainText('e2e-leave-conn');

  // Told to stay: the page and its staged move are still there.
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); void d.dismiss(); });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await expect.poll(() => asked).toContain('not saved');
  await expect(page).toHaveURL(new RegExp(`/environments/${env.id}$`));
  await expect(page.getByTestId('pane-assigned')).toContainText('e2e-leave-conn');

  // Told to go: it goes, and nothing was saved.
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await expect(page).toHaveURL(/\/connections$/);
  const after = await api(page.request, base, 'GET', `/api/environments/${env.id}`);
  expect(after.connection_count).toBe(0);
});

test('a credential made from the connection form brings you back to it, with what you typed and the new credential chosen', async ({ page }) => {
  await signIn(page, '/connections/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-draft-k8s');
  await page.getByLabel('Kind').fill('kubernetes');
  await page.getByLabel('API server URL').fill('https://draft.example:6443');
  await page.getByRole('link', { name: 'New credential' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New credential');
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-draft-token');
  await page.locator('#secret-token').fill('s3cret');
  await page.getByLabel('Allowed hosts').fill('draft.example:6443');
  await page.getByRole('button', { name: 'Create credential' }).click();

  // Back on the connection form: nothing typed was lost, and the credential is chosen.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Register connection');
  await expect(page).toHaveURL(/\/connections\/new\?credential=[0-9a-f-]{36}$/);
  await expect(page.getByRole('status')).toContainText("Created credential 'e2e-draft-token'");
  await expect(page.getByLabel('Name')).toHaveValue('e2e-draft-k8s');
  await expect(page.getByLabel('API server URL')).toHaveValue('https://draft.example:6443');
  await expect(page.locator('#conn-credential option:checked')).toHaveText('e2e-draft-token (token)');
  await page.getByRole('button', { name: 'Register connection' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-draft-k8s');
  await expect(page.locator('dd').filter({ hasText: 'e2e-draft-token' })).toBeVisible();
});
