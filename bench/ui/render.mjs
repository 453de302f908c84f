// Catalog render time in a real browser (issue 11: first results in < 200 ms with 10,000
// servers). Run by bench/ui/run.sh, which imports the generated catalog and starts the server.
//   node render.mjs BASE_URL ROUNDS
// Reports p50/p95 per page, next to the same browser loading the equivalent JSON API page
// (/v0.1/servers?version=latest&limit=30: the reference, the data without any HTML).
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

// One tab in a running browser (as a person opening the catalog), HTTP cache disabled so every
// round fetches and renders the page afresh. Times are the browser's own, from the navigation
// start: first-contentful-paint (the server-rendered results are in the first paint) and
// domContentLoaded; `wall` adds the test driver's round trip.
async function measure(url, selector) {
  const wall = [], fcp = [], dcl = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  for (let i = 0; i < rounds + 3; i++) {
    await page.goto('about:blank');
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector(selector, { state: 'attached' });
    const t = performance.now() - t0;
    const m = await page.evaluate(() => {
      const e = performance.getEntriesByName('first-contentful-paint')[0];
      const n = performance.getEntriesByType('navigation')[0];
      return { fcp: e ? e.startTime : NaN, dcl: n ? n.domContentLoadedEventEnd : NaN };
    });
    if (i < 3) continue;  // warm-up
    wall.push(t);
    fcp.push(m.fcp);
    dcl.push(m.dcl);
  }
  await context.close();
  return { wall, fcp, dcl };
}

const rows = [
  ['catalog /', base + '/', '#results [data-name]'],
  ['catalog /?search=incident response', base + '/?search=incident%20response', '#results [data-name]'],
  ['catalog /?transport=remote', base + '/?transport=remote', '#results [data-name]'],
  ['reference: JSON /v0.1/servers?version=latest&limit=30', base + '/v0.1/servers?version=latest&limit=30', 'body'],
];
console.log(`| page | first contentful paint p50 (ms) | p95 | DOMContentLoaded p50 (ms) | p95 | driver wall p50 (ms) |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (const [label, url, sel] of rows) {
  const m = await measure(url, sel);
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  console.log(`| ${label} | ${f(pct(m.fcp, 50))} | ${f(pct(m.fcp, 95))} | ${f(pct(m.dcl, 50))} | ${f(pct(m.dcl, 95))} | ${f(pct(m.wall, 50))} |`);
}
await browser.close();
