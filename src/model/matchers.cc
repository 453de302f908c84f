// The matchers walk the input once, left to right. Where a regex has a choice (how many
// `\.\d+` groups, where a `[...]+` run ends), the character that must follow is never one the
// choice could consume, so taking the longest run is the only way to match: that is why a
// single greedy pass gives the regex's answer.
#include "model/matchers.h"

namespace mcpreg::model {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }  // \w
bool IsSpace(char c) {                                      // \s
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
// [0-9A-Za-z.-]: every character a version (with its pre-release suffix) may hold.
bool IsVersionChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }
bool IsRepoSegmentChar(char c) { return IsWordChar(c) || c == '.' || c == '-'; }  // [\w.-]

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}
size_t SkipDigits(std::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}
size_t SkipVersionChars(std::string_view s, size_t i) {
  while (i < s.size() && IsVersionChar(s[i])) ++i;
  return i;
}
bool AllSpaces(std::string_view s, size_t i) { return SkipSpaces(s, i) == s.size(); }

// ^[a-zA-Z0-9] middle* [a-zA-Z0-9]$
template <typename Middle>
bool AlnumEnds(std::string_view s, Middle middle) {
  if (s.size() < 2 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (size_t i = 1; i + 1 < s.size(); ++i)
    if (!IsAlnum(s[i]) && !middle(s[i])) return false;
  return true;
}

// Whole `t` is V = v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?, given every char of t is a version char.
bool IsVersionToken(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && t[i] == 'v') ++i;
  size_t digits = SkipDigits(t, i);
  if (digits == i) return false;
  i = digits;
  for (int groups = 0; groups < 3 && i + 1 < t.size() && t[i] == '.' && IsDigit(t[i + 1]); ++groups)
    i = SkipDigits(t, i + 1);
  if (i == t.size()) return true;
  return t[i] == '-' && i + 1 < t.size();  // the rest is [0-9A-Za-z.-]+ by construction
}

// Matches \s*V at `i`; on success sets `i` just past V.
bool SpacesThenVersion(std::string_view s, size_t& i) {
  size_t begin = SkipSpaces(s, i);
  size_t end = SkipVersionChars(s, begin);
  if (!IsVersionToken(s.substr(begin, end - begin))) return false;
  i = end;
  return true;
}

// ^\s*(\^|~|>=|<=|>|<|=)\s*V\s*$
bool IsComparatorRange(std::string_view s) {
  size_t i = SkipSpaces(s, 0);
  if (i == s.size()) return false;
  char c = s[i];
  if (c == '^' || c == '~' || c == '=') {
    ++i;
  } else if (c == '>' || c == '<') {
    ++i;
    if (i < s.size() && s[i] == '=') ++i;
  } else {
    return false;
  }
  return SpacesThenVersion(s, i) && AllSpaces(s, i);
}

// ^\s*V\s-\s*V\s*$
bool IsHyphenRange(std::string_view s) {
  size_t i = 0;
  if (!SpacesThenVersion(s, i)) return false;
  if (i + 1 >= s.size() || !IsSpace(s[i]) || s[i + 1] != '-') return false;
  i += 2;
  return SpacesThenVersion(s, i) && AllSpaces(s, i);
}

// ^\s*V\s*(\|\|\s*V\s*)+$
bool IsOrRange(std::string_view s) {
  size_t i = 0;
  if (!SpacesThenVersion(s, i)) return false;
  i = SkipSpaces(s, i);
  int alternatives = 0;
  while (i < s.size()) {
    if (s.substr(i, 2) != "||") return false;
    i += 2;
    if (!SpacesThenVersion(s, i)) return false;
    i = SkipSpaces(s, i);
    ++alternatives;
  }
  return alternatives >= 1;
}

// ^\s*(v?\d+|x|X|\*)(\.(\d+|x|X|\*)){1,2}(-[0-9A-Za-z.-]+)?\s*$
bool IsWildcardShape(std::string_view s) {
  auto wild = [](char c) { return c == 'x' || c == 'X' || c == '*'; };
  size_t i = SkipSpaces(s, 0);
  if (i < s.size() && wild(s[i])) {
    ++i;
  } else {
    if (i < s.size() && s[i] == 'v') ++i;
    size_t end = SkipDigits(s, i);
    if (end == i) return false;
    i = end;
  }
  int groups = 0;
  for (; groups < 2 && i + 1 < s.size() && s[i] == '.'; ++groups) {
    if (wild(s[i + 1])) {
      i += 2;
    } else if (IsDigit(s[i + 1])) {
      i = SkipDigits(s, i + 1);
    } else {
      break;
    }
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '-') {
    size_t end = SkipVersionChars(s, i + 1);
    if (end == i + 1) return false;
    i = end;
  }
  return AllSpaces(s, i);
}

// Strips ^https?://(www\.)?HOST/ ; returns false when `url` does not start that way.
bool StripRepoPrefix(std::string_view& url, std::string_view host_slash) {
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return false;
  }
  if (url.starts_with("www.")) url.remove_prefix(4);
  if (!url.starts_with(host_slash)) return false;
  url.remove_prefix(host_slash.size());
  return true;
}

// [\w.-]+(/[\w.-]+)* with the number of segments in [min, max].
bool RepoSegments(std::string_view path, size_t min, size_t max) {
  size_t count = 0, run = 0;
  for (char c : path) {
    if (c == '/') {
      if (run == 0) return false;
      ++count;
      run = 0;
    } else if (IsRepoSegmentChar(c)) {
      ++run;
    } else {
      return false;
    }
  }
  if (run == 0) return false;
  ++count;
  return count >= min && count <= max;
}

}  // namespace

bool IsServerNamespace(std::string_view s) {
  return AlnumEnds(s, [](char c) { return c == '.' || c == '-'; });
}

bool IsServerNamePart(std::string_view s) {
  return AlnumEnds(s, [](char c) { return c == '.' || c == '_' || c == '-'; });
}

bool LooksLikeVersionRange(std::string_view version) {
  size_t b = version.find_first_not_of(" \t\n\v\f\r");
  if (b == std::string_view::npos) return false;
  std::string_view t = version.substr(b, version.find_last_not_of(" \t\n\v\f\r") - b + 1);
  if (IsComparatorRange(t) || IsHyphenRange(t) || IsOrRange(t)) return true;
  return IsWildcardShape(t) && t.find_first_of("xX*") != std::string_view::npos;
}

bool IsGithubRepoUrl(std::string_view url) {
  if (!StripRepoPrefix(url, "github.com/")) return false;
  if (url.ends_with('/')) url.remove_suffix(1);
  return RepoSegments(url, 2, 2);
}

bool IsGitlabRepoUrl(std::string_view url) {
  if (!StripRepoPrefix(url, "gitlab.com/")) return false;
  if (url.ends_with('/')) url.remove_suffix(1);
  return RepoSegments(url, 2, std::string_view::npos);
}

bool HasOnlySubfolderChars(std::string_view path) {
  if (path.empty()) return false;
  for (char c : path)
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.' && c != '/') return false;
  return true;
}

bool IsNamespacePatternSyntax(std::string_view p) {
  if (p.ends_with(".*")) return IsServerNamespace(p.substr(0, p.size() - 2));
  size_t slash = p.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view rest = p.substr(slash + 1);
  return IsServerNamespace(p.substr(0, slash)) && (rest == "*" || IsServerNamePart(rest));
}

}  // namespace mcpreg::model
