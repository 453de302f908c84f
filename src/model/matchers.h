// Hand-written, linear-time matchers for the fixed patterns of the server.json rules (they
// replace upstream's regular expressions, which the C++ standard library's backtracking engine
// ran with one stack frame per input character, so a long input crashed the process). Each
// function accepts exactly what the regex named in its comment accepts, with
// `\s` = " \t\n\v\f\r", `\d` = [0-9], `\w` = [A-Za-z0-9_] (ASCII, as upstream's Go RE2 and the
// previous engine in the "C" locale read them). All run in O(length) time and O(1) extra
// space, so any input size is safe; callers still cap lengths so messages stay short.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace mcpreg::model {

// ^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$  (the namespace part of a server name)
bool IsServerNamespace(std::string_view s);
// ^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$  (the name part of a server name)
bool IsServerNamePart(std::string_view s);

// True when `version` (surrounding whitespace ignored) reads as a version range rather than one
// version: one of, with V = v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?,
//   ^\s*(\^|~|>=|<=|>|<|=)\s*V\s*$          ("^1.2", ">= 2")
//   ^\s*V\s-\s*V\s*$                          ("1.0 - 2.0")
//   ^\s*V\s*(\|\|\s*V\s*)+$                   ("1 || 2")
//   ^\s*(v?\d+|x|X|\*)(\.(\d+|x|X|\*)){1,2}(-[0-9A-Za-z.-]+)?\s*$ containing x, X or *
//                                             ("1.x", "2.*")
bool LooksLikeVersionRange(std::string_view version);

// ^https?://(www\.)?github\.com/[\w.-]+/[\w.-]+/?$
bool IsGithubRepoUrl(std::string_view url);
// ^https?://(www\.)?gitlab\.com/[\w.-]+(/[\w.-]+)+/?$   (subgroups allowed)
bool IsGitlabRepoUrl(std::string_view url);
// ^[a-zA-Z0-9\-_./]+$
bool HasOnlySubfolderChars(std::string_view path);

// A grant's namespace pattern:
// ^NS(/(\*|PART)|\.\*)$ with NS = IsServerNamespace and PART = IsServerNamePart
// ("com.contoso/*", "com.contoso/weather", "com.contoso.*").
bool IsNamespacePatternSyntax(std::string_view p);

}  // namespace mcpreg::model
