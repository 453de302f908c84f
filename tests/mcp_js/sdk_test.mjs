// The official MCP TypeScript SDK client against mcpreg: over stdio (`mcpreg mcp --db DB`) and
// Streamable HTTP (`/mcp` of a running `mcpreg serve`). Lists the tools, calls each one, checks
// results and validates structuredContent against the tool's outputSchema with ajv (the SDK
// client validates too). Usage:
//   node sdk_test.mjs --mcpreg BIN --db DB --url http://127.0.0.1:PORT/mcp
// Exit 0 when every check passes; failures are printed one per line.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Ajv from 'ajv';

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

async function exercise(label, transport) {
  const client = new Client({ name: 'mcpreg-sdk-test', version: '1.0.0' });
  await client.connect(transport);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  check(JSON.stringify(Object.keys(byName).sort()) === JSON.stringify(EXPECTED_TOOLS), `${label}: tool names ${Object.keys(byName)}`);
  const validators = {};
  for (const t of tools) {
    check(typeof t.description === 'string' && t.description.length > 20, `${label}: ${t.name} has a description`);
    check(t.inputSchema?.type === 'object', `${label}: ${t.name} inputSchema`);
    check(t.outputSchema?.type === 'object', `${label}: ${t.name} outputSchema`);
    validators[t.name] = ajv.compile(t.outputSchema);
  }
  async function call(name, a, { expectError = false } = {}) {
    const r = await client.callTool({ name, arguments: a });
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

  const { resources } = await client.listResources();
  check(resources.length > 0 && resources[0].uri.startsWith('mcpreg://servers/'), `${label}: resources/list`);
  const read = await client.readResource({ uri: resources[0].uri });
  check(JSON.parse(read.contents[0].text).server?.name !== undefined, `${label}: resources/read`);
  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates[0]?.uriTemplate === 'mcpreg://servers/{name}/versions/{version}', `${label}: resource template`);
  await client.close();
  console.log(`${label}: ${tools.length} tools exercised`);
}

try {
  await exercise('stdio', new StdioClientTransport({ command: args.mcpreg, args: ['mcp', '--db', args.db], stderr: 'inherit' }));
  await exercise('http', new StreamableHTTPClientTransport(new URL(args.url)));
} catch (e) {
  failures++;
  console.log(`FAIL exception: ${e?.stack ?? e}`);
}
console.log(`${checks} checks, ${failures} failures`);
process.exit(failures ? 1 : 0);
