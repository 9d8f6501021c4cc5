// Declared shapes of JSON request bodies: every accepted field with its type, whether it is
// required and its maximum length. Bodies are checked against their shape before any handler
// sees them; unknown fields are rejected, so a client cannot smuggle in a column name.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/api.h"

namespace linli::http {

enum class FieldKind { kString, kInteger, kBoolean, kStringList };

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::kString;
  bool required = false;
  size_t max_length = 200;  // characters, for strings and list items
};

struct Shape {
  std::vector<FieldSpec> fields;
};

// Parses `body` as a JSON object conforming to `shape`. On failure returns kHttpBadJson (not JSON,
// not an object) or kHttpInvalidBody with one FieldError per problem in `field_errors`.
Result<nlohmann::json> ParseBody(const std::string& body, const Shape& shape, std::vector<FieldError>* field_errors);

}  // namespace linli::http
