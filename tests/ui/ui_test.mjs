// Browser tests of the web interface (issue 11): playwright-core drives Debian's chromium
// (headless) against the real `mcpreg serve`, a test OpenID provider (mcpreg_test_oidc) and a
// CI workload identity whose tokens this script signs. Run by scripts/ui-tests.sh, which sets:
//   MCPREG_BINARY, MCPREG_OIDC_FIXTURE, MCPREG_SOURCE_DIR, UI_DEPS (node_modules parent),
//   SCREENSHOT_DIR (build/ui-screenshots), CHROMIUM (default /usr/bin/chromium).
// Two registries: an open one (the public catalog: demo catalog + a hostile server) and a
// governed one (sign-in, request, review, evidence, approval, publish, retirement).
// Prints "ok - NAME" / "not ok - NAME: why" per check; exits 1 when any check failed.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(path.join(process.env.UI_DEPS, 'package.json'));
const { chromium } = require('playwright-core');

const MCPREG = process.env.MCPREG_BINARY;
const OIDC = process.env.MCPREG_OIDC_FIXTURE;
const SRC = process.env.MCPREG_SOURCE_DIR;
const SHOTS = process.env.SCREENSHOT_DIR;
fs.mkdirSync(SHOTS, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpreg-ui-'));
const children = [];
let failures = 0;

function cleanup() {
  for (const c of children) { try { c.kill('SIGTERM'); } catch {} }
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

// Starts a process and resolves with the port it prints ("listening on http://127.0.0.1:PORT").
function start(cmd, args, label) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start: ${out}`)), 15000);
    const onData = (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc: p, port: Number(m[1]), log: () => out }); }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${label} exited ${code}: ${out}`)); });
  });
}

function cli(...args) {
  return execFileSync(MCPREG, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// --- a CI workload identity (ES256, jwks_file) --------------------------------------------
const ci = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ciJwk = { ...ci.publicKey.export({ format: 'jwk' }), kid: 'ci-1', alg: 'ES256', use: 'sig' };
fs.writeFileSync(path.join(work, 'ci-jwks.json'), JSON.stringify({ keys: [ciJwk] }));
const CI_ISSUER = 'https://ci.test.example';
const CI_SUBJECT = 'repo:acme/weather:ref:refs/heads/main';
function b64u(b) { return Buffer.from(b).toString('base64url'); }
function ciToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'ci-1' }));
  const body = b64u(JSON.stringify({ iss: CI_ISSUER, aud: 'mcpreg', sub, iat: now, exp: now + 300 }));
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), { key: ci.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${b64u(sig)}`;
}

// --- documents ----------------------------------------------------------------------------
const NAME = 'com.acme/weather';
const DIGEST = 'fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce';
const META = { 'io.modelcontextprotocol.registry/publisher-provided': { license: 'MIT' } };
const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
// Fails the local-server gate: an npm package needs a runtime (npx), not one executable.
const failingDraft = {
  $schema: SCHEMA, name: NAME, description: 'Weather forecasts for Acme field teams', version: '1.0.0',
  packages: [{ registryType: 'npm', identifier: '@acme/weather', version: '1.0.0', runtimeHint: 'npx', transport: { type: 'stdio' } }],
  _meta: META,
};
const fixedDraft = {
  $schema: SCHEMA, name: NAME, title: 'Acme Weather', description: 'Weather forecasts for Acme field teams', version: '1.0.0',
  packages: [{ registryType: 'mcpb', identifier: 'https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb', fileSha256: DIGEST, transport: { type: 'stdio' } }],
  _meta: META,
};
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
const hostileServer = {
  $schema: SCHEMA, name: 'io.github.evil/xss', title: `Evil ${HOSTILE}`, description: `Pwn ${HOSTILE}`, version: '1.0.0',
  websiteUrl: 'https://evil.example/?q=%3Cb%3E',
  repository: { url: 'https://github.com/evil/xss', source: 'github' },
  remotes: [{ type: 'streamable-http', url: 'https://evil.example/mcp', headers: [{ name: 'X-Key', description: HOSTILE, isRequired: true, isSecret: true }] }],
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });

// A page that fails the test on any dialog, console error or page error.
async function watchedPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('dialog', async (d) => { page.problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

// ============================ the public catalog (open mode) ==============================
{
  const db = path.join(work, 'open.db');
  fs.writeFileSync(path.join(work, 'hostile.json'), JSON.stringify([hostileServer]));
  cli('import', '--db', db, '-q', path.join(SRC, 'data/demo-catalog.json'));
  cli('import', '--db', db, '-q', path.join(work, 'hostile.json'));
  // The CI identity may edit everything here (to deprecate a server through the API).
  fs.writeFileSync(path.join(work, 'open.yaml'), `
auth:
  issuers:
    - name: ci
      issuer: ${CI_ISSUER}
      audience: mcpreg
      jwks_file: ci-jwks.json
      rules:
        - match: {sub: "${CI_SUBJECT}"}
          grant: {actions: [publish, edit], resource: "*"}
`);
  const srv = await start(MCPREG, ['serve', '--listen', '127.0.0.1:0', '--db', db, '--no-demo', '--config', path.join(work, 'open.yaml')], 'mcpreg (open)');
  const base = `http://127.0.0.1:${srv.port}`;
  const api = async (p) => (await fetch(base + p)).json();
  const context = await browser.newContext();
  const page = await watchedPage(context);
  const resultNames = async () =>
    page.locator('#results [data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));

  await check('catalog lists the first page of the API', async () => {
    await page.goto(base + '/');
    const want = (await api('/v0.1/servers?version=latest&limit=30')).servers.map((s) => s.server.name);
    assert.deepEqual(await resultNames(), want);
    await page.screenshot({ path: path.join(SHOTS, 'catalog.png'), fullPage: true });
  });

  await check('search as you type (URL follows, same results as search=)', async () => {
    await page.getByLabel('Search').fill('github');
    await page.waitForURL(/search=github/);
    const want = (await api('/v0.1/servers?version=latest&search=github&limit=30')).servers.map((s) => s.server.name);
    await assert.doesNotReject(page.waitForFunction((n) => document.querySelectorAll('#results [data-name]').length === n, want.length));
    assert.deepEqual(await resultNames(), want);
    assert.ok(want.length > 0);
  });

  await check('filters: Remote, Local, Package type live in the URL', async () => {
    await page.goto(base + '/');
    await page.getByLabel('Remote').check();
    await page.waitForURL(/transport=remote/);
    let want = (await api('/v0.1/servers?version=latest&transport=remote&limit=30')).servers.map((s) => s.server.name);
    await page.waitForFunction((n) => document.querySelectorAll('#results [data-name]').length === n, want.length);
    assert.deepEqual(await resultNames(), want);
    await page.goto(base + '/?transport=local');
    assert.ok(await page.getByLabel('Local').isChecked());
    want = (await api('/v0.1/servers?version=latest&transport=local&limit=30')).servers.map((s) => s.server.name);
    assert.deepEqual(await resultNames(), want);
    await page.goto(base + '/');
    await page.getByLabel('Package type').selectOption('npm');
    await page.waitForURL(/registry_type=npm/);
    want = (await api('/v0.1/servers?version=latest&registry_type=npm&limit=30')).servers.map((s) => s.server.name);
    await page.waitForFunction((n) => document.querySelectorAll('#results [data-name]').length === n, want.length);
    assert.deepEqual(await resultNames(), want);
  });

  await check('Next pages through the catalog', async () => {
    await page.goto(base + '/');
    const first = await api('/v0.1/servers?version=latest&limit=30');
    assert.ok(first.metadata.nextCursor, 'demo catalog has more than one page');
    await page.getByRole('link', { name: 'Next' }).click();
    await page.waitForURL(/cursor=/);
    const second = (await api('/v0.1/servers?version=latest&limit=30&cursor=' + encodeURIComponent(first.metadata.nextCursor))).servers.map((s) => s.server.name);
    assert.deepEqual(await resultNames(), second);
  });

  await check('deprecated servers are hidden unless Include deprecated', async () => {
    const target = (await api('/v0.1/servers?version=latest&search=github&limit=1')).servers[0].server;
    const ex = await fetch(base + '/v0.1/auth/oidc', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ oidc_token: ciToken(CI_SUBJECT) }) });
    assert.equal(ex.status, 200, await ex.clone().text());
    const token = (await ex.json()).registry_token;
    const st = await fetch(base + '/v0.1/servers/' + encodeURIComponent(target.name) + '/status', { method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify({ status: 'deprecated', statusMessage: 'use something else' }) });
    assert.equal(st.status, 200, await st.text());
    let hidden = false;
    for (let i = 0; i < 50 && !hidden; i++) {
      await page.goto(base + '/?search=' + encodeURIComponent(target.name));
      hidden = !(await resultNames()).includes(target.name);
      if (!hidden) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(hidden, 'deprecated server hidden by default');
    await page.getByLabel('Include deprecated').check();
    await page.waitForURL(/include_deprecated=true/);
    await page.waitForFunction((n) => [...document.querySelectorAll('#results [data-name]')].some((e) => e.getAttribute('data-name') === n), target.name);
    await page.goto(base + '/servers/' + encodeURIComponent(target.name));
    await assert.doesNotReject(page.getByText(/deprecated/i).first().waitFor());
  });

  await check('server page: title, versions, install links equal the README export', async () => {
    const list = await api('/v0.1/servers?version=latest&transport=local&limit=100');
    const s = list.servers.find((x) => x.server.packages && x.server.packages.some((p) => p.registryType === 'npm')).server;
    await page.goto(base + '/');
    await page.getByLabel('Search').fill(s.name);
    await page.waitForURL(/search=/);
    await page.locator(`#results [data-name="${s.name}"] a`).first().click();
    await page.waitForURL(base + '/servers/' + encodeURIComponent(s.name));
    await assert.doesNotReject(page.getByRole('heading', { level: 1 }).waitFor());
    assert.ok((await page.locator('main').innerText()).includes(s.name));
    await page.screenshot({ path: path.join(SHOTS, 'server.png'), fullPage: true });
    const readme = await (await fetch(base + '/v0.1/x/dev.mcpreg/export/readme')).text();
    const row = readme.split('\n').find((l) => l.includes('`' + s.name + '`'));
    assert.ok(row, 'server in the README export');
    const vscode = row.match(/\[VS Code\]\(([^)]+)\)/)[1];
    const vs = row.match(/\[Visual Studio\]\(([^)]+)\)/)[1];
    assert.equal(await page.getByRole('link', { name: 'Install in VS Code', exact: true }).getAttribute('href'), vscode);
    assert.equal(await page.getByRole('link', { name: 'Install in VS Code Insiders' }).getAttribute('href'),
                 vscode.replace('https://vscode.dev/', 'https://insiders.vscode.dev/') + '&quality=insiders');
    assert.equal(await page.getByRole('link', { name: 'Install in Visual Studio', exact: true }).getAttribute('href'), vs);
    // The mcp.json snippet is the config get_install_config returns.
    const init = await fetch(base + '/mcp', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ui-test', version: '1' } } }) });
    const sid = init.headers.get('mcp-session-id');
    const hdrs = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18', ...(sid ? { 'Mcp-Session-Id': sid } : {}) };
    await fetch(base + '/mcp', { method: 'POST', headers: hdrs, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    for (const [client, label] of [['vscode', 'mcp.json'], ['claude', 'Claude Desktop']]) {
      const res = await fetch(base + '/mcp', { method: 'POST', headers: hdrs,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_install_config', arguments: { name: s.name, client } } }) });
      let text = await res.text();
      if (text.startsWith('event:') || text.startsWith('data:')) text = text.split('\n').find((l) => l.startsWith('data:')).slice(5);
      const result = JSON.parse(text).result;
      const cfg = result.structuredContent ? result.structuredContent.config : JSON.parse(result.content[0].text).config;
      const block = page.locator(`[data-snippet="${client}"]`);
      assert.deepEqual(JSON.parse(await block.innerText()), cfg, `${label} snippet`);
    }
  });

  await check('deep links and the 404 page', async () => {
    const page = await context.newPage();  // the 404s below log console errors by design
    const s = (await api('/v0.1/servers?version=latest&limit=1')).servers[0].server;
    const r1 = await page.goto(base + '/servers/' + encodeURIComponent(s.name) + '/versions/' + encodeURIComponent(s.version));
    assert.equal(r1.status(), 200);
    assert.ok((await page.locator('main').innerText()).includes(s.version));
    const r2 = await page.goto(base + '/servers/' + encodeURIComponent('com.example/does-not-exist'));
    assert.equal(r2.status(), 404);
    assert.equal(await page.locator('main a[href="/"]').count() > 0, true, 'a way back to the catalog');
    const r3 = await page.goto(base + '/servers/' + encodeURIComponent(s.name) + '/versions/9.9.9-nope');
    assert.equal(r3.status(), 404);
  });

  await check('a hostile server renders inert (no dialog, no console error)', async () => {
    const p = await watchedPage(context);
    const resp = await p.goto(base + '/servers/' + encodeURIComponent(hostileServer.name));
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(resp.headers()['x-content-type-options'], 'nosniff');
    const text = await p.locator('main').innerText();
    assert.ok(text.includes('<script>alert(1)</script>'), 'script shown as text');
    assert.equal(await p.locator('main script, main img[src="x"]').count(), 0);
    await p.goto(base + '/?search=evil');
    assert.ok((await p.locator('#results').innerText()).includes('<img src=x onerror=alert(2)>'));
    await p.waitForTimeout(300);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(page.problems, []);
  });
  await check('narrow screen and keyboard only: no sideways scrolling, visible focus, search by keyboard', async () => {
    const narrow = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const p = await watchedPage(narrow);
    for (const url of ['/', '/servers/' + encodeURIComponent(hostileServer.name)]) {
      await p.goto(base + url);
      const [scroll, client] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= client + 1, `${url}: page is ${scroll}px wide on a ${client}px screen`);
    }
    await p.goto(base + '/');
    await p.keyboard.press('Tab');
    const first = await p.evaluate(() => {
      const e = document.activeElement;
      const cs = getComputedStyle(e);
      return { text: e.textContent, outline: cs.outlineStyle, width: cs.outlineWidth, shadow: cs.boxShadow };
    });
    assert.match(first.text, /skip/i, 'the first Tab stop is the skip link');
    assert.ok(first.outline !== 'none' || first.shadow !== 'none', `focus visible: ${JSON.stringify(first)}`);
    let onSearch = false;
    for (let i = 0; i < 15 && !onSearch; i++) {
      await p.keyboard.press('Tab');
      onSearch = await p.evaluate(() => document.activeElement && document.activeElement.getAttribute('name') === 'search');
    }
    assert.ok(onSearch, 'the search box is reachable by Tab');
    await p.keyboard.type('github');
    await p.waitForURL(/search=github/);
    await p.screenshot({ path: path.join(SHOTS, 'catalog-narrow.png'), fullPage: false });
    assert.deepEqual(p.problems, []);
    await narrow.close();
  });
  await context.close();
}

// ====================== the console (governed mode, OpenID sign-in) ========================
{
  const idp = await start(OIDC, ['--client-id', 'mcpreg-web',
    '--user', 'alice', '--claims', JSON.stringify({ name: 'Alice Filer' }),
    '--user', 'bob', '--claims', JSON.stringify({ name: 'Bob Reviewer', groups: ['reviewers'] })], 'test OpenID provider');
  const ISSUER = `http://127.0.0.1:${idp.port}`;
  const db = path.join(work, 'governed.db');
  fs.writeFileSync(path.join(work, 'mcpreg.yaml'), `
auth:
  issuers:
    - name: test-idp
      issuer: ${ISSUER}
      audience: mcpreg
      discovery: true
      rules:
        - match: {groups: reviewers}
          grant: {action: review, resource: "*"}
    - name: ci
      issuer: ${CI_ISSUER}
      audience: mcpreg
      jwks_file: ci-jwks.json
ui:
  login:
    issuer: test-idp
    client_id: mcpreg-web
policy:
  strict: true
  evidence: [sarif, threat-model, license, legal]
`);
  const srv = await start(MCPREG, ['serve', '--listen', '127.0.0.1:0', '--db', db, '--no-demo', '--config', path.join(work, 'mcpreg.yaml')], 'mcpreg (governed)');
  const base = `http://127.0.0.1:${srv.port}`;
  // bob also owns the namespace (an admin may retire).
  cli('admin', 'grant', '--db', db, '--issuer', ISSUER, '--subject', 'bob', '--namespace', 'com.acme/*', '--role', 'admin');

  const signIn = async (user) => {
    const context = await browser.newContext();
    const page = await watchedPage(context);
    // The fixture's authorize endpoint has no UI: it signs in the user named by login_hint,
    // which the test adds to the authorize URL in mcpreg's redirect (a redirect's target is
    // not routable itself, so the redirect is rewritten).
    await page.route(base + '/ui/login**', async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const headers = response.headers();
      headers.location = headers.location + '&login_hint=' + user;
      await route.fulfill({ response, headers });
    });
    await page.goto(base + '/');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.origin === base && !u.pathname.startsWith('/ui/callback'));
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { context, page };
  };
  const enc = encodeURIComponent(NAME);
  let alice, bob;

  await check('sign in through the OpenID provider (PKCE); cookie is HttpOnly + SameSite=Lax', async () => {
    alice = await signIn('alice');
    const cookies = await alice.context.cookies(base);
    const c = cookies.find((x) => x.name.includes('mcpreg_session'));
    assert.ok(c, 'session cookie set');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Lax');
  });

  await check('file a request with a failing draft; the gate error is at its field', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'My requests' }).click();
    await page.getByRole('link', { name: 'New request' }).click();
    await page.getByLabel('Server name').fill(NAME);
    await page.getByLabel('Team').fill('Weather');
    await page.getByLabel('Contacts').fill('weather@acme.example');
    await page.getByLabel('Consumption').selectOption('first-party');
    await page.getByLabel('Hosting').selectOption('local');
    await page.getByLabel('Publisher issuer').fill(CI_ISSUER);
    await page.getByLabel('Publisher subject').fill(CI_SUBJECT);
    await page.getByLabel('Pipeline').fill('https://ci.acme.example/weather/pipeline/7');
    const apis = page.getByRole('group', { name: 'APIs' });
    await apis.getByLabel('API name').first().fill('Forecast API');
    await apis.getByLabel('Owner').first().fill('Weather');
    await page.getByLabel('Draft server.json').fill(JSON.stringify(failingDraft, null, 2));
    await page.getByRole('button', { name: 'File request' }).click();
    await page.waitForURL(base + '/ui/requests/' + enc);
    const draft = page.getByLabel('Draft server.json');
    const described = await draft.getAttribute('aria-describedby');
    assert.ok(described, 'Draft server.json has aria-describedby');
    const errText = (await Promise.all(described.split(/\s+/).map((id) => page.locator('#' + id).innerText()))).join(' ');
    assert.match(errText, /packages\[0\]|runtime|executable/i, errText);
    await page.screenshot({ path: path.join(SHOTS, 'request-form-error.png'), fullPage: true });
  });

  await check('fix the draft and resubmit; gates pass', async () => {
    const { page } = alice;
    await page.getByLabel('Draft server.json').fill(JSON.stringify(fixedDraft, null, 2));
    await page.getByRole('button', { name: 'Resubmit' }).click();
    await page.waitForURL(base + '/ui/requests/' + enc);
    const r = await page.request.get(base + '/ui/requests/' + enc);
    assert.equal(r.status(), 200);
    const described = await page.getByLabel('Draft server.json').getAttribute('aria-describedby');
    const errs = described ? (await Promise.all(described.split(/\s+/).map((id) => page.locator('#' + id).innerText()))).join(' ') : '';
    assert.doesNotMatch(errs, /error/i, errs);
  });

  await check('a non-reviewer sees no Approve button; a forged approve POST is 403', async () => {
    const { page, context } = alice;
    await page.goto(base + '/ui/requests/' + enc);
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const r = await context.request.post(base + '/ui/requests/' + enc + '/approve', { form: { csrf, note: 'self-approved' }, headers: { Origin: base } });
    assert.equal(r.status(), 403);
  });

  await check('reviewer: review queue, CSRF refused, approve', async () => {
    bob = await signIn('bob');
    const { page, context } = bob;
    await page.getByRole('link', { name: 'Review' }).click();
    await page.waitForURL(base + '/ui/review');
    assert.ok((await page.locator('main').innerText()).includes(NAME));
    await page.screenshot({ path: path.join(SHOTS, 'review-queue.png'), fullPage: true });
    // CSRF: no token → 403; right token from another origin → 403.
    let r = await context.request.post(base + '/ui/requests/' + enc + '/approve', { form: { note: 'x' }, headers: { Origin: base } });
    assert.equal(r.status(), 403);
    await page.goto(base + '/ui/requests/' + enc);
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    r = await context.request.post(base + '/ui/requests/' + enc + '/approve', { form: { csrf, note: 'x' }, headers: { Origin: 'http://evil.example' } });
    assert.equal(r.status(), 403);
    const state = await (await fetch(base + '/v0.1/servers?search=weather')).json();
    assert.equal(state.servers.length, 0, 'nothing listed yet');
    await page.getByLabel('Note').fill('threat model DR-12 reviewed');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('main').innerText(), /approved/i);
  });

  await check('CI publishes, reviewer records evidence, the server appears in the public catalog', async () => {
    const ex = await fetch(base + '/v0.1/auth/oidc', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ oidc_token: ciToken(CI_SUBJECT) }) });
    assert.equal(ex.status, 200, await ex.clone().text());
    const token = (await ex.json()).registry_token;
    const pub = await fetch(base + '/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(fixedDraft) });
    assert.equal(pub.status, 200, await pub.text());
    const { page } = bob;
    await page.goto(base + '/ui/requests/' + enc);
    const sarif = path.join(work, 'scan.sarif');
    fs.writeFileSync(sarif, JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [] }] }));
    await page.getByLabel('SARIF log').first().setInputFiles(sarif);
    await page.getByRole('button', { name: 'Upload' }).first().click();
    await page.waitForLoadState();
    for (const kind of ['threat-model', 'license', 'legal']) {
      await page.goto(base + '/ui/requests/' + enc);
      const form = page.locator(`form[data-kind="${kind}"]`).first();
      await form.getByLabel('Verdict').selectOption('approved');
      await form.getByLabel('Reviewer').fill('Bob Reviewer');
      await form.getByLabel('Link').fill('https://reviews.acme.example/12');
      if (kind === 'license') await form.getByLabel('SPDX expression').fill('MIT');
      await form.getByRole('button', { name: 'Record' }).click();
      await page.waitForLoadState();
    }
    const anon = await watchedPage(await browser.newContext());
    let listed = false;
    for (let i = 0; i < 50 && !listed; i++) {
      await anon.goto(base + '/?search=weather');
      listed = (await anon.locator(`#results [data-name="${NAME}"]`).count()) === 1;
      if (!listed) await anon.waitForTimeout(100);
    }
    assert.ok(listed, 'listed in the public catalog');
  });

  await check('history shows the audit timeline', async () => {
    const { page } = bob;
    await page.goto(base + '/ui/requests/' + enc);
    await page.getByRole('link', { name: 'History' }).click();
    const text = await page.locator('main').innerText();
    assert.match(text, /approve/i);
    assert.match(text, /evidence/i);
  });

  await check('retire: the server leaves the public catalog', async () => {
    const { page } = bob;
    await page.goto(base + '/ui/requests/' + enc);
    await page.getByLabel('Message').fill('replaced by com.acme/forecast');
    await page.getByRole('button', { name: 'Retire' }).click();
    await page.waitForLoadState();
    const anon = await watchedPage(await browser.newContext());
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      await anon.goto(base + '/?search=weather');
      gone = (await anon.locator(`#results [data-name="${NAME}"]`).count()) === 0;
      if (!gone) await anon.waitForTimeout(100);
    }
    assert.ok(gone, 'retired server gone');
  });

  await check('sign out ends the session on the server', async () => {
    const { page, context } = alice;
    await page.goto(base + '/ui/requests');
    const cookies = await context.cookies(base);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(base + '/');
    // Replaying the old cookie no longer works.
    const c = cookies.find((x) => x.name.includes('mcpreg_session'));
    const r = await fetch(base + '/ui/requests', { headers: { Cookie: `${c.name}=${c.value}` }, redirect: 'manual' });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\/ui\/login/);
  });
}

await browser.close();
console.log(failures ? `FAILED: ${failures} check(s)` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
