#include "auth/namespace_proof.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cctype>
#include <memory>
#include <optional>

#include "auth/encoding.h"

namespace mcpreg::auth {
namespace {

constexpr Micros kWindow = 15LL * 1000000;

struct ProofKey {
  std::string algorithm;  // "ed25519" | "ecdsap384"
  std::string raw;        // public key bytes as published
};

struct ParsedRecord {
  std::optional<ProofKey> key;
  Status error;  // set when the record matched but its key is unusable
};

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

bool IsB64(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

// Finds `v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+)` (upstream's MCPProofRecordPattern),
// leftmost match, in `text`.
std::optional<std::pair<std::string, std::string>> MatchRecord(std::string_view text) {
  constexpr std::string_view kPrefix = "v=MCPv1;";
  for (size_t at = text.find(kPrefix); at != std::string_view::npos;
       at = text.find(kPrefix, at + 1)) {
    size_t i = at + kPrefix.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (text.substr(i, 2) != "k=") continue;
    i += 2;
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi == i) continue;
    std::string alg(text.substr(i, semi - i));
    i = semi + 1;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (text.substr(i, 2) != "p=") continue;
    i += 2;
    size_t end = i;
    while (end < text.size() && IsB64(text[end])) ++end;
    if (end == i) continue;
    return std::make_pair(alg, std::string(text.substr(i, end - i)));
  }
  return std::nullopt;
}

ParsedRecord ParseRecord(const std::string& alg, const std::string& b64) {
  std::optional<std::string> raw = Base64Decode(b64);
  if (!raw) return {std::nullopt, Status::Unauthenticated("failed to decode public key")};
  if (alg == "ed25519") {
    if (raw->size() != 32) {
      return {std::nullopt, Status::Unauthenticated("invalid Ed25519 public key size")};
    }
  } else if (alg == "ecdsap384") {
    if (raw->size() != 49) {
      return {std::nullopt, Status::Unauthenticated("invalid ECDSA P-384 public key size")};
    }
    if ((*raw)[0] != 0x02 && (*raw)[0] != 0x03) {
      return {std::nullopt,
              Status::Unauthenticated("invalid ECDSA P-384 public key format (must be "
                                      "compressed, with a leading 0x02 or 0x03 byte)")};
    }
  } else {
    return {std::nullopt, Status::Unauthenticated("unsupported public key algorithm: " + alg)};
  }
  return {ProofKey{alg, std::move(*raw)}, Status::OK()};
}

PkeyPtr LoadKey(const ProofKey& key) {
  const auto* raw = reinterpret_cast<const unsigned char*>(key.raw.data());
  if (key.algorithm == "ed25519") {
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw, key.raw.size()));
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("secp384r1"),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(key.raw.data()),
                                        key.raw.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* out = nullptr;
  if (ctx && EVP_PKEY_fromdata_init(ctx) > 0) {
    EVP_PKEY_fromdata(ctx, &out, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  return PkeyPtr(out);
}

// OK, Unauthenticated("... signature size ...") for structural problems, or a Status with
// code kUnauthenticated and empty message for a clean mismatch.
Status VerifyOne(const ProofKey& key, std::string_view message, std::string_view signature) {
  PkeyPtr pkey = LoadKey(key);
  if (!pkey) return Status::Unauthenticated("failed to decompress ECDSA P-384 public key");
  std::string der;
  const EVP_MD* md = nullptr;
  if (key.algorithm == "ed25519") {
    if (signature.size() != 64)
      return Status::Unauthenticated("invalid signature size for Ed25519");
  } else {
    if (signature.size() != 96) {
      return Status::Unauthenticated("invalid signature size for ECDSA P-384");
    }
    const auto* s = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(s, 48, nullptr), BN_bin2bn(s + 48, 48, nullptr));
    unsigned char* buf = nullptr;
    int n = i2d_ECDSA_SIG(sig, &buf);
    ECDSA_SIG_free(sig);
    if (n <= 0) return Status::Internal("out of memory");
    der.assign(reinterpret_cast<char*>(buf), size_t(n));
    OPENSSL_free(buf);
    signature = der;
    md = EVP_sha384();
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int rc =
      ctx && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pkey.get()) > 0
          ? EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size())
          : -1;
  EVP_MD_CTX_free(ctx);
  if (rc == 1) return Status::OK();
  return Status(Code::kUnauthenticated, "");
}

std::string Fingerprint(const ProofKey& key) {
  return key.algorithm + ":" + Base64Encode(key.raw).substr(0, 8);
}

// Upstream's ValidateDomainAndTimestamp + DecodeAndValidateSignature.
Result<std::string> CheckRequest(const ProofRequest& req, const Clock& clock) {
  if (!IsValidProofDomain(req.domain)) return Status::Unauthenticated("invalid domain format");
  Result<Micros> ts = ParseRfc3339(req.timestamp);
  if (!ts.ok())
    return Status::Unauthenticated("invalid timestamp format: " + ts.status().message());
  Micros now = clock.Now();
  if (*ts < now - kWindow || *ts > now + kWindow) {
    return Status::Unauthenticated("timestamp outside valid window (±15 seconds)");
  }
  std::optional<std::string> sig = HexDecode(req.signed_timestamp);
  if (!sig) return Status::Unauthenticated("invalid signature format, must be hex");
  return std::move(*sig);
}

Principal MakePrincipal(const std::string& domain, std::string method, bool subdomains) {
  Principal p;
  p.subject = domain;
  p.auth_method = std::move(method);
  std::string reversed = ReverseDomain(domain);
  p.permissions.push_back({std::string(kActionPublish), reversed + "/*"});
  if (subdomains) p.permissions.push_back({std::string(kActionPublish), reversed + ".*"});
  return p;
}

bool HasRecord(const std::vector<std::string>& records) {
  for (const std::string& r : records) {
    if (MatchRecord(r)) return true;
  }
  return false;
}

}  // namespace

bool IsValidProofDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string MakeProofRecord(std::string_view ed25519_public_key) {
  return "v=MCPv1; k=ed25519; p=" + Base64Encode(ed25519_public_key);
}

Status VerifyAgainstRecords(const std::vector<std::string>& records, std::string_view message,
                            std::string_view signature, std::string_view source) {
  std::vector<ParsedRecord> parsed;
  for (const std::string& r : records) {
    if (auto m = MatchRecord(r)) parsed.push_back(ParseRecord(m->first, m->second));
  }
  if (parsed.empty()) {
    return Status::Unauthenticated("no MCP public key found in " + std::string(source));
  }
  if (parsed.size() == 1 && !parsed[0].key) return parsed[0].error;
  std::vector<ProofKey> keys;
  for (ParsedRecord& p : parsed) {
    if (p.key) keys.push_back(std::move(*p.key));
  }
  if (keys.empty()) return Status::Unauthenticated("no valid MCP public key found");
  Status structural;
  for (const ProofKey& k : keys) {
    Status s = VerifyOne(k, message, signature);
    if (s.ok()) return s;
    if (!s.message().empty()) structural = s;
  }
  if (!structural.ok()) return structural;
  std::string tried;
  for (const ProofKey& k : keys) tried += (tried.empty() ? "" : ", ") + Fingerprint(k);
  if (keys.size() == 1) {
    return Status::Unauthenticated("signature verification failed (tried published key " + tried +
                                   "); if this is not the key you are signing with, the "
                                   "published record may be stale");
  }
  return Status::Unauthenticated("signature verification failed against all " +
                                 std::to_string(keys.size()) + " published keys (tried: " + tried +
                                 "); if you recently rotated keys, remove any stale records "
                                 "from the apex domain");
}

Result<Principal> VerifyDnsProof(const ProofRequest& request, TxtResolver& resolver,
                                 const Clock& clock) {
  Result<std::string> sig = CheckRequest(request, clock);
  if (!sig.ok()) return sig.status();
  Result<std::vector<std::string>> records = resolver.LookupTxt(request.domain);
  if (!records.ok()) {
    return Status::Unauthenticated("failed to fetch keys: failed to lookup DNS TXT records: " +
                                   records.status().message());
  }
  if (!HasRecord(*records)) {
    for (const char* selector : {"_mcp-auth.", "_mcp-registry."}) {
      std::string name = selector + request.domain;
      Result<std::vector<std::string>> probe = resolver.LookupTxt(name);
      if (probe.ok() && HasRecord(*probe)) {
        return Status::Unauthenticated(
            "failed to fetch keys: no MCPv1 TXT record at \"" + request.domain +
            "\", but one was found at \"" + name +
            "\" — MCP DNS auth requires the record at the apex domain, not under a selector");
      }
    }
  }
  MCPREG_RETURN_IF_ERROR(
      VerifyAgainstRecords(*records, request.timestamp, *sig, "DNS TXT records"));
  return MakePrincipal(request.domain, "dns", true);
}

Result<Principal> VerifyHttpProof(const ProofRequest& request, HttpFetcher& fetcher,
                                  const Clock& clock) {
  Result<std::string> sig = CheckRequest(request, clock);
  if (!sig.ok()) return sig.status();
  std::string url = "https://" + request.domain + "/.well-known/mcp-registry-auth";
  FetchOptions opts;
  opts.timeout = std::chrono::seconds(10);
  opts.max_body_bytes = 4096;
  opts.accept = "text/plain";
  opts.untrusted_destination = true;  // the domain is the caller's: SSRF guard
  Result<FetchResponse> resp = fetcher.Get(url, opts);
  if (!resp.ok()) {
    return Status::Unauthenticated("failed to fetch keys: failed to fetch " + url + ": " +
                                   resp.status().message());
  }
  if (resp->status != 200) {
    return Status::Unauthenticated("failed to fetch keys: HTTP " + std::to_string(resp->status) +
                                   " from " + url);
  }
  std::string_view body = resp->body;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front())))
    body.remove_prefix(1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back())))
    body.remove_suffix(1);
  MCPREG_RETURN_IF_ERROR(
      VerifyAgainstRecords({std::string(body)}, request.timestamp, *sig, "HTTP response"));
  return MakePrincipal(request.domain, "http", false);
}

}  // namespace mcpreg::auth
