// Internal to src/policy: the rule families Evaluate() chains, and the sink they report into.
// Each family lives in its own rules_*.cc and reports only rules the policy enables.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "model/validate.h"
#include "policy/policy.h"

namespace mcpreg::model {
struct ServerJson;
}

namespace mcpreg::policy::internal {

// Collects issues of type "policy" with the policy's effective severities.
class Sink {
 public:
  Sink(const Policy& policy, std::vector<model::Issue>& out) : policy_(policy), out_(out) {}

  const Policy& policy() const { return policy_; }
  bool On(std::string_view rule) const { return policy_.Enabled(rule); }
  // Adds an issue with the rule's effective severity.
  void Add(std::string_view rule, std::string path, std::string message);
  // Adds an issue with an explicit severity (e.g. licence "review" is always a warning).
  void AddAs(std::string_view rule, std::string severity, std::string path, std::string message);

 private:
  const Policy& policy_;
  std::vector<model::Issue>& out_;
};

void CheckLocal(const model::ServerJson& server, Sink& sink);
void CheckRemote(const model::ServerJson& server, RemoteProber* prober, Sink& sink);
void CheckSecrets(const boost::json::value& doc, const model::ServerJson& server, Sink& sink);
void CheckContent(const model::ServerJson& server, Sink& sink);
void CheckLicense(const boost::json::value& doc, Sink& sink);

// ASCII lower-casing and helpers shared by the families.
std::string Lower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);
bool IContains(const std::vector<std::string>& list, std::string_view s);
// Splits on anything that is not [A-Za-z0-9], lower-cased, empty tokens dropped.
std::vector<std::string> Words(std::string_view s);
// True when `s` looks like a template/placeholder rather than a literal value:
// {var}, ${VAR}, $VAR, %VAR%, <value>, {{ x }}.
bool IsPlaceholder(std::string_view s);

}  // namespace mcpreg::policy::internal
