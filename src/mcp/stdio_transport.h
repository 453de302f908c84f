// stdio transport: newline-delimited JSON-RPC on a pair of file descriptors (normally stdin and
// stdout). One message per line; `\r\n` is accepted; every outgoing message is one compact line
// followed by '\n' and written atomically with respect to other messages. Nothing else may be
// written to `out_fd` (logs go to stderr).
//
// Lines longer than the server's ParseLimits::max_bytes are discarded without buffering them
// whole and answered with -32600 (id null). Blocking tools run on their own threads, so the
// reader keeps reading (answers to sampling/elicitation requests, cancellations) meanwhile.
#pragma once

#include <chrono>

#include "mcp/server.h"
#include "mcpreg/status.h"

namespace mcpreg::mcp {

struct StdioOptions {
  // On end of input, how long to let running tool calls finish before giving up on them.
  std::chrono::milliseconds drain_timeout{5000};
};

// Serves one session until `in_fd` reaches end of file. Returns OK on EOF, Unavailable when
// reading or writing fails (e.g. the client closed the pipe).
Status RunStdio(const McpServer& server, int in_fd, int out_fd, StdioOptions options = {});

}  // namespace mcpreg::mcp
