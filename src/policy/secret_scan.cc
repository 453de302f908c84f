// ScanString: hand-written detectors (no regex engine: this runs on every string of every
// published version, so each detector is a substring search plus a bounded character scan).
#include "policy/secret_scan.h"

#include <algorithm>
#include <array>

#include "policy/policy.h"
#include "policy/rules.h"

namespace mcpreg::policy {
namespace {

using internal::IsPlaceholder;
using internal::Lower;

bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool LowerC(char c) { return c >= 'a' && c <= 'z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alnum(char c) { return Upper(c) || LowerC(c) || Digit(c); }
bool B64(char c) { return Alnum(c) || c == '+' || c == '/'; }
bool B64Url(char c) { return Alnum(c) || c == '-' || c == '_'; }
bool Word(char c) { return Alnum(c) || c == '_'; }
bool Base32Lower(char c) { return LowerC(c) || (c >= '2' && c <= '7'); }
bool Base32Upper(char c) { return Upper(c) || (c >= '2' && c <= '7'); }
bool EntraChar(char c) { return Alnum(c) || c == '_' || c == '~' || c == '.' || c == '-'; }
bool HostChar(char c) { return LowerC(c) || Digit(c) || c == '-'; }

template <typename Pred>
size_t Run(std::string_view s, size_t pos, Pred pred) {
  size_t n = 0;
  while (pos + n < s.size() && pred(s[pos + n])) ++n;
  return n;
}

template <typename Pred>
bool BoundaryBefore(std::string_view s, size_t pos, Pred pred) {
  return pos == 0 || !pred(s[pos - 1]);
}

// Mixed character classes: a cheap stand-in for an entropy threshold on long random runs.
bool Mixed(std::string_view s, bool need_upper, bool need_lower, bool need_digit) {
  bool u = false, l = false, d = false;
  for (char c : s) {
    u = u || Upper(c);
    l = l || LowerC(c);
    d = d || Digit(c);
  }
  return (!need_upper || u) && (!need_lower || l) && (!need_digit || d);
}

class Scanner {
 public:
  Scanner(const Policy& policy, std::string_view s) : policy_(policy), s_(s), lower_(Lower(s)) {}

  std::vector<SecretFinding> Run() {
    if (policy_.Enabled("secrets.token")) Tokens();
    if (policy_.Enabled("secrets.private-key")) PrivateKeys();
    if (policy_.Enabled("secrets.jwt")) Jwts();
    if (policy_.Enabled("secrets.connection-string")) ConnectionStrings();
    if (policy_.Enabled("secrets.internal-host")) InternalHosts();
    if (policy_.Enabled("secrets.classification")) Classification();
    if (policy_.Enabled("secrets.email")) Emails();
    return std::move(out_);
  }

 private:
  void Hit(std::string_view rule, std::string kind, size_t pos, size_t len) {
    std::string_view m = s_.substr(pos, len);
    std::string red(m.substr(0, std::min<size_t>(m.size() / 4, rule == "secrets.token" ? 6 : 4)));
    if (rule == "secrets.internal-host" || rule == "secrets.classification") red = m;
    else red += "...";
    out_.push_back({rule, std::move(kind), std::move(red)});
  }

  // Calls f(pos) for every occurrence of `needle` in the original (or lower-cased) text.
  template <typename F>
  void Each(std::string_view needle, bool folded, F f) {
    std::string_view hay = folded ? std::string_view(lower_) : s_;
    for (size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + 1)) {
      f(p);
    }
  }

  void Tokens() {
    for (std::string_view pre : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
      Each(pre, false, [&](size_t p) {
        if (!BoundaryBefore(s_, p, Word)) return;
        size_t n = policy::Run(s_, p + 4, Alnum);
        bool app = pre == "ghs_" && n > 0 && p + 4 + n < s_.size() && s_[p + 4 + n] == '_' &&
                   s_.substr(p + 5 + n, 3) == "eyJ" &&
                   std::all_of(s_.begin() + p + 4, s_.begin() + p + 4 + n, Digit);
        if (n >= 36 || app) Hit("secrets.token", "GitHub token", p, 4 + n);
      });
    }
    Each("github_pat_", false, [&](size_t p) {
      size_t n = policy::Run(s_, p + 11, Word);
      if (BoundaryBefore(s_, p, Word) && n >= 82) Hit("secrets.token", "GitHub fine-grained PAT", p, 11 + n);
    });
    for (std::string_view pre : {"AKIA", "ASIA", "ABIA", "ACCA"}) {
      Each(pre, false, [&](size_t p) {
        if (!BoundaryBefore(s_, p, Alnum) || p + 20 > s_.size()) return;
        std::string_view id = s_.substr(p, 20);
        if (!std::all_of(id.begin() + 4, id.end(), Base32Upper)) return;
        if (p + 20 < s_.size() && Alnum(s_[p + 20])) return;
        if (id.substr(13) == "EXAMPLE") return;  // AWS documentation key
        Hit("secrets.token", "AWS access key id", p, 20);
      });
    }
    if (lower_.find("aws") != std::string::npos && lower_.find("secret") != std::string::npos) {
      for (size_t p = 0; p < s_.size();) {
        size_t n = policy::Run(s_, p, B64);
        if (n == 40 && Mixed(s_.substr(p, n), true, true, true)) {
          Hit("secrets.token", "AWS secret access key", p, n);
        }
        p += n == 0 ? 1 : n;
      }
    }
    Each("AIza", false, [&](size_t p) {
      if (BoundaryBefore(s_, p, B64Url) && policy::Run(s_, p + 4, B64Url) >= 35)
        Hit("secrets.token", "Google API key", p, 39);
    });
    Each("xox", false, [&](size_t p) {
      if (p + 4 >= s_.size() || std::string_view("baprseo").find(s_[p + 3]) == std::string_view::npos)
        return;
      if (s_[p + 4] != '-' || !BoundaryBefore(s_, p, Alnum)) return;
      size_t n = policy::Run(s_, p + 5, [](char c) { return Alnum(c) || c == '-'; });
      if (n >= 10) Hit("secrets.token", "Slack token", p, 5 + n);
    });
    Each("xapp-", false, [&](size_t p) {
      if (p + 6 < s_.size() && Digit(s_[p + 5]) && s_[p + 6] == '-' &&
          policy::Run(s_, p + 7, [](char c) { return Alnum(c) || c == '-'; }) >= 10)
        Hit("secrets.token", "Slack app token", p, 7);
    });
    Each("hooks.slack.com/services/", true, [&](size_t p) {
      if (policy::Run(s_, p + 25, [](char c) { return Alnum(c) || c == '/'; }) >= 10)
        Hit("secrets.token", "Slack webhook URL", p, 25);
    });
    Each("npm_", false, [&](size_t p) {
      if (BoundaryBefore(s_, p, Word) && policy::Run(s_, p + 4, Alnum) == 36)
        Hit("secrets.token", "npm token", p, 40);
    });
    Each("pypi-AgEIcHlwaS5vcmc", false, [&](size_t p) {
      if (policy::Run(s_, p + 20, B64Url) >= 50) Hit("secrets.token", "PyPI token", p, 20);
    });
    for (std::string_view pre : {"sk_live_", "rk_live_", "sk_test_"}) {
      Each(pre, false, [&](size_t p) {
        if (BoundaryBefore(s_, p, Word) && policy::Run(s_, p + 8, Alnum) >= 10)
          Hit("secrets.token", "Stripe secret key", p, 8);
      });
    }
    Each("Q~", false, [&](size_t p) {
      if (p < 4 || (s_[p - 1] != '7' && s_[p - 1] != '8')) return;
      size_t start = p - 4;
      if (!std::all_of(s_.begin() + start, s_.begin() + p - 1, EntraChar)) return;
      if (!BoundaryBefore(s_, start, EntraChar)) return;
      size_t n = policy::Run(s_, p + 2, EntraChar);
      if (n >= 31 && n <= 34) Hit("secrets.token", "Entra client secret", start, n + 6);
    });
    // Maximal alphanumeric runs: Azure DevOps PATs; base64 runs ending "==": storage keys.
    for (size_t p = 0; p < s_.size();) {
      size_t n = policy::Run(s_, p, Alnum);
      if (n == 0) {
        ++p;
        continue;
      }
      std::string_view r = s_.substr(p, n);
      if (n == 52 && std::all_of(r.begin(), r.end(), Base32Lower) &&
          std::count_if(r.begin(), r.end(), Digit) >= 4 && BoundaryBefore(s_, p, B64)) {
        Hit("secrets.token", "Azure DevOps PAT", p, n);
      } else if (n == 84 && r.substr(52, 6) == "JQQJ99" && r.substr(76, 4) == "AZDO") {
        Hit("secrets.token", "Azure DevOps PAT", p, n);
      }
      p += n;
    }
    Each("==", false, [&](size_t p) {
      if (p < 86 || (p + 2 < s_.size() && B64(s_[p + 2]))) return;
      size_t start = p - 86;
      std::string_view key = s_.substr(start, 86);
      if (std::all_of(key.begin(), key.end(), B64) && BoundaryBefore(s_, start, B64) &&
          Mixed(key, true, true, true))
        Hit("secrets.token", "Azure storage account key", start, 88);
    });
  }

  void PrivateKeys() {
    Each("-----begin ", true, [&](size_t p) {
      size_t end = lower_.find("-----", p + 11);
      if (end == std::string::npos) return;
      if (lower_.substr(p, end - p).find("private key") != std::string::npos)
        Hit("secrets.private-key", "private key", p, end + 5 - p);
    });
  }

  void Jwts() {
    Each("eyJ", false, [&](size_t p) {
      if (!BoundaryBefore(s_, p, B64Url)) return;
      size_t a = policy::Run(s_, p, B64Url);
      size_t q = p + a;
      if (a < 10 || q >= s_.size() || s_[q] != '.' || s_.substr(q + 1, 3) != "eyJ") return;
      size_t b = policy::Run(s_, q + 1, B64Url);
      if (b < 10 || q + 1 + b >= s_.size() || s_[q + 1 + b] != '.') return;
      Hit("secrets.jwt", "JSON Web Token", p, a + b + 2);
    });
  }

  // key=value pairs in connection strings: `key` is lower-case and includes the '='.
  void KeyValue(std::string_view key, std::string kind, size_t min_len) {
    Each(key, true, [&](size_t p) {
      if (p > 0 && Alnum(lower_[p - 1])) return;
      size_t v = p + key.size();
      size_t e = v;
      while (e < s_.size() && s_[e] != ';' && s_[e] != '&' && s_[e] != ' ' && s_[e] != '"') ++e;
      std::string_view value = s_.substr(v, e - v);
      if (value.size() >= min_len && !IsPlaceholder(value) && value.find('{') == std::string::npos)
        Hit("secrets.connection-string", kind, p, e - p);
    });
  }

  void ConnectionStrings() {
    Each("://", false, [&](size_t p) {
      size_t a = p + 3;
      size_t e = a;
      while (e < s_.size() && std::string_view("/?# \t\"").find(s_[e]) == std::string_view::npos) ++e;
      std::string_view authority = s_.substr(a, e - a);
      size_t at = authority.rfind('@');
      if (at == std::string_view::npos) return;
      std::string_view userinfo = authority.substr(0, at);
      size_t colon = userinfo.find(':');
      if (colon == std::string_view::npos) return;
      std::string_view password = userinfo.substr(colon + 1);
      if (password.empty() || IsPlaceholder(password) || password.find('{') != std::string::npos)
        return;
      Hit("secrets.connection-string", "URL with an embedded password", a, at);
    });
    KeyValue("password=", "connection string with a password", 1);
    KeyValue("pwd=", "connection string with a password", 1);
    KeyValue("accountkey=", "connection string with an AccountKey", 20);
    KeyValue("sharedaccesssignature=", "connection string with a SAS", 20);
    if (lower_.find("sv=") != std::string::npos) KeyValue("sig=", "SAS token signature", 20);
    Each("bearer ", true, [&](size_t p) {
      size_t n = policy::Run(s_, p + 7, [](char c) {
        return Alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
      });
      if (n >= 20) Hit("secrets.connection-string", "bearer token", p, 7 + n);
    });
  }

  void InternalHosts() {
    for (const std::string& host : policy_.internal_hosts) {
      std::string h = Lower(host);
      if (h.empty()) continue;
      Each(h, true, [&](size_t p) {
        if (p > 0 && HostChar(lower_[p - 1])) return;
        size_t e = p + h.size();
        if (e < lower_.size() && HostChar(lower_[e])) return;
        if (e + 1 < lower_.size() && lower_[e] == '.' && HostChar(lower_[e + 1])) return;
        Hit("secrets.internal-host", "internal host name", p, h.size());
      });
    }
  }

  void Classification() {
    for (const std::string& word : policy_.classification_words) {
      std::string w = Lower(word);
      if (w.empty()) continue;
      bool found = false;
      Each(w, true, [&](size_t p) {
        if (found || (p > 0 && Alnum(lower_[p - 1]))) return;
        if (p + w.size() < lower_.size() && Alnum(lower_[p + w.size()])) return;
        found = true;
        Hit("secrets.classification", "classification marking", p, w.size());
      });
    }
  }

  void Emails() {
    auto local_char = [](char c) { return Alnum(c) || std::string_view("._%+-").find(c) != std::string_view::npos; };
    Each("@", false, [&](size_t p) {
      size_t b = p;
      while (b > 0 && local_char(s_[b - 1])) --b;
      if (b == p) return;
      if (b >= 2 && s_.substr(b - 2, 2) == "//") return;  // URL user-info
      size_t n = policy::Run(lower_, p + 1, [](char c) { return HostChar(c) || c == '.'; });
      std::string_view domain = std::string_view(lower_).substr(p + 1, n);
      while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) domain.remove_suffix(1);
      size_t dot = domain.rfind('.');
      if (dot == std::string_view::npos) return;
      std::string_view tld = domain.substr(dot + 1);
      if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), LowerC)) return;
      size_t after = p + 1 + domain.size();
      if (after < s_.size() && s_[after] == ':') return;  // scp-style git@host:owner/repo
      for (const std::string& allowed : policy_.allowed_email_domains) {
        std::string a = Lower(allowed);
        if (domain == a || (domain.size() > a.size() && domain.ends_with(a) &&
                            domain[domain.size() - a.size() - 1] == '.'))
          return;
      }
      Hit("secrets.email", "e-mail address", b, after - b);
    });
  }

  const Policy& policy_;
  std::string_view s_;
  std::string lower_;
  std::vector<SecretFinding> out_;
};

}  // namespace

std::vector<SecretFinding> ScanString(const Policy& policy, std::string_view text) {
  if (text.size() < 4) return {};
  return Scanner(policy, text).Run();
}

}  // namespace mcpreg::policy
