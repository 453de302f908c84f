-- wrk script: POST one tools/call search_servers per request on an initialized MCP session.
-- Env: MCP_SESSION (Mcp-Session-Id), BENCH_ARGS (the tool arguments as JSON).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = os.getenv("MCP_SESSION")
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
wrk.body = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_servers","arguments":'
  .. (os.getenv("BENCH_ARGS") or '{"query":"incident response","limit":30}') .. '}}'
