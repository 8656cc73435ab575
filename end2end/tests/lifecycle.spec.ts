import { api, expect, hydrated, rows, signIn, test } from './helpers';

test('archiving an environment takes its connections out of a workspace; a deleted one comes back from the Trash', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-life-env' });
  const doomed = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-life-trash' });
  const conn = await api(page.request, base, 'POST', '/api/connections', { name: 'e2e-life-k8s', kind: 'kubernetes', url: 'https://life:6443' });
  await api(page.request, base, 'POST', `/api/environments/${env.id}/connections/${conn.id}`, {});
  const ws = await api(page.request, base, 'POST', '/api/workspaces', { name: 'e2e-life-team' });
  await api(page.request, base, 'POST', `/api/workspaces/${ws.id}/environments/${env.id}`, {});

  await page.goto(`/workspaces/${ws.id}`);
  await expect(page.getByTestId('workspace-connection').filter({ hasText: 'e2e-life-k8s' })).toHaveCount(1);

  // Archive from the list: it leaves the default view for the Archived one.
  await page.goto('/environments');
  await hydrated(page);
  const row = rows(page).filter({ hasText: 'e2e-life-env' });
  await expect(row.getByTestId('state')).toHaveText('active');
  await row.getByRole('button', { name: 'Archive e2e-life-env' }).click();
  await expect(page.getByRole('status')).toContainText("Archived 'e2e-life-env': it reaches no workspace until unarchived");
  await expect(rows(page).filter({ hasText: 'e2e-life-env' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Archived', exact: true }).click();
  await expect(rows(page).filter({ hasText: 'e2e-life-env' }).getByTestId('state')).toHaveText('archived');

  // Its connection no longer reaches the workspace.
  await page.goto(`/workspaces/${ws.id}`);
  await expect(page.getByText('e2e-life-k8s')).toHaveCount(0);

  // Delete another, then restore it from the Trash.
  await page.goto('/environments');
  await hydrated(page);
  await rows(page).filter({ hasText: 'e2e-life-trash' }).getByRole('button', { name: 'Delete e2e-life-trash' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete environment' }).click();
  await expect(page.getByRole('status')).toContainText("Moved to the trash: 'e2e-life-trash'");
  await expect(rows(page).filter({ hasText: 'e2e-life-trash' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Trash', exact: true }).click();
  await hydrated(page);
  const trashed = rows(page).filter({ hasText: 'e2e-life-trash' });
  await expect(trashed.getByTestId('state')).toHaveText('deleted');
  await trashed.getByRole('button', { name: 'Restore e2e-life-trash' }).click();
  await expect(page.getByRole('status')).toContainText("Restored 'e2e-life-trash' to Active (it holds no connections)");
  await expect(rows(page).filter({ hasText: 'e2e-life-trash' })).toHaveCount(0);
  await page.getByRole('link', { name: 'All', exact: true }).click();
  await expect(rows(page).filter({ hasText: 'e2e-life-trash' })).toHaveCount(1);
  expect(doomed.id).toBeTruthy();

  // Bulk: two environments unarchived/archived with one request.
  await page.getByRole('link', { name: 'Archived', exact: true }).click();
  await hydrated(page);
  await api(page.request, base, 'POST', `/api/environments/${doomed.id}/archive`);
  await page.reload();
  await hydrated(page);
  const bulkCalls: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/fn/environments/bulk')) bulkCalls.push(r.url()); });
  await page.getByRole('checkbox', { name: 'Select e2e-life-env' }).check();
  await page.getByRole('checkbox', { name: 'Select e2e-life-trash' }).check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await page.getByRole('button', { name: 'Unarchive selected' }).click();
  await expect(page.getByRole('status')).toContainText('Unarchived 2 environments');
  expect(bulkCalls).toHaveLength(1);
  await page.goto(`/workspaces/${ws.id}`);
  await expect(page.getByTestId('workspace-connection').filter({ hasText: 'e2e-life-k8s' })).toHaveCount(1);

  // Purge from the Trash: gone for good, through its own action.
  const purged = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-life-purge' });
  await api(page.request, base, 'DELETE', `/api/environments/${purged.id}`);
  await page.goto('/environments');
  await hydrated(page);
  await page.getByRole('link', { name: 'Trash', exact: true }).click();
  await hydrated(page);
  await rows(page).filter({ hasText: 'e2e-life-purge' }).getByRole('button', { name: 'Purge e2e-life-purge' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Purge for good' }).click();
  await expect(page.getByRole('status')).toContainText("Purged 'e2e-life-purge'");
  await expect(rows(page).filter({ hasText: 'e2e-life-purge' })).toHaveCount(0);
  const gone = await page.request.get(`/api/environments/${purged.id}`);
  expect(gone.status()).toBe(404);
});
