// Health and reference-data routes.
#include "http/public_routes.h"

#include "common/code_tables.h"

namespace linli::http {

void AddPublicRoutes(Router& router, const ServiceInfo& info) {
  router.Add({"GET", "/api/v1/health", "public", [info](Context&) {
                return Data({{"status", "ok"}, {"engine", info.engine}, {"schema_version", info.schema_version}});
              }});
  router.Add({"GET", "/api/v1/error_codes", "public", [](Context&) {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& e : AllErrors())
                  arr.push_back({{"code", static_cast<int>(e.code)}, {"name", std::string(e.name)},
                                 {"http_status", e.http_status}, {"message", std::string(e.message_template)}});
                return Data(arr);
              }});
  auto table_json = [](const CodeTable& t) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& i : t.items()) items.push_back({{"code", i.code}, {"label", i.label}});
    return nlohmann::json{{"key", t.key()}, {"title", t.title()}, {"items", items}};
  };
  router.Add({"GET", "/api/v1/code_tables", "public", [table_json](Context&) {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& t : CodeTables::Get().all()) arr.push_back(table_json(t));
                return Data(arr);
              }});
  router.Add({"GET", "/api/v1/code_tables/{key}", "public", [table_json](Context& ctx) {
                const CodeTable* t = CodeTables::Get().Find(ctx.request.path_params["key"]);
                if (!t) return ErrorResponse(Error(ErrorCode::kNotFound, {{"what", "代码表"}, {"key", ctx.request.path_params["key"]}}));
                return Data(table_json(*t));
              }});
}

}  // namespace linli::http
