#include "mcp/jsonrpc.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <cstring>
#include <memory>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/json_out.h"

namespace mcpreg::mcp {
namespace {

bool IsRawKey(std::string_view key) { return key.substr(0, kRawPrefix.size()) == kRawPrefix; }


namespace bj = boost::json;

ParseFailure Fail(int code, std::string message, bj::value id = nullptr) {
  return ParseFailure{RpcError{code, std::move(message), nullptr}, std::move(id)};
}

bool ValidId(const bj::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace

std::variant<Message, ParseFailure> ParseMessage(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Fail(kInvalidRequest, "Message too large: " + std::to_string(text.size()) +
                                     " bytes (limit " + std::to_string(limits.max_bytes) + ")");
  }
  bj::parse_options opts;
  opts.max_depth = limits.max_depth;
  boost::system::error_code ec;
  // One arena per message: the parsed tree costs a couple of allocations however many members
  // it has, and is freed at once. The params keep the arena alive (shared storage) for as long
  // as anything uses them.
  bj::value v = bj::parse(text, ec, bj::make_shared_resource<bj::monotonic_resource>(), opts);
  if (ec) {
    if (ec == bj::error::too_deep) {
      return Fail(kParseError, "Parse error: JSON nested deeper than " +
                                   std::to_string(limits.max_depth) + " levels");
    }
    return Fail(kParseError, "Parse error: " + ec.message());
  }
  if (v.is_array()) return Fail(kInvalidRequest, "Invalid Request: batches are not supported");
  if (!v.is_object()) return Fail(kInvalidRequest, "Invalid Request: message must be an object");
  bj::object& o = v.as_object();

  bj::value id = nullptr;
  bool has_id = false;
  if (auto* p = o.if_contains("id")) {
    has_id = true;
    if (ValidId(*p)) id = *p;
  }
  auto* version = o.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->as_string() != "2.0") {
    return Fail(kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"", id);
  }
  if (has_id && !ValidId(o.at("id"))) {
    return Fail(kInvalidRequest, "Invalid Request: \"id\" must be a string or an integer");
  }

  Message m;
  if (auto* method = o.if_contains("method")) {
    if (!method->is_string() || method->as_string().empty()) {
      return Fail(kInvalidRequest, "Invalid Request: \"method\" must be a non-empty string", id);
    }
    m.method = std::string(method->as_string());
    if (auto* params = o.if_contains("params"); params && !params->is_null()) {
      if (!params->is_object()) {
        return Fail(kInvalidRequest, "Invalid Request: \"params\" must be an object", id);
      }
      // Move-construct (not assign): the params keep the arena's storage instead of being
      // copied into the default one.
      std::destroy_at(&m.params);
      std::construct_at(&m.params, std::move(*params));
    }
    m.kind = has_id ? MessageKind::kRequest : MessageKind::kNotification;
    m.id = std::move(id);
    return m;
  }

  // A response (to a server-initiated request).
  auto* result = o.if_contains("result");
  auto* error = o.if_contains("error");
  if (!has_id || (result != nullptr) == (error != nullptr)) {
    return Fail(kInvalidRequest,
                "Invalid Request: expected \"method\", or \"id\" with exactly one of "
                "\"result\"/\"error\"",
                id);
  }
  m.kind = MessageKind::kResponse;
  m.id = std::move(id);
  if (result) {
    m.result = std::move(*result);
  } else {
    if (!error->is_object()) return Fail(kInvalidRequest, "Invalid Request: bad \"error\"", m.id);
    RpcError e;
    const bj::object& eo = error->as_object();
    if (auto* c = eo.if_contains("code"); c && c->is_int64()) e.code = int(c->as_int64());
    if (auto* msg = eo.if_contains("message"); msg && msg->is_string()) {
      e.message = std::string(msg->as_string());
    }
    if (auto* d = eo.if_contains("data")) e.data = *d;
    m.error = std::move(e);
  }
  return m;
}

namespace {

// The text copy of a large tool result is JSON text written again as a JSON string. The text
// is valid JSON (we produced or parsed it), so the only characters to escape are '"', '\\' and
// the whitespace '\n', '\r', '\t' between tokens, each in two bytes. It is the bulk of the
// response and a quote comes every ~10 bytes, so the scan looks at 16 bytes at a time (SSE2,
// baseline on x86-64) and copies the runs between specials with overlapping 16-byte stores.
bool IsSpecial(char c) { return c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t'; }

char* PutEscape(char* d, char c) {
  *d++ = '\\';
  *d++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c;
  return d;
}

#if defined(__SSE2__)
// 0xFF in each byte of the 16 at `p` that is one of the five specials.
inline __m128i SpecialBytes(const char* p) {
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
                                _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'))),
                   _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'))));
}
// Bit i set when p[i] is one of the five specials.
inline unsigned SpecialMask(const char* p) { return unsigned(_mm_movemask_epi8(SpecialBytes(p))); }
#endif

// Number of bytes of `text` written as the inside of a JSON string (no quotes).
size_t EscapedSize(const char* text, size_t size) {
  size_t extra = 0, i = 0;
#if defined(__SSE2__)
  // Per-byte counters (subtracting the 0xFF matches), summed before they can wrap.
  while (i + 16 <= size) {
    __m128i counts = _mm_setzero_si128();
    for (int n = 0; n < 255 && i + 16 <= size; ++n, i += 16) {
      counts = _mm_sub_epi8(counts, SpecialBytes(text + i));
    }
    __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    extra += size_t(_mm_cvtsi128_si32(sums)) + size_t(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; i < size; ++i) extra += IsSpecial(text[i]);
  return size + extra;
}

// Writes the escaped `text` at `d`, which has room for exactly EscapedSize(text, size) bytes;
// returns the end.
char* WriteEscaped(char* d, const char* text, size_t size) {
  const char* p = text;
  const char* end = text + size;
#if defined(__SSE2__)
  // Loads stay inside the input and stores inside the output: with 32 input bytes left from
  // the block, at least 17 remain from any position in it, each becoming at least one output
  // byte. Bytes stored past a special are rewritten by what follows.
  while (end - p >= 32) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned m = SpecialMask(p);
    if (m == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d), x);
      d += 16;
      p += 16;
      continue;
    }
    size_t done = 0;  // bytes of this block consumed
    do {
      size_t at = size_t(__builtin_ctz(m));
      // Run p[done, at): one store of the block from `done` covers it (and overshoots).
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done)));
      d += at - done;
      d = PutEscape(d, p[at]);
      done = at + 1;
      m &= m - 1;
    } while (m != 0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done)));
    d += 16 - done;  // the rest of the block, free of specials
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (IsSpecial(*p)) {
      d = PutEscape(d, *p);
    } else {
      *d++ = *p;
    }
  }
  return d;
}

// Appends JSON text `text` as a JSON string (see above); `inner` is EscapedSize(text, size).
// REQUIRES: `text` is valid JSON.
void AppendJsonTextAsString(std::string& out, const char* text, size_t size, size_t inner) {
  size_t pos = out.size();
  out.resize(pos + inner + 2);
  char* d = out.data() + pos;
  *d++ = '"';
  d = WriteEscaped(d, text, size);
  *d = '"';
}

// True when `content` is the single text block RawStructuredToolResult made from `raw`.
bool IsTextCopyOf(const bj::value& content, std::string_view raw) {
  const bj::array* a = content.if_array();
  if (!a || a->size() != 1 || !(*a)[0].is_object()) return false;
  const bj::object& block = (*a)[0].as_object();
  const bj::value* text = block.if_contains("text");
  return block.size() == 2 && text && text->is_string() && text->as_string() == raw;
}

}  // namespace

std::string EncodeResult(const bj::value& id, const bj::value& result,
                         std::string_view trailing_members) {
  std::string out;
  out.reserve(64);
  out += R"({"jsonrpc":"2.0","id":)";
  json::AppendValue(out, id);
  out += R"(,"result":)";
  const bj::object* obj = result.if_object();
  // Raw members (kRawPrefix): spliced verbatim. The buffer is sized once for everything (a
  // reallocation of a ~100 KB string costs a copy and, with glibc's mmap threshold, fresh pages
  // to fault in).
  const bj::value* raw_structured = nullptr;
  size_t raw_bytes = 0;
  if (obj) {
    for (const auto& [key, value] : *obj) {
      if (!IsRawKey(key) || !value.is_string()) continue;
      raw_bytes += value.as_string().size();
      if (key == kRawStructuredKey) raw_structured = &value;
    }
  }
  if (raw_bytes == 0 && !raw_structured) {
    json::AppendValue(out, result);
    if (!trailing_members.empty() && obj) {
      out.pop_back();  // the object's '}'
      if (!obj->empty()) out += ',';
      out.append(trailing_members);
      out += '}';
    }
    out += '}';
    return out;
  }
  size_t inner = 0;
  if (raw_structured) {
    const bj::string& t = raw_structured->as_string();
    inner = EscapedSize(t.data(), t.size());
  }
  out.reserve(out.size() + raw_bytes + inner + trailing_members.size() + 1024);
  out += '{';
  bool first = true;
  for (const auto& [key, value] : *obj) {
    if (!first) out += ',';
    first = false;
    if (IsRawKey(key) && value.is_string()) {
      json::AppendString(out, key.substr(kRawPrefix.size()));
      out += ':';
      out.append(value.as_string().data(), value.as_string().size());
      continue;
    }
    if (raw_structured && (key == kTextCopyKey ||
                           (key == "content" && IsTextCopyOf(value, raw_structured->as_string())))) {
      const bj::string& t = raw_structured->as_string();
      out += R"("content":[{"type":"text","text":)";
      AppendJsonTextAsString(out, t.data(), t.size(), inner);
      out += "}]";
      continue;
    }
    json::AppendString(out, key);
    out += ':';
    json::AppendValue(out, value);
  }
  if (!trailing_members.empty()) {
    if (!first) out += ',';
    out.append(trailing_members);
  }
  out += "}}";
  return out;
}

std::string EncodeError(const bj::value& id, const RpcError& error) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Value(id);
  w.Key("error").BeginObject().Key("code").Int(error.code).Key("message").String(error.message);
  if (!error.data.is_null()) w.Key("data").Value(error.data);
  w.EndObject().EndObject();
  return out;
}

std::string EncodeNotification(std::string_view method, const bj::value& params) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("method").String(method);
  if (!params.is_null()) w.Key("params").Value(params);
  w.EndObject();
  return out;
}

std::string EncodeRequest(const bj::value& id, std::string_view method, const bj::value& params) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Value(id).Key("method").String(method);
  if (!params.is_null()) w.Key("params").Value(params);
  w.EndObject();
  return out;
}

}  // namespace mcpreg::mcp
