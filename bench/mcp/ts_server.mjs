// Baseline for bench/mcp: the `search_servers` tool of mcpreg written the idiomatic way on the
// official TypeScript SDK, over the same catalog JSON (an array of server.json documents, later
// versions of a name win as "latest", like `mcpreg import`). Same answer shape as mcpreg:
// {servers:[{server,_meta}], metadata:{count,nextCursor?}}; search = every word of the query is
// a case-insensitive substring of name, title or description; results ordered by name.
//   node ts_server.mjs --catalog FILE --stdio
//   node ts_server.mjs --catalog FILE --listen PORT     (Streamable HTTP at /mcp, sessions)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import * as z from 'zod';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => [a.replace(/^--/, ''), all[i + 1]]));
const docs = JSON.parse(readFileSync(args.catalog, 'utf8'));
const latest = new Map();
const now = new Date().toISOString();
for (const d of docs) latest.set(d.name, d);
const entries = [...latest.values()]
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  .map((d) => ({
    text: `${d.name}\n${d.title ?? ''}\n${d.description ?? ''}`.toLowerCase(),
    response: {
      server: d,
      _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', publishedAt: now, updatedAt: now, isLatest: true } },
    },
  }));

function search({ query, limit = 30, cursor }) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const servers = [];
  let next;
  for (const e of entries) {
    if (cursor && e.response.server.name <= cursor) continue;
    if (!words.every((w) => e.text.includes(w))) continue;
    if (servers.length === limit) { next = servers[servers.length - 1].server.name; break; }
    servers.push(e.response);
  }
  const metadata = next ? { nextCursor: next, count: servers.length } : { count: servers.length };
  return { servers, metadata };
}

function buildServer() {
  const server = new McpServer({ name: 'ts-baseline', version: '1.0.0' });
  server.registerTool('search_servers', {
    description: 'Search MCP servers',
    inputSchema: { query: z.string(), limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional() },
    outputSchema: {
      servers: z.array(z.object({ server: z.object({ name: z.string(), version: z.string() }).passthrough(), _meta: z.object({}).passthrough() })),
      metadata: z.object({ count: z.number().int(), nextCursor: z.string().optional() }),
    },
  }, async (a) => {
    const result = search(a);
    return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
  });
  return server;
}

if (args.stdio !== undefined || process.argv.includes('--stdio')) {
  await buildServer().connect(new StdioServerTransport());
} else {
  const transports = new Map();
  http.createServer(async (req, res) => {
    if (req.url !== '/mcp') { res.writeHead(404).end(); return; }
    let body = '';
    for await (const chunk of req) body += chunk;
    const sid = req.headers['mcp-session-id'];
    let t = sid ? transports.get(sid) : undefined;
    if (!t) {
      t = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => transports.set(id, t),
      });
      await buildServer().connect(t);
    }
    await t.handleRequest(req, res, body ? JSON.parse(body) : undefined);
  }).listen(Number(args.listen), '127.0.0.1', () => console.error(`ts-baseline listening on ${args.listen}`));
}
