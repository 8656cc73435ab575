import { api, expect, hydrated, signIn, test } from './helpers';

// Issue 14: the transfer list keeps your place.

test('the transfer list searches as you type, keeps selections, focus and counts, and moves to another environment', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-tl-home' });
  const target = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-tl-target' });
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) {
    const n = String(i).padStart(2, '0');
    const c = await api(page.request, base, 'POST', '/api/connections', { name: `e2e-tl-${n}`, kind: 'prometheus', url: `http://tl${n}.example:9090` });
    ids.push(c.id);
  }
  await api(page.request, base, 'POST', `/api/environments/${target.id}/connections/${ids[24]}`, {});
  await page.goto(`/environments/${env.id}`);
  await hydrated(page);
  const available = page.getByTestId('pane-available');
  const assigned = page.getByTestId('pane-assigned');
  const search = available.getByLabel('Search available connections');
  const state = page.locator('.page-head').getByTestId('state');
  const heading = page.getByRole('heading', { level: 2, name: /^Connections \(/ });
  await expect(state).toHaveText('empty');
  await expect(heading).toHaveText('Connections (0)');

  // Mark the page's other parts and the list itself: were any of them rendered again (the page
  // blanked to "Loading…"), the marks would be gone.
  const mark = () => page.evaluate(() => {
    for (const el of document.querySelectorAll('main h1, main .transfer-list, main h2')) el.setAttribute('data-kept', '1');
  });
  const kept = async () => {
    await expect(page.locator('main h1[data-kept]')).toHaveCount(1);
    await expect(page.locator('main .transfer-list[data-kept]')).toHaveCount(1);
  };
  await mark();
  await search.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 40));
  const scrolled = await page.evaluate(() => window.scrollY);

  // Search as you type: no Enter, the box keeps focus, the page stays where it was.
  await search.click();
  await page.keyboard.type('e2e-tl-0');
  await expect(available.getByTestId('transfer-item')).toHaveCount(10);
  await expect(available.getByTestId('count-available')).toHaveText('10 matching');
  await expect(search).toBeFocused();
  await kept();
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);

  // A selection made under one search survives the next one, and both move.
  await available.getByRole('checkbox', { name: /e2e-tl-01/ }).check();
  await search.fill('e2e-tl-1');
  await expect(available.getByTestId('transfer-item').first()).toContainText('e2e-tl-10');
  await available.getByRole('checkbox', { name: /e2e-tl-11/ }).check();
  await expect(available.getByTestId('selected-available')).toHaveText('2 selected');
  const addSelected = page.getByRole('button', { name: 'Add selected →' });
  await addSelected.click();
  await expect(addSelected).toBeFocused();
  await expect(assigned.getByTestId('count-assigned')).toHaveText('0 assigned, 2 to add');
  await expect(assigned.getByTestId('transfer-item')).toHaveText([/e2e-tl-01/, /e2e-tl-11/]);
  // The Assigned side's search covers what waits to be added.
  await assigned.getByLabel('Search assigned connections').fill('tl-11');
  await expect(assigned.getByTestId('transfer-item')).toHaveText([/e2e-tl-11/]);
  await assigned.getByLabel('Search assigned connections').fill('');
  // Paging keeps the staged moves and the selection.
  await search.fill('e2e-tl-');
  await available.getByRole('checkbox', { name: /e2e-tl-02/ }).check();
  await available.getByRole('button', { name: 'Next page of available connections' }).click();
  await expect(available.getByText('Page 2 of 3')).toBeVisible();
  await expect(available.getByTestId('selected-available')).toHaveText('1 selected');
  await expect(assigned.getByTestId('count-assigned')).toHaveText('0 assigned, 2 to add');
  await available.getByRole('button', { name: 'Clear' }).click();
  await expect(available.getByTestId('selected-available')).toHaveCount(0);
  await kept();

  // Save keeps focus where it was, and the list where it was.
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  await expect(page.getByRole('status')).toContainText('Saved: 2 added, 0 removed');
  await expect(save).toBeFocused();
  await expect(assigned.getByTestId('count-assigned')).toHaveText('2 assigned');
  await expect(search).toHaveValue('e2e-tl-');
  await kept();
  // What the save changed shows where the page states it, without a reload.
  await expect(heading).toHaveText('Connections (2)');
  await expect(state).toHaveText('active');

  // One Tab stop per list; the arrow keys move within it.
  await available.getByRole('button', { name: 'Previous page of available connections' }).click();
  await expect(available.getByText('Page 1 of 3')).toBeVisible();
  await expect(available.getByTestId('count-available')).toHaveText('23 matching');
  await expect(available.locator('input[type=checkbox][tabindex="0"]')).toHaveCount(1);
  await search.focus();
  await page.keyboard.press('Tab');
  // Tab comes back to the row last used (e2e-tl-02, ticked above), not to the top.
  await expect(available.getByRole('checkbox', { name: /e2e-tl-02/ })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(available.getByRole('checkbox', { name: /e2e-tl-03/ })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(available.getByRole('checkbox', { name: /e2e-tl-00/ })).toBeFocused();
  await page.keyboard.press('End');
  await expect(available.locator('input[type=checkbox]').last()).toBeFocused();

  // Each item says where else it belongs.
  await search.fill('e2e-tl-24');
  await expect(available.getByTestId('transfer-item')).toHaveCount(1);
  await expect(available.getByTestId('transfer-item').filter({ hasText: 'e2e-tl-24' })).toContainText('in e2e-tl-target');

  // Add all: the items stay listed on their side, marked, and the pager agrees with the list.
  await search.fill('e2e-tl-');
  await expect(available.getByTestId('count-available')).toHaveText('23 matching');
  await page.getByRole('button', { name: 'Add all →' }).click();
  await expect(assigned.getByTestId('count-assigned')).toHaveText('2 assigned, 23 to add');
  await expect(available.getByTestId('transfer-item').first()).toContainText('to add');
  await expect(available.getByText('Page 1 of 3')).toBeVisible();
  const discard = page.getByRole('button', { name: 'Discard changes' });
  await discard.click();
  await expect(discard).toBeFocused();
  await expect(assigned.getByTestId('count-assigned')).toHaveText('2 assigned');

  // Move to another environment, through the transfer API, after a confirmation.
  await assigned.getByRole('checkbox', { name: /e2e-tl-01/ }).check();
  await page.getByLabel('Move selected to another environment').selectOption({ label: 'e2e-tl-target' });
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Move 1 connection?');
  await expect(dialog).toContainText("They leave 'e2e-tl-home' and join 'e2e-tl-target'");
  await dialog.getByRole('button', { name: 'Move connections' }).click();
  await expect(page.getByRole('status')).toContainText("Moved 1 connection to 'e2e-tl-target'");
  await expect(assigned.getByTestId('count-assigned')).toHaveText('1 assigned');
  const moved = await api(page.request, base, 'GET', `/api/environments/${target.id}`);
  expect(moved.connection_count).toBe(2);
  await expect(heading).toHaveText('Connections (1)');

  // A lifecycle move from the page's head changes its state and its next move in place.
  await page.locator('.page-head').getByRole('button', { name: 'Archive', exact: true }).click();
  await expect(state).toHaveText('archived');
  await expect(page.locator('.page-head').getByRole('button', { name: 'Unarchive', exact: true })).toBeVisible();
  await kept();
});

test('the transfer list takes its final size before its rows arrive: nothing below it moves', async ({ page, baseURL }) => {
  await signIn(page, '/environments');
  const base = baseURL!;
  const env = await api(page.request, base, 'POST', '/api/environments', { name: 'e2e-tl-steady' });
  for (let i = 0; i < 12; i++) {
    const c = await api(page.request, base, 'POST', '/api/connections', { name: `e2e-tl-steady-${i}`, kind: 'prometheus', url: `http://steady${i}.example:9090` });
    if (i < 3) await api(page.request, base, 'POST', `/api/environments/${env.id}/connections/${c.id}`, {});
  }
  // Layout shifts not caused by input, summed as Lighthouse's CLS does, from the first paint.
  await page.addInitScript(() => {
    const w = window as unknown as { shifts: number };
    w.shifts = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!e.hadRecentInput) w.shifts += e.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  for (const size of [{ width: 390, height: 844 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    await page.goto(`/environments/${env.id}`);
    await hydrated(page);
    await expect(page.getByTestId('pane-assigned').getByTestId('transfer-item')).toHaveCount(3);
    await expect(page.getByTestId('pane-available').getByTestId('transfer-item').first()).toBeVisible();
    const shifts = await page.evaluate(() => (window as unknown as { shifts: number }).shifts);
    expect(shifts, `layout shift at ${size.width} px`).toBeLessThan(0.02);
  }
});
