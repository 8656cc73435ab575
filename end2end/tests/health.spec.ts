import * as net from 'node:net';
import { api, expect, hydrated, rows, signIn, test } from './helpers';

test('an unreachable connection is shown as such everywhere, and "Check now" says so in words', async ({ page, baseURL }) => {
  // A host that accepts the connection and never answers: the probe times out (10 s), long
  // enough to see the check running.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => { sockets.push(s); });
  await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
  const port = (silent.address() as net.AddressInfo).port;
  try {
    await signIn(page, '/connections');
    const base = baseURL!;
    const conn = await api(page.request, base, 'POST', '/api/connections',
      { name: 'e2e-silent', kind: 'http', url: `http://127.0.0.1:${port}/` });
    const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-health' });
    await api(page.request, base, 'POST', `/api/environments/${env.id}/connections/${conn.id}`, {});
    const ws = await api(page.request, base, 'POST', '/api/workspaces', { name: 'e2e-health-team' });
    await api(page.request, base, 'POST', `/api/workspaces/${ws.id}/environments/${env.id}`, {});

    // The app arrives late (its wasm held back 3 s): a click before it is interactive is held,
    // shown as such, and replayed once it is, not lost.
    await page.route('**/*.wasm', async (route) => {
      await new Promise((ok) => setTimeout(ok, 3_000));
      await route.continue();
    });
    await page.goto(`/connections/${conn.id}`);
    await expect(page.getByTestId('health-facts')).toContainText('unchecked');
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect(page.locator('html.waking')).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Check now' })).toHaveAttribute('aria-busy', 'true');
    await hydrated(page);
    await expect(page.locator('html.waking')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Checking…' })).toBeDisabled();
    await page.unroute('**/*.wasm');
    const toast = page.locator('.toast-error');
    await expect(toast).toContainText(`e2e-silent is unreachable: No answer from 127.0.0.1:${port} within 10 s`, { timeout: 20_000 });
    await expect(page.locator('.toast-success')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Check now' })).toBeEnabled();
    await expect(page.getByTestId('health-facts')).toContainText('unreachable');

    // The connections list, the environment's row and the workspace's connections agree.
    await page.goto('/connections');
    const row = page.getByTestId('connection-row').filter({ hasText: 'e2e-silent' });
    await expect(row.getByTestId('health')).toHaveText('unreachable');
    await page.goto('/environments?search=e2e-health');
    const envRow = rows(page).filter({ hasText: 'e2e-health' });
    const summary = envRow.getByTestId('health-summary');
    await expect(summary).toHaveText('1 of 1 unreachable');
    await summary.click();
    await expect(page.getByTestId('connection-row')).toHaveCount(1);
    await expect(page.getByTestId('connection-row')).toContainText('e2e-silent');
    await page.goto(`/workspaces/${ws.id}`);
    await expect(page.getByTestId('workspace-connection').filter({ hasText: 'e2e-silent' }).getByTestId('health')).toHaveText('unreachable');
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});
