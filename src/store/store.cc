// Backend-independent parts of the Store interface: defaults for optional capabilities, the
// choice of backend from a location string, and password redaction.
#include <thread>

#include "mcpreg/store.h"

namespace mcpreg {

unsigned Store::WaitForChange(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(timeout);
  return 0;
}

Status Store::PutBlob(std::string_view, std::string_view) {
  return Status::FailedPrecondition("this store keeps no package bytes");
}
Result<uint64_t> Store::BlobSize(std::string_view) {
  return Status::FailedPrecondition("this store keeps no package bytes");
}
Result<std::string> Store::ReadBlob(std::string_view, uint64_t, uint64_t) {
  return Status::FailedPrecondition("this store keeps no package bytes");
}
Result<std::string> Store::GetOrPutSetting(std::string_view, std::string_view) {
  return Status::FailedPrecondition("this store keeps no shared settings");
}
Result<std::vector<Store::WebhookDelivery>> Store::ListWebhookDeliveries() {
  return Status::FailedPrecondition("this store keeps no webhook delivery state");
}
Status Store::PutWebhookDelivery(const WebhookDelivery&) {
  return Status::FailedPrecondition("this store keeps no webhook delivery state");
}

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string RedactLocation(std::string_view location) {
  if (!IsPostgresLocation(location)) return std::string(location);
  std::string out(location);
  // userinfo, parsed the way libpq does: it ends at the first '@' unless a '/' comes first
  // (so a password may hold an unencoded '?' or '#').
  size_t auth_begin = out.find("://") + 3;
  size_t stop = out.find_first_of("@/", auth_begin);
  size_t host_begin = auth_begin;
  if (stop != std::string::npos && out[stop] == '@') {
    size_t colon = out.find(':', auth_begin);
    if (colon != std::string::npos && colon < stop) {
      out.replace(colon + 1, stop - colon - 1, "***");
      stop = colon + 1 + 3;
    }
    host_begin = stop + 1;
  }
  // query parameters: password=...
  size_t q = out.find('?', host_begin);
  while (q != std::string::npos) {
    size_t key = q + 1;
    size_t amp = out.find('&', key);
    size_t end = amp == std::string::npos ? out.size() : amp;
    std::string_view param(out.data() + key, end - key);
    if (param.rfind("password=", 0) == 0) {
      out.replace(key + 9, end - key - 9, "***");
      end = key + 9 + 3;
    }
    q = end < out.size() ? end : std::string::npos;
  }
  return out;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const PostgresOptions& options) {
  if (IsPostgresLocation(location)) return OpenPostgresStore(location, options);
  return OpenSqliteStore(location);
}

}  // namespace mcpreg
