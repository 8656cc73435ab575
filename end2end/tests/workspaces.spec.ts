import { APIRequestContext } from '@playwright/test';
import { expect, hydrated, signIn, test } from './helpers';

/** A REST call with the admin's session cookie (same-origin, as the CSRF check wants). */
async function api(request: APIRequestContext, baseURL: string, method: string, path: string, data?: unknown) {
  const r = await request.fetch(path, { method, data, headers: { Origin: baseURL } });
  expect(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`).toBeTruthy();
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

test('an admin assigns an environment to a workspace; its member sees those connections only, until it is removed', async ({ page, browser, baseURL }) => {
  await signIn(page, '/workspaces');
  const req = page.request;
  const base = baseURL!;
  // What the workspace will reach, and what it must not.
  const env = await api(req, base, 'POST', '/api/environments', { name: 'e2e-team-env' });
  const reached = await api(req, base, 'POST', '/api/connections', { name: 'e2e-team-k8s', kind: 'kubernetes', url: 'https://team:6443' });
  await api(req, base, 'POST', '/api/connections', { name: 'e2e-team-hidden', kind: 'kubernetes', url: 'https://hidden:6443' });
  await api(req, base, 'POST', `/api/environments/${env.id}/connections/${reached.id}`, {});
  const created = await api(req, base, 'POST', '/api/users', { email: 'e2e-member@example.com' });
  const oneTime = created.one_time_password as string;

  // The admin creates the workspace and adds the member through the UI.
  await page.reload();
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-team');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  // Creating lands on the new workspace, and says so.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-team');
  await expect(page).toHaveURL(/\/workspaces\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('status')).toContainText("Created workspace 'e2e-team'");
  const workspaceUrl = page.url();
  await hydrated(page);
  await page.getByLabel('Email').fill('e2e-member@example.com');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByTestId('member-row').filter({ hasText: 'e2e-member' })).toHaveCount(1);

  // Assign the environment through the transfer list.
  // (The page has a second transfer list, for teams.)
  const envs = page.getByTestId('transfer-environments');
  const available = envs.getByTestId('pane-available');
  await available.getByLabel('Search available environments').fill('e2e-team-env');
  await available.getByLabel('Search available environments').press('Enter');
  await expect(available.getByText('e2e-team-env')).toBeVisible();
  await available.getByRole('checkbox').first().check();
  await envs.getByRole('button', { name: 'Add selected →' }).click();
  await envs.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved: 1 added, 0 removed');
  await expect(page.getByTestId('workspace-connection').filter({ hasText: 'e2e-team-k8s' })).toHaveCount(1);
  await expect(page.getByTestId('workspace-connection').filter({ hasText: 'e2e-team-hidden' })).toHaveCount(0);

  // The member signs in, must choose their own password first, then sees only what the
  // workspace reaches, and no button they cannot use.
  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto('/connections');
  await member.getByLabel('User name or email').fill('e2e-member@example.com');
  await member.getByLabel('Password').fill(oneTime);
  await member.getByRole('button', { name: 'Sign in' }).click();
  await expect(member).toHaveURL(/\/settings$/);
  await hydrated(member);
  await member.getByLabel('Current password').fill(oneTime);
  await member.getByLabel('New password').fill('member-own-password');
  await member.getByRole('button', { name: 'Change password' }).click();
  await expect(member.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await member.goto('/connections');
  await expect(member.getByText('e2e-team-k8s')).toBeVisible();
  await expect(member.getByText('e2e-team-hidden')).toHaveCount(0);
  await expect(member.getByRole('link', { name: 'Register connection' })).toHaveCount(0);
  await expect(member.getByRole('link', { name: 'Members' })).toHaveCount(0);
  await member.goto('/workspaces');
  await expect(member.getByTestId('workspace-row')).toHaveCount(1);

  // The member reads the workspace's environments, then, following the link, the environment's
  // connections: read-only lists in place of the transfer lists, on a page rendered by the
  // server and hydrated without an error, and on one the browser renders itself.
  const memberErrors: string[] = [];
  member.on('pageerror', (e) => memberErrors.push(e.message));
  member.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) memberErrors.push(m.text());
  });
  await member.goto(new URL(workspaceUrl).pathname);
  await hydrated(member);
  await expect(member.getByTestId('workspace-environment')).toHaveText([/e2e-team-env · 1 connections/]);
  await expect(member.getByTestId('transfer-environments')).toHaveCount(0);
  await member.getByTestId('workspace-environment').getByRole('link', { name: 'e2e-team-env' }).click();
  await expect(member).toHaveURL(new RegExp(`/environments/${env.id}$`));
  await expect(member.getByTestId('environment-connection')).toHaveText([/e2e-team-k8s/]);
  await member.reload();
  await hydrated(member);
  await expect(member.getByTestId('environment-connection')).toHaveText([/e2e-team-k8s/]);
  await expect(member.getByTestId('pane-available')).toHaveCount(0);
  expect(memberErrors, "errors in the member's browser").toEqual([]);

  // The admin removes the assignment; after a reload the member no longer sees it.
  await page.reload();
  await hydrated(page);
  const envsAgain = page.getByTestId('transfer-environments');
  const assigned = envsAgain.getByTestId('pane-assigned');
  await expect(assigned.getByText('e2e-team-env')).toBeVisible();
  await assigned.getByRole('checkbox').first().check();
  await envsAgain.getByRole('button', { name: '← Remove selected' }).click();
  await envsAgain.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved: 0 added, 1 removed');

  await member.reload();
  await expect(member.getByText('e2e-team-k8s')).toHaveCount(0);
  await member.goto('/connections');
  await expect(member.getByText('e2e-team-k8s')).toHaveCount(0);
  await context.close();
});

test("a workspace's connections are paged, each list keeping its own page", async ({ page, baseURL }) => {
  await signIn(page, '/workspaces');
  const req = page.request;
  const base = baseURL!;
  const env = await api(req, base, 'POST', '/api/environments', { name: 'e2e-paged-env' });
  for (let i = 0; i < 51; i++) {
    const c = await api(req, base, 'POST', '/api/connections', {
      name: `e2e-paged-${String(i).padStart(2, '0')}`, kind: 'kubernetes', url: `https://paged-${i}:6443`,
    });
    await api(req, base, 'POST', `/api/environments/${env.id}/connections/${c.id}`, {});
  }
  const ws = await api(req, base, 'POST', '/api/workspaces', { name: 'e2e-paged-team' });
  await api(req, base, 'POST', `/api/workspaces/${ws.id}/environments/${env.id}`, {});

  await page.goto(`/workspaces/${ws.id}`);
  await hydrated(page);
  const rows = page.getByTestId('workspace-connection');
  const pager = page.getByRole('navigation', { name: 'Pages of connections' });
  await expect(rows).toHaveCount(50);
  await expect(pager.getByTestId('page-status')).toHaveText('Page 1 of 2 · 51 connections');
  await pager.getByRole('link', { name: 'Next ›' }).click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${ws.id}\\?connections_page=1$`));
  await expect(rows).toHaveCount(1);
  await expect(pager.getByTestId('page-status')).toHaveText('Page 2 of 2 · 51 connections');
  await pager.getByRole('link', { name: '‹ Previous' }).click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${ws.id}$`));
  await expect(rows).toHaveCount(50);
});
