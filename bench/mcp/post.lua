-- wrk script: POST one tools/call search_servers per request.
-- Env: MCP_ERA ("legacy", the default: on the initialized session MCP_SESSION, protocol
-- 2025-06-18; "modern": 2026-07-28 stateless, params._meta plus the Mcp-Method / Mcp-Name /
-- MCP-Protocol-Version headers, no session), BENCH_ARGS (the tool arguments as JSON).
local args = os.getenv("BENCH_ARGS") or '{"query":"incident response","limit":30}'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
if os.getenv("MCP_ERA") == "modern" then
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = "search_servers"
  wrk.body = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_servers","arguments":'
    .. args .. ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
    .. '"io.modelcontextprotocol/clientCapabilities":{}}}}'
else
  wrk.headers["Mcp-Session-Id"] = os.getenv("MCP_SESSION")
  wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
  wrk.body = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_servers","arguments":'
    .. args .. '}}'
end
