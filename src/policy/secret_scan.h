// Secret and confidential-data detection on single strings (used by the secrets.* rules, and
// reusable for other metadata such as MCPB manifests).
//
// Detectors (formats in /work/shared/notes/identity-and-governance.md section 5), each anchored
// on a fixed signature plus a length/charset check so that near misses stay quiet:
//   secrets.token             GitHub (ghp_/gho_/ghu_/ghs_/ghr_ + 36, github_pat_ + 82, new ghs_
//                             <app id>_<JWT>), Azure DevOps PATs (52-char base32 legacy, 84-char
//                             JQQJ99...AZDO), AWS key ids (AKIA/ASIA/ABIA/ACCA + 16; ids ending
//                             in EXAMPLE are documentation values) and secret keys (40 chars, only
//                             in a string that mentions aws and secret), Azure storage keys
//                             (88-char base64 ending ==), Entra client secrets (xxx7Q~ / 8Q~),
//                             GCP API keys (AIza + 35), Slack tokens and webhooks, npm, PyPI and
//                             Stripe secret keys
//   secrets.private-key       PEM "-----BEGIN ... PRIVATE KEY-----"
//   secrets.jwt               eyJ<header>.eyJ<payload>.<signature>
//   secrets.connection-string scheme://user:password@host, Password=/Pwd=/AccountKey=/
//                             SharedAccessSignature=/SAS sig= values, "Bearer <token>"
//   secrets.internal-host     configured host names (label-aligned, case-insensitive)
//   secrets.classification    configured words/phrases (word-aligned, case-insensitive)
//   secrets.email             e-mail addresses outside the allowed domains (URL user-info and
//                             scp-style git@host: are not addresses)
// Template placeholders ({var}, ${VAR}, <value>, %VAR%) are never reported as values.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::policy {

struct Policy;

struct SecretFinding {
  std::string_view rule;  // rule id, e.g. "secrets.token"
  std::string kind;       // e.g. "GitHub token"
  std::string redacted;   // a short prefix of the match followed by "..." (never the secret)
};

std::vector<SecretFinding> ScanString(const Policy& policy, std::string_view text);

}  // namespace mcpreg::policy
