// JsonOut: a small append-only JSON writer producing the exact bytes Go's encoding/json emits
// (with SetEscapeHTML(false), as the official registry's Huma encoder does): strings keep UTF-8
// as is, escape `"` `\\` \n \r \t and other control characters as \u00XX, always escape U+2028
// and U+2029, and replace invalid UTF-8 with U+FFFD. Wire compatibility with upstream depends on
// this, so every response body is written through it.
//
// Not thread-safe; one writer per output buffer. Callers are responsible for structure (commas
// are inserted automatically between members/elements).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::json {

// Appends `s` as a quoted JSON string to `out`.
void AppendString(std::string& out, std::string_view s);
// Appends a Go-formatted float64 (shortest repr; exponent form below 1e-6 / from 1e21).
void AppendNumber(std::string& out, double d);
// Appends `v` re-encoded the way Go encodes map[string]interface{}: object keys sorted
// bytewise, numbers as float64.
void AppendGoValue(std::string& out, const boost::json::value& v);
// Appends `v` in its own key order (boost::json keeps insertion order).
void AppendValue(std::string& out, const boost::json::value& v);

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& BeginObject() { Sep(); out_ += '{'; first_.push_back(true); return *this; }
  JsonOut& EndObject() { out_ += '}'; first_.pop_back(); return *this; }
  JsonOut& BeginArray() { Sep(); out_ += '['; first_.push_back(true); return *this; }
  JsonOut& EndArray() { out_ += ']'; first_.pop_back(); return *this; }
  // Object member key; the next value call writes its value.
  JsonOut& Key(std::string_view k) { Sep(); AppendString(out_, k); out_ += ':'; pending_ = true; return *this; }
  JsonOut& String(std::string_view s) { Sep(); AppendString(out_, s); return *this; }
  JsonOut& Bool(bool b) { Sep(); out_ += b ? "true" : "false"; return *this; }
  JsonOut& Int(int64_t i) { Sep(); out_ += std::to_string(i); return *this; }
  JsonOut& Null() { Sep(); out_ += "null"; return *this; }
  JsonOut& Value(const boost::json::value& v) { Sep(); AppendValue(out_, v); return *this; }
  // Pre-encoded JSON text, inserted verbatim.
  JsonOut& Raw(std::string_view json) { Sep(); out_ += json; return *this; }

  // Convenience: optional members, omitted when empty (Go's omitempty).
  JsonOut& StringIf(std::string_view k, std::string_view v) { if (!v.empty()) Key(k).String(v); return *this; }
  JsonOut& BoolIf(std::string_view k, bool v) { if (v) Key(k).Bool(true); return *this; }

 private:
  void Sep() {
    if (pending_) { pending_ = false; return; }
    if (first_.empty()) return;
    if (first_.back()) first_.back() = false; else out_ += ',';
  }
  std::string& out_;
  std::vector<bool> first_;
  bool pending_ = false;
};

}  // namespace mcpreg::json
