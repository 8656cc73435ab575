import { api, expect, hydrated, signIn, test } from './helpers';

// Issue 15: teams. An admin makes a team and puts a person in it on the Teams pages, gives a
// workspace to the team through the workspace's transfer list, and the person, in no workspace
// of their own, then uses that workspace's connections; taken out of the team, they do not.

test('an admin gives a team a workspace through the transfer list; a team member sees its connections until taken out', async ({ page, browser, baseURL }) => {
  await signIn(page, '/teams');
  const base = baseURL!;
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-tm-env' });
  const conn = await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-tm-k8s', kind: 'kubernetes', url: 'https://tm:6443' });
  await api(page.request, base, 'POST', `/api/environments/${env.id}/connections/${conn.id}`, {});
  const ws = await api(page.request, base, 'POST', '/api/workspaces', { name: 'e2e-tm-ws' });
  await api(page.request, base, 'POST', `/api/workspaces/${ws.id}/environments/${env.id}`, {});
  const created = await api(page.request, base, 'POST', '/api/users', { email: 'e2e-tm-person@example.com' });
  const oneTime = created.one_time_password as string;

  // The Teams page: create a team, land on it, add the person by email.
  await page.reload();
  await hydrated(page);
  await page.getByLabel('Name').fill('e2e-tm-oncall');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-tm-oncall');
  await expect(page).toHaveURL(/\/teams\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByLabel('Email').fill('e2e-tm-person@example.com');
  await page.getByRole('button', { name: 'Add to team' }).click();
  await expect(page.getByTestId('team-member-row').filter({ hasText: 'e2e-tm-person' })).toHaveCount(1);
  const teamUrl = page.url();

  // The workspace's page: the team moves from Available to Assigned, and is saved.
  await page.goto(`/workspaces/${ws.id}`);
  await hydrated(page);
  const teams = page.getByTestId('transfer-teams');
  const available = teams.getByTestId('pane-available');
  await available.getByLabel('Search available teams').fill('e2e-tm');
  // By its name: other tests' teams may be listed until the search has narrowed the pane.
  await available.getByRole('checkbox', { name: /e2e-tm-oncall/ }).check();
  await teams.getByRole('button', { name: 'Add selected →' }).click();
  await teams.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved: 1 added, 0 removed');
  await expect(page.getByTestId('workspace-team-row').filter({ hasText: 'e2e-tm-oncall' })).toContainText('member');

  // The person signs in (and replaces the one-time password): the workspace's connection is theirs.
  const context = await browser.newContext();
  const person = await context.newPage();
  await person.goto('/connections');
  await person.getByLabel('User name or email').fill('e2e-tm-person@example.com');
  await person.getByLabel('Password').fill(oneTime);
  await person.getByRole('button', { name: 'Sign in' }).click();
  await expect(person).toHaveURL(/\/settings$/);
  await hydrated(person);
  await person.getByLabel('Current password').fill(oneTime);
  await person.getByLabel('New password').fill('tm-person-own-password');
  await person.getByRole('button', { name: 'Change password' }).click();
  await expect(person.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await person.goto('/connections');
  await expect(person.getByText('e2e-tm-k8s')).toBeVisible();
  await person.goto('/workspaces');
  await expect(person.getByTestId('workspace-row').filter({ hasText: 'e2e-tm-ws' })).toHaveCount(1);
  // A team member who is no workspace admin has no Teams link.
  await expect(person.getByRole('link', { name: 'Teams' })).toHaveCount(0);

  // Taken out of the team, the next page they open no longer has it.
  await page.goto(teamUrl);
  await hydrated(page);
  await page.getByRole('button', { name: 'Take e2e-tm-person out of the team' }).click();
  await expect(page.getByRole('status')).toContainText('Took e2e-tm-person out of the team');
  await person.goto('/connections');
  await expect(person.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(person.getByText('e2e-tm-k8s')).toHaveCount(0);
  await context.close();
});
