// Target mcp: the bytes are a stdio MCP conversation, one JSON-RPC message per line. Each line
// goes through mcp::ParseMessage under tight limits (framing) and through Session::HandleText
// of a fresh session on an McpServer carrying the registry tools and resource template over the
// seeded fixture registry (dispatch: lifecycle, tools/call, resources/read, completion...).
// The session is initialized first with a fixed `initialize` message unless the input's first
// line is itself an `initialize`, so tools are reachable. Checked: every request gets exactly one
// response (or the empty string of a cancelled one), and each response is one line of JSON.
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "api/mcp/registry_reader.h"
#include "api/mcp/registry_tools.h"
#include "fuzz/fuzz_common.h"
#include "mcp/jsonrpc.h"
#include "mcp/server.h"
#include "mcp/session.h"

using namespace mcpreg;

namespace {

class Capture : public mcp::Outbox {
 public:
  void Send(std::string m) override {
    fuzz::Check(m.find('\n') == std::string::npos, "outgoing message is one line");
  }
  void Finish(std::string r) override {
    ++finished;
    fuzz::Check(r.find('\n') == std::string::npos, "response is one line");
    if (!r.empty()) {
      boost::system::error_code ec;
      boost::json::parse(r, ec);
      fuzz::Check(!ec, "response is JSON");
    }
  }
  int finished = 0;
};

mcp::McpServer& Server() {
  static mcp::McpServer* s = [] {
    auto* s = new mcp::McpServer(mcpapi::RegistryServerOptions());
    mcpapi::AddRegistryTools(*s, mcpapi::LocalReader(*fuzz::SharedRegistry().service));
    return s;
  }();
  return *s;
}

constexpr std::string_view kInitialize =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mcp::McpServer& server = Server();
  std::string_view rest = fuzz::AsView(data, size);

  auto session = mcp::Session::Create(server);
  if (rest.find("\"initialize\"") == std::string_view::npos) {
    session->HandleText(kInitialize, std::make_shared<Capture>());
    session->HandleText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", nullptr);
  }
  mcp::ParseLimits tight{.max_bytes = 4096, .max_depth = 8};
  int lines = 0;
  while (!rest.empty() && lines++ < 64) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    auto framed = mcp::ParseMessage(line, tight);
    if (auto* m = std::get_if<mcp::Message>(&framed)) {
      if (m->kind == mcp::MessageKind::kRequest) mcp::EncodeResult(m->id, m->params);
    } else {
      auto& f = std::get<mcp::ParseFailure>(framed);
      mcp::EncodeError(f.id, f.error);
    }

    auto out = std::make_shared<Capture>();
    session->HandleText(line, out);
    fuzz::Check(session->WaitIdle(std::chrono::seconds(10)), "session idle within 10 s");
    fuzz::Check(out->finished <= 1, "at most one response per message");
  }
  session->Close();
  session->WaitIdle(std::chrono::seconds(10));
  return 0;
}
