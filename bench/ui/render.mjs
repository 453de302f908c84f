// Catalog render time in a real browser (issue 11: first results in < 200 ms with 10,000
// servers). Run by bench/ui/run.sh, which imports the generated catalog and starts the server.
//   node render.mjs BASE_URL ROUNDS
// For each page: a fresh browser context (no cache), navigate, wait until the first result
// (#results [data-name]) is in the DOM; reports p50/p95 of that wall time and of the browser's
// first-contentful-paint, next to the same browser loading the equivalent JSON API page
// (/v0.1/servers?version=latest&limit=30: the reference, data without any HTML).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.UI_DEPS, 'package.json'));
const { chromium } = require('playwright-core');
const [base, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 30);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function measure(url, selector) {
  const wall = [], fcp = [];
  for (let i = 0; i < rounds + 3; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector(selector, { state: 'attached' });
    const t = performance.now() - t0;
    const paint = await page.evaluate(() => {
      const e = performance.getEntriesByName('first-contentful-paint')[0];
      return e ? e.startTime : NaN;
    });
    await context.close();
    if (i < 3) continue;  // warm-up
    wall.push(t);
    fcp.push(paint);
  }
  return { wall, fcp };
}

const rows = [
  ['catalog /', base + '/', '#results [data-name]'],
  ['catalog /?search=incident response', base + '/?search=incident%20response', '#results [data-name]'],
  ['catalog /?transport=remote&cursor (page 2)', base + '/?transport=remote', '#results [data-name]'],
  ['reference: JSON /v0.1/servers?version=latest&limit=30', base + '/v0.1/servers?version=latest&limit=30', 'body'],
];
console.log(`| page | first result p50 (ms) | p95 | first contentful paint p50 (ms) | p95 |`);
console.log(`| --- | --- | --- | --- | --- |`);
for (const [label, url, sel] of rows) {
  const m = await measure(url, sel);
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  console.log(`| ${label} | ${f(pct(m.wall, 50))} | ${f(pct(m.wall, 95))} | ${f(pct(m.fcp, 50))} | ${f(pct(m.fcp, 95))} |`);
}
await browser.close();
