// What hydration costs the browser, per page: the wasm code compiled on first call (V8 compiles
// a wasm function whole, on the main thread, the first time it runs: most of hydration's long
// task), from a trace, which is exact and repeatable; and the long tasks at 4x slower CPU
// (Lighthouse's mobile profile), as medians of several loads, which are not.
// Run by bench/hydration.py, which starts meshenv; usage: node bench/hydration.js BASE COOKIE RUNS PATH...
const path = require('path');
const { chromium } = require(path.join(__dirname, '../end2end/node_modules/@playwright/test'));

const [base, cookie, runs, ...pages] = process.argv.slice(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function open(browser, url, trace) {
  const context = await browser.newContext({ extraHTTPHeaders: { Cookie: cookie } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: trace ? 1 : 4 });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration)))
      .observe({ type: 'longtask', buffered: true });
  });
  if (trace) await browser.startTracing(page, { categories: ['disabled-by-default-v8.wasm.detailed'] });
  await page.goto(url);
  await page.waitForSelector('html[data-hydrated]');
  await page.waitForTimeout(1500);
  const long = await page.evaluate(() => window.__long);
  let compiled = null;
  if (trace) {
    const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    const baseline = events.filter((e) => e.name === 'wasm.CompileBaseline');
    compiled = { functions: baseline.length, bytes: baseline.reduce((n, e) => n + e.args.bodySize, 0) };
  }
  await context.close();
  return { long, compiled };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  console.log(`${'page'.padEnd(56)}${'compiled KB'.padStart(12)}${'functions'.padStart(10)}${'longest ms'.padStart(12)}${'TBT ms'.padStart(8)}`);
  for (const p of pages) {
    const { compiled } = await open(browser, base + p, true);
    const longest = [], blocking = [];
    for (let i = 0; i < Number(runs); i++) {
      const { long } = await open(browser, base + p, false);
      longest.push(Math.max(0, ...long));
      blocking.push(long.reduce((n, d) => n + Math.max(0, d - 50), 0));
    }
    console.log(`${p.padEnd(56)}${(compiled.bytes / 1000).toFixed(1).padStart(12)}${String(compiled.functions).padStart(10)}` +
      `${median(longest).toFixed(0).padStart(12)}${median(blocking).toFixed(0).padStart(8)}`);
  }
  await browser.close();
})();
