// The request/response model of the JSON API and its envelope.
//
// Success: {"data": …} (lists add {"page": {"limit", "offset", "total"}}); failure:
// {"error": {"code", "name", "message" (Chinese), "params", "fields":
// [{"field","code","message"}]}} with the HTTP status of the error's registry entry. Handlers never
// build envelopes by hand.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace linli::http {

struct Request {
  std::string method;                              // "GET"
  std::string target;                              // "/api/v1/persons?limit=20"
  std::string path;                                // "/api/v1/persons", percent-decoded
  std::map<std::string, std::string> query;        // decoded
  std::map<std::string, std::string> path_params;  // from the route pattern
  std::map<std::string, std::string> headers;      // lower-case names
  std::string body;
  std::string client_ip;
  std::string Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One field's problem in a request body (or query), for form messages shown at the field.
struct FieldError {
  std::string field;
  Status status;
};

Response Data(const nlohmann::json& data, int status = 200);
Response Page(const nlohmann::json& items, int64_t limit, int64_t offset, int64_t total);
Response ErrorResponse(const Status& status, const std::vector<FieldError>& fields = {});
// A file to download: `name` (any characters) in filename* (RFC 5987), `ascii_name` for clients
// that only read filename.
Response FileDownload(std::string bytes, const std::string& content_type,
                      const std::string& ascii_name, const std::string& name);

// Splits "/a/b?x=1&y=%E4%B8%AD" into path and decoded query; false on malformed escapes.
bool ParseTarget(const std::string& target, std::string* path,
                 std::map<std::string, std::string>* query);

}  // namespace linli::http
