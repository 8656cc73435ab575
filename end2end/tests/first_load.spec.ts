import * as http from 'http';
import * as zlib from 'zlib';
import { BrowserContext, Page } from '@playwright/test';
import { test, expect, signIn, hydrated } from './helpers';

/** The code a visitor downloads: the app's wasm, JS and CSS, as brotli (what a browser taking
 *  `br` is sent). Each page's code is a chunk of its own, loaded when the page is first visited. */

/** The bytes the server sends for `url` to a client taking brotli (the precompressed file). */
function brotliBytes(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'br' } }, (res) => {
        let n = 0;
        res.on('data', (chunk: Buffer) => (n += chunk.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Opens `path` in a fresh context (empty cache, signed in with `cookies`) and returns the app's
 *  files it loaded until interactive, with their brotli sizes, and the page's stylesheet (it is
 *  written into the page) at brotli's best level. */
async function firstLoad(context: BrowserContext, path: string) {
  const page = await context.newPage();
  const files: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/pkg/')) files.push(r.url());
  });
  await page.goto(path);
  await hydrated(page);
  // The head preloads the page's chunks, each once, and each preload is used, not fetched again.
  const preloads = await page.locator('link[rel="preload"][as="fetch"]').evaluateAll((ls) =>
    ls.map((l) => new URL((l as HTMLLinkElement).href).pathname),
  );
  expect(new Set(preloads).size, `${path}: preloads ${preloads.join(', ')}`).toBe(preloads.length);
  const paths = files.map((f) => new URL(f).pathname);
  for (const p of preloads) expect(paths, `${path}: preloaded ${p}`).toContain(p);
  expect(new Set(paths).size, `${path}: a file fetched twice: ${paths.join(', ')}`).toBe(paths.length);
  const css = await page.locator('style#leptos').textContent();
  const cssBytes = zlib.brotliCompressSync(Buffer.from(css ?? ''), {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  const sizes = await Promise.all(files.map((f) => brotliBytes(f)));
  await page.close();
  const total = sizes.reduce((a, b) => a + b, cssBytes);
  return { files: files.map((f) => new URL(f).pathname), total };
}

async function signedInContext(page: Page, baseURL: string) {
  await signIn(page);
  return page.context().browser()!.newContext({ baseURL, storageState: await page.context().storageState() });
}

/** The first load's budget for /environments, in brotli bytes: 313.2 KB (590 KB before the
 *  route split, 323.3 KB before wasm-opt's inlining of single-caller functions was bounded)
 *  and 5% more, so that growth fails. The splitter's placement has swung the main module by
 *  20 KB on small changes (345.3 KB, then 323.3 KB two commits later, with single sign-on in
 *  both). The target is 250 KB (issue 12): most of the main module is the framework's code
 *  (tachys, reactive_graph, leptos_router, and the core and alloc code they instantiate). */
const ENVIRONMENTS_BUDGET = Number(process.env.MESHENV_FIRST_LOAD_BUDGET || 330_000);

test('the first load of /environments stays within its budget, and other pages bring their own code', async ({ page, baseURL }) => {
  const context = await signedInContext(page, baseURL!);
  const wasm = (files: string[]) => files.filter((f) => f.endsWith('.wasm'));
  const environments = await firstLoad(context, '/environments');
  console.log(`first load /environments: ${environments.total} B brotli in ${environments.files.length} files`);
  expect(environments.total, environments.files.join('\n')).toBeLessThanOrEqual(ENVIRONMENTS_BUDGET);
  // The list is in the main module: one wasm file.
  expect(wasm(environments.files), environments.files.join('\n')).toHaveLength(1);

  // A page of another group, opened first, loads its chunks beside the main module.
  for (const path of ['/audit', '/environments/new']) {
    const other = await firstLoad(context, path);
    console.log(`first load ${path}: ${other.total} B brotli in ${other.files.length} files`);
    const own = wasm(other.files).filter((f) => !environments.files.includes(f));
    expect(own.length, `${path}: ${other.files.join(', ')}`).toBeGreaterThan(0);
  }

  // Following a link loads that page's chunk then, and the page works.
  const browse = await context.newPage();
  await browse.goto('/environments');
  await hydrated(browse);
  const later: string[] = [];
  browse.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) later.push(new URL(r.url()).pathname);
  });
  await browse.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(browse).toHaveURL(/\/audit$/);
  await expect(browse.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  expect(later.length, 'the audit page fetched its chunk when opened').toBeGreaterThan(0);
  // and the page is interactive: its filter form answers
  await browse.getByRole('link', { name: 'Environments', exact: true }).click();
  await expect(browse).toHaveURL(/\/environments$/);
  await context.close();
});
