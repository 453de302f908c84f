// A JSON Schema (draft-07) validator: a schema document is compiled once into an immutable tree,
// which then validates any number of instances and reports every violation.
//
// Supported keywords: type, enum, const, properties, required, additionalProperties,
// patternProperties, propertyNames, minProperties/maxProperties, dependencies, items (schema and
// tuple form) with additionalItems, contains, minItems/maxItems, uniqueItems, minLength/maxLength
// (Unicode code points), pattern (ECMAScript syntax translated to RE2 and compiled once: linear
// time, no lookaround or backreferences; see ecma_regex.h),
// minimum/maximum/exclusiveMinimum/exclusiveMaximum (draft-07 numeric form), multipleOf, $ref
// (local "#..." JSON pointers only; siblings of $ref are ignored as draft-07 says), allOf, anyOf,
// oneOf, not, if/then/else, boolean schemas, and format "uri" / "uri-reference" judged the way
// ajv-formats (full mode) judges them. Unknown keywords and formats are ignored; annotations
// (title, description, default, examples, ...) have no effect.
//
// Hostile input: a string is measured before it is matched. One longer than its maxLength gets
// the maxLength error only; one longer than kMaxMatchedStringBytes gets an error on its
// pattern/format keyword ("is too long to check") instead of being matched, and an object key
// that long matches no patternProperties. Recursion follows the instance's nesting, which the
// caller bounds when parsing (boost::json's max_depth).
//
// Thread-safety: a compiled JsonSchema is immutable; Validate() may run concurrently.
#pragma once

#include <boost/json/fwd.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::schema {

// One violation. `instance_path` uses the official registry's notation (`packages[0].url`, the
// document root is ""); `keyword_location` is the absolute location of the failing keyword in the
// schema document as a URI fragment (`#/definitions/Package/properties/version/minLength`).
struct SchemaError {
  std::string instance_path;
  std::string keyword_location;
  std::string message;
};

// Longest string (in bytes) that `pattern`, `patternProperties` and `format` are applied to.
inline constexpr size_t kMaxMatchedStringBytes = 64 * 1024;

class JsonSchema {
 public:
  // Compiles `schema_doc`. Returns InvalidArgument naming the schema location when the document
  // is not a valid schema for the supported keywords (wrong keyword types, a bad regex, a $ref
  // that does not resolve inside the document).
  static Result<std::shared_ptr<const JsonSchema>> Compile(const boost::json::value& schema_doc);
  // Convenience: parses `schema_text` as JSON first.
  static Result<std::shared_ptr<const JsonSchema>> Compile(std::string_view schema_text);

  // Every violation of `instance`, in document order of the schema walk; empty when valid.
  // For anyOf/oneOf failures the error on the combinator is followed by the errors of the
  // alternative that came closest (fewest errors), so messages point at the real field.
  std::vector<SchemaError> Validate(const boost::json::value& instance) const;
  bool IsValid(const boost::json::value& instance) const;

  ~JsonSchema();
  struct Impl;

 private:
  explicit JsonSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Format checks, exposed for tests and for semantic rules that want the same judgement.
// IsUri: an absolute URI per RFC 3986 as ajv-formats' full "uri" format accepts it (ASCII only,
// scheme required, authority/path/query/fragment character sets, IPv6 literals).
bool IsUri(std::string_view s);
// IsUriReference: an absolute URI or a relative reference (RFC 3986 §4.1).
bool IsUriReference(std::string_view s);

// Number of Unicode code points in UTF-8 `s` (invalid bytes count one each).
size_t CodePointLength(std::string_view s);

}  // namespace mcpreg::schema
