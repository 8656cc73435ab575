import { expect, hydrated, signIn, test } from './helpers';

// A connection shared by more environments than an answer embeds: lists show the first ten
// and "and N more", which leads to the whole list on the connection's page.
test('a widely shared connection shows "and N more", linking to all its environments', async ({ page }) => {
  await signIn(page, '/connections');
  // Set up through the REST API with the session (same-origin, as the app's own pages).
  const api = async (method: string, path: string, data?: unknown) => {
    const r = await page.request.fetch(path, { method, data, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(r.status(), `${method} ${path}: ${await r.text()}`).toBeLessThan(300);
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  };
  const stamp = Date.now();
  const conn = await api('POST', '/api/connections', {
    name: `e2e-shared-${stamp}`, kind: 'github', url: 'https://github.example/shared',
  });
  for (let i = 0; i < 13; i++) {
    const env = await api('POST', '/api/environments', { name: `e2e-share-${stamp}-${String(i).padStart(2, '0')}` });
    await api('POST', `/api/environments/${env.id}/connections/${conn.id}`);
  }

  await page.goto(`/connections?search=e2e-shared-${stamp}`);
  await hydrated(page);
  const row = page.getByTestId('connection-row').filter({ hasText: `e2e-shared-${stamp}` });
  await expect(row.locator('a.chip')).toHaveCount(10);
  const more = row.getByTestId('more-environments');
  await expect(more).toHaveText('and 3 more');
  await more.click();

  await expect(page).toHaveURL(new RegExp(`/connections/${conn.id}#environments$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`e2e-shared-${stamp}`);
  const all = page.getByTestId('all-environments');
  await expect(all.getByRole('link')).toHaveCount(13);
  await expect(all.getByRole('link').last()).toHaveText(`e2e-share-${stamp}-12`);
  await expect(page.getByTestId('page-status').last()).toContainText('13 environments');
});
