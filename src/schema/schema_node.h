// Internal to src/schema: the compiled form of one (sub)schema. Built by schema_compile.cc,
// walked by schema_validate.cc. Nodes are owned by JsonSchema::Impl and point at each other
// (a $ref is a pointer to the shared node of its target, so recursive schemas are fine).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/ecma_regex.h"
#include "schema/json_schema.h"

namespace mcpreg::schema {

enum TypeBit : uint8_t {
  kNull = 1, kBoolean = 2, kObject = 4, kArray = 8, kNumber = 16, kString = 32, kInteger = 64,
};

struct Node {
  std::string location;  // "#/definitions/Package" (URI-fragment form of a JSON pointer)

  // Boolean schema (`true` / `false`), or an object schema when !is_bool.
  bool is_bool = false;
  bool bool_value = true;

  const Node* ref = nullptr;  // $ref: when set, every other keyword is ignored (draft-07)

  uint8_t types = 0;  // 0 = no "type" keyword
  std::optional<boost::json::array> enum_values;
  std::optional<boost::json::value> const_value;

  // Strings.
  std::optional<size_t> min_length, max_length;
  std::optional<Pattern> pattern;
  std::string format;

  // Numbers.
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

  // Objects.
  std::vector<std::pair<std::string, const Node*>> properties;
  std::vector<std::pair<Pattern, const Node*>> pattern_properties;
  const Node* additional_properties = nullptr;
  std::vector<std::string> required;
  const Node* property_names = nullptr;
  std::optional<size_t> min_properties, max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependency_lists;
  std::vector<std::pair<std::string, const Node*>> dependency_schemas;

  // Arrays.
  const Node* items = nullptr;               // single-schema form
  std::vector<const Node*> tuple_items;      // array form
  bool has_tuple_items = false;
  const Node* additional_items = nullptr;    // only with the tuple form
  const Node* contains = nullptr;
  std::optional<size_t> min_items, max_items;
  bool unique_items = false;

  // Combinators and conditionals.
  std::vector<const Node*> all_of, any_of, one_of;
  const Node* not_schema = nullptr;
  const Node *if_schema = nullptr, *then_schema = nullptr, *else_schema = nullptr;
};

struct JsonSchema::Impl {
  boost::json::value doc;
  std::deque<Node> nodes;  // stable addresses
  const Node* root = nullptr;
};

// Helpers shared by compile and validate.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b);
// Appends a JSON-pointer token to a URI-fragment location ("~" and "/" escaped, and the
// characters a fragment cannot hold percent-encoded).
std::string AppendLocation(const std::string& base, std::string_view token);

}  // namespace mcpreg::schema
