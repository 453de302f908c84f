// The official MCP TypeScript SDK clients against mcpreg: over stdio (`mcpreg mcp --db DB`) and
// Streamable HTTP (`/mcp` of a running `mcpreg serve`), in both protocol eras:
//   legacy  @modelcontextprotocol/sdk 1.32.2 (initialize, 2025-11-25)
//   modern  @modelcontextprotocol/client 2.4.0 pinned to 2026-07-28 (server/discover, per-request
//           _meta, no session)
// Each run lists the tools, calls each one, checks results and validates structuredContent against
// the tool's outputSchema with ajv (the SDK clients validate too), lists resources (every page),
// templates and prompts, and reads every resource. Every result goes into a transcript; the modern
// transcript of a transport must be deep-equal to the legacy one, ignoring only the top-level
// `_meta`, `resultType`, `ttlMs` and `cacheScope` that exist only in the modern era. The traffic
// is recorded (stdio: a `tee` of the server's stdin; HTTP: the transport's fetch) to prove which
// era each client really spoke. Usage:
//   node sdk_test.mjs --mcpreg BIN --db DB --url http://127.0.0.1:PORT/mcp
// Exit 0 when every check passes; failures are printed one per line.
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttp } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import Ajv from 'ajv';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPS = 'io.modelcontextprotocol/clientCapabilities';
// Keys a 2026-07-28 result carries that a legacy result has no counterpart for.
const MODERN_ONLY_KEYS = ['_meta', 'resultType', 'ttlMs', 'cacheScope'];

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const EXPECTED_TOOLS = ['get_install_config', 'get_server', 'list_versions', 'search_servers', 'validate_server_json'];
let failures = 0;
let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

// The top-level result without the modern-only keys; nested `_meta` (registry data) is kept.
function strip(result) {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return result;
  return Object.fromEntries(Object.entries(result).filter(([k]) => !MODERN_ONLY_KEYS.includes(k)));
}

// The first path at which a and b differ, for failure messages.
function firstDiff(a, b, path = '$') {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
}

// A JSON-RPC error as the client surfaces it, comparable across the SDKs (v1 prefixes
// "MCP error <code>: " to the message, v2 does not).
function rpcError(e) {
  return { code: e?.code, message: String(e?.message ?? e).replace(/^MCP error -?\d+: /, ''), data: e?.data };
}

// Every page of a list method, joined (v2 follows cursors itself when none is given; v1 returns
// one page, so both are driven page by page here).
async function listAll(fn, key) {
  const items = [];
  let cursor;
  let first;
  do {
    const page = await fn(cursor ? { cursor } : undefined);
    first ??= page;
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor);
  return { ...strip(first), [key]: items, nextCursor: undefined };
}

// Runs every check against one connected client and returns the transcript: [key, result] pairs
// in call order, results stripped of the modern-only keys.
// `listPrompts` sends prompts/list (the v2 client's own listPrompts() answers an empty list without
// asking when the server declares no prompts capability, as mcpreg does; the test wants the
// server's answer).
async function exercise(label, client, listPrompts) {
  const transcript = [];
  const record = (key, value) => transcript.push([key, strip(value)]);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const { tools } = await client.listTools();
  record('tools/list', { tools });
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  check(JSON.stringify(Object.keys(byName).sort()) === JSON.stringify(EXPECTED_TOOLS), `${label}: tool names ${Object.keys(byName)}`);
  const validators = {};
  for (const t of tools) {
    check(typeof t.description === 'string' && t.description.length > 20, `${label}: ${t.name} has a description`);
    check(t.inputSchema?.type === 'object', `${label}: ${t.name} inputSchema`);
    check(t.outputSchema?.type === 'object', `${label}: ${t.name} outputSchema`);
    validators[t.name] = ajv.compile(t.outputSchema);
  }
  const called = new Set();
  async function call(name, a, { expectError = false } = {}) {
    const r = await client.callTool({ name, arguments: a });
    called.add(name);
    record(`tools/call ${name} ${JSON.stringify(a)}`, r);
    if (expectError) {
      check(r.isError === true, `${label}: ${name}(${JSON.stringify(a)}) is a tool error`);
      return r;
    }
    check(!r.isError, `${label}: ${name}(${JSON.stringify(a)}) succeeds: ${JSON.stringify(r.content)}`);
    const ok = validators[name](r.structuredContent);
    check(ok, `${label}: ${name} structuredContent matches outputSchema: ${ajv.errorsText(validators[name].errors)}`);
    check(r.content?.[0]?.type === 'text' && JSON.stringify(JSON.parse(r.content[0].text)) === JSON.stringify(r.structuredContent),
      `${label}: ${name} text content mirrors structuredContent`);
    return r;
  }
  // A JSON-RPC error (not a tool result) is expected; it goes into the transcript without its code,
  // which the caller checks per era.
  async function expectRpcError(key, fn) {
    try {
      const r = await fn();
      check(false, `${label}: ${key} fails with a JSON-RPC error, got ${JSON.stringify(r).slice(0, 200)}`);
      return undefined;
    } catch (e) {
      const err = rpcError(e);
      record(key, { error: { message: err.message, data: err.data } });
      return err;
    }
  }

  const all = await call('search_servers', { query: '' });
  const servers = all.structuredContent?.servers ?? [];
  check(servers.length > 0, `${label}: search_servers finds servers`);
  const first = servers[0]?.server ?? {};
  const word = (first.description ?? '').split(/\s+/).find((w) => w.length > 3) ?? '';
  const hits = await call('search_servers', { query: word, limit: 5 });
  check(hits.structuredContent.servers.length >= 1 && hits.structuredContent.servers.length <= 5, `${label}: search "${word}" 1..5 hits`);
  const page = await call('search_servers', { query: '', limit: 1 });
  if (page.structuredContent.metadata.nextCursor) {
    const next = await call('search_servers', { query: '', limit: 1, cursor: page.structuredContent.metadata.nextCursor });
    check(next.structuredContent.servers[0]?.server.name !== page.structuredContent.servers[0]?.server.name, `${label}: cursor advances`);
  }
  for (const transport of ['remote', 'local']) {
    const r = await call('search_servers', { query: '', transport, limit: 100 });
    const key = transport === 'remote' ? 'remotes' : 'packages';
    check(r.structuredContent.servers.every((s) => (s.server[key] ?? []).length > 0), `${label}: transport=${transport} filter`);
  }
  const got = await call('get_server', { name: first.name });
  check(got.structuredContent.server?.name === first.name, `${label}: get_server name`);
  const pinned = await call('get_server', { name: first.name, version: first.version });
  check(pinned.structuredContent.server?.version === first.version, `${label}: get_server version`);
  const versions = await call('list_versions', { name: first.name });
  check(versions.structuredContent.servers.some((s) => s.server.version === first.version), `${label}: list_versions contains latest`);
  for (const client_ of ['vscode', 'visualstudio', 'claude']) {
    const withInstall = servers.find((s) => (s.server.packages ?? []).length || (s.server.remotes ?? []).length);
    if (!withInstall) break;
    const cfg = await call('get_install_config', { name: withInstall.server.name, client: client_ });
    const root = client_ === 'claude' ? 'mcpServers' : 'servers';
    const c = cfg.structuredContent;
    check(c.kind === 'bundle' || c.config?.[root]?.[withInstall.server.name], `${label}: get_install_config ${client_} entry under ${root}`);
  }
  const valid = await call('validate_server_json', { server_json: JSON.stringify({
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name: 'io.github.example/sdk-test', description: 'SDK test', version: '1.0.0' }) });
  check(valid.structuredContent.valid === true, `${label}: validate_server_json valid document`);
  const invalid = await call('validate_server_json', { server_json: { name: 'no slash' } });
  check(invalid.structuredContent.valid === false && invalid.structuredContent.issues.length > 0, `${label}: validate_server_json invalid document`);
  await call('get_server', { name: 'no.such/server-xyz' }, { expectError: true });
  await call('get_install_config', { name: first.name, client: 'emacs' }, { expectError: true });
  await call('get_server', {}, { expectError: true });

  const { resources } = await client.listResources();
  check(resources.length > 0 && resources[0].uri.startsWith('mcpreg://servers/'), `${label}: resources/list`);
  const read = await client.readResource({ uri: resources[0].uri });
  check(JSON.parse(read.contents[0].text).server?.name !== undefined, `${label}: resources/read`);
  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates[0]?.uriTemplate === 'mcpreg://servers/{name}/versions/{version}', `${label}: resource template`);

  // The whole resource surface, for the cross-era comparison.
  const everyResource = await listAll((p) => client.listResources(p), 'resources');
  record('resources/list (all pages)', everyResource);
  record('resources/templates/list (all pages)', await listAll((p) => client.listResourceTemplates(p), 'resourceTemplates'));
  record('prompts/list (all pages)', await listAll(listPrompts, 'prompts'));
  const byUri = new Set(everyResource.resources.map((r) => r.uri));
  check(byUri.size === everyResource.resources.length, `${label}: resources/list has no duplicate across pages`);
  let readsOk = 0;
  for (const r of everyResource.resources) {
    const got = await client.readResource({ uri: r.uri });
    record(`resources/read ${r.uri}`, got);
    const c = got.contents?.[0];
    const doc = c?.text ? JSON.parse(c.text) : {};
    if (got.contents?.length === 1 && c.uri === r.uri && c.mimeType === 'application/json' && doc.server?.name) readsOk++;
  }
  check(readsOk === everyResource.resources.length, `${label}: every resource reads as one application/json document (${readsOk}/${everyResource.resources.length})`);

  // Error paths: an unknown tool, unknown and foreign resources (codes checked by the caller).
  const errors = {
    unknownTool: await expectRpcError('tools/call no_such_tool', () => client.callTool({ name: 'no_such_tool', arguments: {} })),
    unknownResource: await expectRpcError('resources/read unknown server',
      () => client.readResource({ uri: 'mcpreg://servers/no.such%2Fserver-xyz/versions/1.0.0' })),
    foreignResource: await expectRpcError('resources/read foreign uri', () => client.readResource({ uri: 'file:///etc/passwd' })),
  };
  check(isDeepStrictEqual([...called].sort(), EXPECTED_TOOLS), `${label}: every tool called (${[...called].sort()})`);
  console.log(`${label}: ${tools.length} tools exercised, ${everyResource.resources.length} resources read`);
  return { transcript, errors };
}

// The legacy transcript of a transport against its modern one: same calls in the same order with
// deep-equal results.
function compareTranscripts(label, legacy, modern) {
  check(isDeepStrictEqual(legacy.map(([k]) => k), modern.map(([k]) => k)),
    `${label}: modern client made the same calls as the legacy one: ${firstDiff(legacy.map(([k]) => k), modern.map(([k]) => k))}`);
  const modernByKey = new Map(modern.map(([k, v], i) => [`${i} ${k}`, v]));
  legacy.forEach(([key, value], i) => {
    const other = modernByKey.get(`${i} ${key}`);
    check(isDeepStrictEqual(value, other), `${label}: ${key.slice(0, 120)} same in both eras: ${firstDiff(value, other)}`);
  });
}

function checkErrors(label, era, errors) {
  // Resource not found is -32002 up to 2025-11-25 and -32602 from 2026-07-28 (SEP-2164).
  const notFound = era === 'modern' ? -32602 : -32002;
  check(errors.unknownTool?.code === -32602 && /unknown tool/.test(errors.unknownTool.message),
    `${label}: unknown tool is -32602: ${JSON.stringify(errors.unknownTool)}`);
  check(errors.unknownResource?.code === notFound && errors.unknownResource.data?.uri?.includes('no.such'),
    `${label}: unknown resource is ${notFound} with data.uri: ${JSON.stringify(errors.unknownResource)}`);
  check(errors.foreignResource?.code === notFound, `${label}: foreign resource is ${notFound}: ${JSON.stringify(errors.foreignResource)}`);
}

// --- traffic recording -------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), 'mcpreg-sdk-'));
// stdio: the server's stdin, as the client wrote it, teed to LOG. The v2 client sends its
// server/discover probe to a disposable sibling process spawned from these same parameters, then
// starts the session process; both append to LOG, so LOG holds every client→server message.
function stdioParams(log) {
  return {
    command: '/bin/sh',
    args: ['-c', 'tee -a "$0" | "$1" mcp --db "$2"', log, args.mcpreg, args.db],
    stderr: 'inherit',
  };
}
function stdioMessages(log) {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {}
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
// HTTP: every request the transport sends, with the headers and the parsed body.
function recordingFetch(into) {
  return async (url, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    let body;
    try {
      body = init.body ? JSON.parse(init.body) : undefined;
    } catch {}
    const res = await fetch(url, init);
    into.push({ method: init.method ?? 'GET', headers, body, status: res.status, sessionId: res.headers.get('mcp-session-id') });
    return res;
  };
}

const requestsOf = (messages) => messages.filter((m) => m && m.method && m.id !== undefined);
const methodsOf = (messages) => messages.filter((m) => m && m.method).map((m) => m.method);

// Methods both clients must have sent to the server (not answered on the client side).
const WIRE_METHODS = ['tools/list', 'tools/call', 'resources/list', 'resources/read', 'resources/templates/list', 'prompts/list'];

function checkLegacyTraffic(label, messages) {
  const methods = methodsOf(messages);
  check(methods[0] === 'initialize' && messages.find((m) => m?.method === 'initialize').params?.protocolVersion === LEGACY &&
    methods.includes('notifications/initialized') && !methods.includes('server/discover'),
    `${label}: legacy client started with initialize ${LEGACY}, no server/discover: ${methods.slice(0, 3)}`);
  check(WIRE_METHODS.every((m) => methods.includes(m)), `${label}: the legacy client sent ${WIRE_METHODS}: ${[...new Set(methods)]}`);
}

function checkModernTraffic(label, messages) {
  const methods = methodsOf(messages);
  check(WIRE_METHODS.every((m) => methods.includes(m)), `${label}: the modern client sent ${WIRE_METHODS}: ${[...new Set(methods)]}`);
  check(methods.includes('server/discover') && !methods.includes('initialize') && !methods.includes('notifications/initialized'),
    `${label}: modern client sent server/discover and no initialize: ${[...new Set(methods)]}`);
  const bad = requestsOf(messages).filter((m) => m.params?._meta?.[META_VERSION] !== MODERN || typeof m.params?._meta?.[META_CAPS] !== 'object');
  check(requestsOf(messages).length > 100 && bad.length === 0,
    `${label}: every request carries _meta protocolVersion ${MODERN} and clientCapabilities: ${JSON.stringify(bad[0])?.slice(0, 200)}`);
}

// After initialize, every legacy POST names the session and the negotiated version.
function checkLegacyHttpTraffic(label, exchanges) {
  checkLegacyTraffic(label, exchanges.map((x) => x.body));
  const session = exchanges[0]?.sessionId;
  const wrong = exchanges.slice(1).filter((x) => x.method === 'POST' &&
    (x.headers['mcp-session-id'] !== session || x.headers['mcp-protocol-version'] !== LEGACY));
  check(typeof session === 'string' && session.length > 0 && wrong.length === 0,
    `${label}: legacy POSTs carry the session ${session} and MCP-Protocol-Version ${LEGACY}: ${JSON.stringify(wrong[0])?.slice(0, 300)}`);
}

function checkModernHttpTraffic(label, exchanges) {
  checkModernTraffic(label, exchanges.map((x) => x.body));
  const wrong = exchanges.filter((x) => {
    const b = x.body ?? {};
    const name = b.method === 'tools/call' || b.method === 'prompts/get' ? b.params?.name
      : b.method === 'resources/read' ? b.params?.uri : undefined;
    return x.method !== 'POST' || x.status !== 200 || x.headers['mcp-method'] !== b.method ||
      (name !== undefined && x.headers['mcp-name'] !== name) || x.headers['mcp-protocol-version'] !== MODERN ||
      x.headers['mcp-session-id'] !== undefined || x.sessionId !== null;
  });
  check(wrong.length === 0, `${label}: every modern POST has Mcp-Method/Mcp-Name/MCP-Protocol-Version, no session, 200: ${JSON.stringify(wrong[0])?.slice(0, 300)}`);
}

// --- runs --------------------------------------------------------------------------------------

async function legacyRun(label, transport) {
  const client = new LegacyClient({ name: 'mcpreg-sdk-test', version: '1.0.0' });
  await client.connect(transport);
  check(client.getServerVersion()?.name === 'mcpreg', `${label}: serverInfo`);
  const out = await exercise(label, client, (p) => client.listPrompts(p));
  out.serverInfo = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  await client.close();
  checkErrors(label, 'legacy', out.errors);
  return out;
}

async function modernRun(label, transport) {
  const client = new ModernClient({ name: 'mcpreg-sdk-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(transport);
  check(client.getProtocolEra() === 'modern' && client.getNegotiatedProtocolVersion() === MODERN,
    `${label}: negotiated era ${client.getProtocolEra()} ${client.getNegotiatedProtocolVersion()}`);
  const out = await exercise(label, client, (p) => client.request({ method: 'prompts/list', params: p ?? {} }));
  out.serverInfo = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  await client.close();
  checkErrors(label, 'modern', out.errors);
  return out;
}

// get_install_config for a server with several install options (the demo's
// com.contoso/data-catalog 2.0.0: pypi, oci and a remote). The v2 client declares elicitation
// and answers through its elicitation/create handler: the server asks which option through an
// input_required result, the client fulfils it and retries with the sealed requestState, and the
// answer must equal the legacy client's call naming that option explicitly.
const MULTI = 'com.contoso/data-catalog';
async function inputRequiredRun(label, transport, legacyTransport) {
  const asked = [];
  const client = new ModernClient({ name: 'mcpreg-sdk-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } });
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(request.params);
    const options = request.params?.requestedSchema?.properties?.option?.enum ?? [];
    return { action: 'accept', content: { option: options[1] } };
  });
  await client.connect(transport);
  const modern = await client.callTool({ name: 'get_install_config', arguments: { name: MULTI } });
  await client.close();
  const options = asked[0]?.requestedSchema?.properties?.option?.enum ?? [];
  check(asked.length === 1 && options.length === 3 && /can be installed 3 ways/.test(asked[0]?.message ?? ''),
    `${label}: the server asked once which of 3 install options: ${JSON.stringify(asked).slice(0, 300)}`);
  const legacy = new LegacyClient({ name: 'mcpreg-sdk-test', version: '1.0.0' });
  await legacy.connect(legacyTransport);
  const explicit = await legacy.callTool({ name: 'get_install_config', arguments: { name: MULTI, option: options[1] } });
  const fallback = await legacy.callTool({ name: 'get_install_config', arguments: { name: MULTI } });
  await legacy.close();
  check(!modern.isError && isDeepStrictEqual(strip(modern), strip(explicit)),
    `${label}: the answered option gives the legacy result for option ${options[1]}: ${firstDiff(strip(modern), strip(explicit))}`);
  check(!isDeepStrictEqual(explicit.structuredContent, fallback.structuredContent),
    `${label}: the chosen option is not the default one`);
}

function compareRuns(label, legacy, modern) {
  compareTranscripts(label, legacy.transcript, modern.transcript);
  check(isDeepStrictEqual(legacy.serverInfo, modern.serverInfo), `${label}: serverInfo same in both eras: ${firstDiff(legacy.serverInfo, modern.serverInfo)}`);
  // Capabilities differ by design (no listChanged/subscribe in 2026-07-28); the features agree.
  check(isDeepStrictEqual(Object.keys(legacy.capabilities ?? {}).sort(), Object.keys(modern.capabilities ?? {}).sort()),
    `${label}: same capability keys in both eras: ${Object.keys(legacy.capabilities ?? {})} vs ${Object.keys(modern.capabilities ?? {})}`);
}

try {
  const logs = { legacy: join(scratch, 'legacy-stdin.jsonl'), modern: join(scratch, 'modern-stdin.jsonl') };
  const stdioLegacy = await legacyRun('stdio', new LegacyStdio(stdioParams(logs.legacy)));
  checkLegacyTraffic('stdio', stdioMessages(logs.legacy));
  const stdioModern = await modernRun('stdio modern', new ModernStdio(stdioParams(logs.modern)));
  checkModernTraffic('stdio modern', stdioMessages(logs.modern));
  compareRuns('stdio legacy vs modern', stdioLegacy, stdioModern);

  const legacyHttp = [];
  const modernHttp = [];
  const httpLegacy = await legacyRun('http', new LegacyHttp(new URL(args.url), { fetch: recordingFetch(legacyHttp) }));
  checkLegacyHttpTraffic('http', legacyHttp);
  const httpModern = await modernRun('http modern', new ModernHttp(new URL(args.url), { fetch: recordingFetch(modernHttp) }));
  checkModernHttpTraffic('http modern', modernHttp);
  compareRuns('http legacy vs modern', httpLegacy, httpModern);
  // Both transports serve the same database: the same answers.
  compareTranscripts('stdio vs http (modern)', stdioModern.transcript, httpModern.transcript);
  await inputRequiredRun('stdio input_required', new ModernStdio(stdioParams(join(scratch, 'mrtr-stdin.jsonl'))),
    new LegacyStdio(stdioParams(join(scratch, 'mrtr-legacy-stdin.jsonl'))));
  await inputRequiredRun('http input_required', new ModernHttp(new URL(args.url)), new LegacyHttp(new URL(args.url)));
} catch (e) {
  failures++;
  console.log(`FAIL exception: ${e?.stack ?? e}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`${checks} checks, ${failures} failures`);
process.exit(failures ? 1 : 0);
