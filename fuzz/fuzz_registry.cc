// SharedRegistry(), apart from fuzz_common.cc so that targets without a registry do not link
// the whole application.
#include <cstdio>
#include <filesystem>
#include <vector>

#include "fuzz/fuzz_common.h"
#include "service/auth_service.h"
#include "service/registry_service.h"

namespace mcpreg::fuzz {
namespace fs = std::filesystem;

app::Registry& SharedRegistry() {
  static app::Registry* reg = [] {
    auto r = app::OpenRegistryAt(SharedDir() + "/registry.db", app::MigratePolicy::kApplyIfNew);
    if (!r.ok()) {
      std::fprintf(stderr, "mcpreg fuzz: open registry: %s\n", r.status().ToString().c_str());
      std::abort();
    }
    auto* out = new app::Registry(std::move(*r));
    std::vector<std::string> docs;
    fs::path valid = fs::path(MCPREG_SOURCE_DIR) / "tests/fixtures/validate/valid";
    for (const auto& e : fs::directory_iterator(valid))
      if (e.path().extension() == ".json")
        docs.push_back(ReadSourceFile(fs::relative(e.path(), MCPREG_SOURCE_DIR).string()));
    auto sum = out->service->Import(service::LocalOperator(), docs,
                                    std::vector<service::PublishOptions>(docs.size()));
    std::fprintf(stderr, "mcpreg fuzz: registry in %s with %zu of %zu fixture versions\n",
                 SharedDir().c_str(), sum.imported, docs.size());
    return out;
  }();
  return *reg;
}

}  // namespace mcpreg::fuzz
