// The stateless MCP feature methods (list/read/get/complete/call): pure functions of the
// McpServer and the request params, used by Session. Internal to src/mcp.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "mcp/jsonrpc.h"
#include "mcp/server.h"

namespace mcpreg::mcp {

class RequestContext;

struct Reply {
  boost::json::value result;
  std::optional<RpcError> error;

  static Reply Ok(boost::json::value v) { return Reply{std::move(v), std::nullopt}; }
  static Reply Error(int code, std::string message, boost::json::value data = nullptr) {
    return Reply{nullptr, RpcError{code, std::move(message), std::move(data)}};
  }
};

Reply ListTools(const McpServer& server, const boost::json::object& params);
Reply ListResources(const McpServer& server, const boost::json::object& params);
Reply ListTemplates(const McpServer& server, const boost::json::object& params);
Reply ReadResource(const McpServer& server, const boost::json::object& params);
Reply ListPrompts(const McpServer& server, const boost::json::object& params);
Reply GetPrompt(const McpServer& server, const boost::json::object& params, RequestContext& ctx);
Reply Complete(const McpServer& server, const boost::json::object& params);
// Runs the tool's handler after checking `arguments` against its inputSchema (required members
// and primitive types). Failures of either become isError results, not protocol errors.
Reply RunTool(const ToolDef& tool, const boost::json::object& arguments, RequestContext& ctx);

// Checks `args` against the subset of JSON Schema we rely on: required properties, primitive
// `type` of each declared property, additionalProperties:false. Returns InvalidArgument naming
// the offending argument.
Status CheckArguments(const boost::json::object& schema, const boost::json::object& args);

}  // namespace mcpreg::mcp
