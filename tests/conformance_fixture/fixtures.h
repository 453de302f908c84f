// The fixtures the official MCP conformance suite (@modelcontextprotocol/conformance) expects a
// server under test to expose: tools test_simple_text ... test_reconnection, resources
// test://static-text ..., the template test://template/{id}/data, prompts test_simple_prompt
// ..., and completion. Built on the same protocol library as the registry's MCP server.
#pragma once

#include "mcp/server.h"

namespace mcpreg::fixture {

// Registers every conformance fixture on `server`.
void AddConformanceFixtures(mcp::McpServer& server);

// The 2026-07-28 input-required (MRTR, SEP-2322) fixtures: tools test_input_required_result_*
// and the prompt test_input_required_result_prompt (input_required.cc). Called by the above.
void AddInputRequiredFixtures(mcp::McpServer& server);

}  // namespace mcpreg::fixture
