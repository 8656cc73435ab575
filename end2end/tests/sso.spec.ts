import { api, expect, hydrated, signIn, test } from './helpers';

// Issue 15: single sign-on. A person clicks "Sign in with Corp ID", signs in on the provider's
// own page (tools/oidc-provider.mjs, started beside meshenv by scripts/e2e) and lands in meshenv
// as the mapped role, in the team their group fills. An admin gives that team a workspace
// through the transfer list, and the person sees its connections. Someone from a domain that
// is not allowed is refused with a page that says so.

/** The provider's address, as scripts/e2e gave it to meshenv. */
const ISSUER = `http://127.0.0.1:${process.env.MESHENV_E2E_OIDC_PORT || 3200}`;

test('sign in through the identity provider; a provider team given a workspace shares its connections', async ({ page, browser, baseURL }) => {
  const base = baseURL!;
  const context = await browser.newContext();
  const person = await context.newPage();
  await person.goto('/login');
  await person.getByRole('link', { name: 'Sign in with Corp ID' }).click();
  // The provider's own sign-in page (any password: the login names the account).
  await person.locator('input[name=login]').fill('olivia');
  await person.locator('input[name=password]').fill('anything');
  await person.getByRole('button', { name: 'Sign-in' }).click();
  await expect(person).toHaveURL(/\/environments$/);
  await hydrated(person);
  await expect(person.getByTestId('current-user')).toHaveText('Olivia Sso');
  // The default role, member: no Members page.
  await expect(person.getByRole('link', { name: 'Members' })).toHaveCount(0);

  // The admin finds the team the provider filled, and gives it a workspace.
  await signIn(page, '/teams');
  await expect(page.getByRole('link', { name: 'SSO on-call' })).toBeVisible();
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-sso-env' });
  const conn = await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-sso-k8s', kind: 'kubernetes', url: 'https://sso:6443' });
  await api(page.request, base, 'POST', `/api/environments/${env.id}/connections/${conn.id}`, {});
  const ws = await api(page.request, base, 'POST', '/api/workspaces', { name: 'e2e-sso-ws' });
  await api(page.request, base, 'POST', `/api/workspaces/${ws.id}/environments/${env.id}`, {});
  await page.goto(`/workspaces/${ws.id}`);
  await hydrated(page);
  const teams = page.getByTestId('transfer-teams');
  const available = teams.getByTestId('pane-available');
  await available.getByLabel('Search available teams').fill('SSO on');
  await available.getByRole('checkbox', { name: /SSO on-call/ }).check();
  await teams.getByRole('button', { name: 'Add selected →' }).click();
  await teams.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved: 1 added, 0 removed');

  // The person's next page has the workspace's connection.
  await person.goto('/connections');
  await expect(person.getByText('e2e-sso-k8s')).toBeVisible();
  // Signing out ends meshenv's session and goes on to the provider's own logout.
  await hydrated(person);
  await person.getByRole('button', { name: 'Sign out' }).click();
  await expect(person).toHaveURL(new RegExp(`^${ISSUER}/session/end`));
  await person.goto('/environments');
  await expect(person).toHaveURL(/\/login/);
  await context.close();

  // Someone whose email domain is not allowed gets a clear page, and no session.
  const outsider = await browser.newContext();
  const stranger = await outsider.newPage();
  await stranger.goto('/login');
  await stranger.getByRole('link', { name: 'Sign in with Corp ID' }).click();
  await stranger.locator('input[name=login]').fill('oscar');
  await stranger.locator('input[name=password]').fill('anything');
  await stranger.getByRole('button', { name: 'Sign-in' }).click();
  await expect(stranger).toHaveURL(/\/login\?sso_error=email_domain/);
  await expect(stranger.getByRole('alert')).toContainText('not from a domain allowed');
  await stranger.goto('/environments');
  await expect(stranger).toHaveURL(/\/login/);
  await outsider.close();
});
