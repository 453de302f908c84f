// Target server_json: the bytes are a server.json document (what POST /v0.1/validate, publish,
// `mcpreg validate` and the MCP tool validate_server_json receive). Runs the full validator
// (JSON Schema + semantic rules), the publish validator and the typed parser, and checks the
// contracts stated in model/validate.h and model/server_json.h:
//   - `valid` is true iff no issue has severity "error", and the report renders as JSON;
//   - serialize/parse round trip: Parse(Serialize(x)) == x for any x produced by Parse, and
//     serializing again gives the same bytes.
#include <boost/json.hpp>

#include "fuzz/fuzz_common.h"
#include "model/server_json.h"
#include "model/validate.h"

using namespace mcpreg;

namespace {

void CheckReport(const model::ValidationReport& report) {
  bool has_error = false;
  for (const auto& i : report.issues) has_error |= i.severity == "error";
  fuzz::Check(report.valid == !has_error, "report.valid == no error issue");
  boost::system::error_code ec;
  boost::json::parse(report.ToJson(), ec);
  fuzz::Check(!ec, "ValidationReport::ToJson is JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::AsView(data, size);
  CheckReport(model::ValidateServerJson(text));
  CheckReport(model::ValidateForPublish(text));

  auto parsed = model::ParseServerJson(text);
  if (!parsed.ok()) return 0;
  std::string once = model::SerializeServerJson(*parsed);
  auto again = model::ParseServerJson(once);
  fuzz::Check(again.ok(), "canonical serialization parses");
  fuzz::Check(*again == *parsed, "Parse(Serialize(x)) == x");
  fuzz::Check(model::SerializeServerJson(*again) == once, "serialization is stable");
  model::ValidateSemantics(*parsed);
  return 0;
}
