// Imports (upload → preview → confirm → downloadable error report) and exports over HTTP.
//
// An upload is kept in memory (never in a temporary file: it holds clear ID numbers) under a
// random id, owned by the user who sent it, until it is confirmed, replaced by the user's newer
// uploads (at most kMaxPendingPerUser each) or the server stops; the preview is the import's own
// dry run, so it reports exactly what the confirmation will do. Exports are written to a private
// temporary file (masked), sent, and removed at once.
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "common/hash.h"
#include "common/text.h"
#include "http/json_views.h"
#include "http/shape.h"
#include "io/sheet.h"
#include "registry/columns.h"
#include "registry/export.h"
#include "registry/import.h"

namespace linli::http {
namespace {

using audit::AuditAction;
using nlohmann::json;

constexpr size_t kMaxPendingPerUser = 3;

struct PendingImport {
  std::string bytes, file_name;
  int64_t created = 0;  // order of arrival
  int64_t user_id = 0, community_id = 0;
  std::string community_code;
  json preview;
  bool done = false;
};

std::mutex g_imports_mu;
std::map<std::string, PendingImport>& Imports() {
  static std::map<std::string, PendingImport> m;
  return m;
}

std::string RandomId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

// The pending import of the path id, if it belongs to the caller.
std::optional<PendingImport> FindImport(RequestState& st, const std::string& id) {
  std::lock_guard<std::mutex> lock(g_imports_mu);
  auto it = Imports().find(id);
  if (it == Imports().end() || it->second.user_id != st.user().id) return std::nullopt;
  return it->second;
}

std::string CsvCell(const std::string& s) {
  std::string out = "\"";
  // A leading = + - @ would be a formula in Excel: prefix a quote.
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) out += '\'';
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The cells of the rejected rows and of the header row, as the file has them, so that the wizard
// shows each rejected row with its bad cells highlighted whatever the format (.xlsx, .xls, CSV in
// any encoding). ID numbers and phones (columns whose header names a sensitive column) are masked
// like every report of the API. At most kMaxRows rows.
void AttachRejectedCells(json& preview, std::string_view bytes, const std::string& file_name) {
  constexpr size_t kMaxRows = 500;
  auto sheet = io::ReadSheetFromMemory(bytes, file_name);
  if (!sheet.ok()) return;
  int header_row = preview.value("header_row", 0);
  if (header_row < 1 || static_cast<size_t>(header_row) > sheet->rows.size()) return;
  const auto& cols = registry::RegistryColumns();
  std::vector<const registry::ColumnDecl*> sensitive;  // by column of the sheet
  json header = json::array();
  for (const auto& cell : sheet->rows[header_row - 1]) {
    auto k = registry::MatchHeader(cell.text);
    sensitive.push_back(k && registry::IsSensitive(cols[*k]) ? &cols[*k] : nullptr);
    header.push_back(cell.text);
  }
  std::set<int> rows;
  for (const auto& e : preview.value("errors", json::array())) {
    int row = e.value("row", 0);
    if (row > header_row && static_cast<size_t>(row) <= sheet->rows.size() &&
        rows.size() < kMaxRows)
      rows.insert(row);
  }
  json out = json::array();
  for (int row : rows) {
    json cells = json::array();
    const auto& r = sheet->rows[row - 1];
    for (size_t c = 0; c < r.size(); ++c) {
      const registry::ColumnDecl* decl = c < sensitive.size() ? sensitive[c] : nullptr;
      cells.push_back(decl && !r[c].text.empty() ? registry::MaskedValue(*decl, r[c].text)
                                                 : r[c].text);
    }
    out.push_back({{"row", row}, {"cells", cells}});
  }
  preview["header"] = header;
  preview["rows"] = out;
}

}  // namespace

std::string UploadFileName(const Request& request, const std::string& fallback) {
  auto it = request.query.find("file_name");
  if (it == request.query.end()) return fallback;
  std::string name = std::filesystem::path(it->second).filename().string();
  if (name.empty() || !IsValidUtf8(name)) return fallback;
  std::vector<std::string> chars = Utf8Chars(name);
  if (chars.size() <= 80) return name;
  std::string cut;
  for (size_t i = 0; i < 80; ++i) cut += chars[i];
  return cut;
}

std::string NewExportPath(const App& app) {
  std::string dir = app.options().export_dir;
  if (dir.empty())
    dir = (std::filesystem::temp_directory_path() / ("linli-exports-" + std::to_string(::getpid())))
              .string();
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return dir + "/" + RandomId() + ".xlsx";
}

void AddTransferRoutes(App& app, Router& router) {
  app.Add(
      router, "POST", "/api/v1/imports",
      [&app](Context& ctx) {
        RequestState& st = State(ctx);
        const auto& q = ctx.request.query;
        auto unit = st.UnitInScope(q.count("org_id") ? q.at("org_id") : "");
        if (!unit.ok()) return ErrorResponse(unit.status());
        if (unit->level != org::Level::kCommunity)
          return ErrorResponse(
              Error(ErrorCode::kOrgNotCommunity, {{"code", unit->code}, {"name", unit->name}}));
        if (ctx.request.body.empty())
          return ErrorResponse(Error(ErrorCode::kFieldRequired, {{"field", "文件"}}));
        std::string file_name = UploadFileName(ctx.request, "upload.xlsx");
        static std::atomic<int64_t> arrivals{0};
        PendingImport pending{ctx.request.body, file_name,  ++arrivals, st.user().id,
                              unit->id,         unit->code, json(),     false};
        registry::ImportOptions options{unit->code, file_name, true};
        auto report = registry::ImportRegistryBytes(st.db(), pending.bytes, options);
        if (!report.ok()) return ErrorResponse(report.status());
        std::string id = RandomId();
        pending.preview = registry::ReportToJson(*report);
        AttachRejectedCells(pending.preview, pending.bytes, file_name);
        audit::AuditEvent e = st.Event(AuditAction::kImport, "import", id, unit->id);
        e.details = {
            {"stage", "preview"},
            {"file_name", file_name},
            {"sha256", report->file_sha256},
            {"rows", report->imported + report->updated + report->unchanged + report->rejected}};
        Status s = st.Audit(e);
        if (!s.ok()) return ErrorResponse(s);
        json j = {{"id", id},
                  {"file_name", file_name},
                  {"org_id", unit->id},
                  {"status", "preview"},
                  {"report", pending.preview}};
        {
          std::lock_guard<std::mutex> lock(g_imports_mu);
          // The user's oldest uploads give way to the new one.
          std::vector<std::pair<int64_t, std::string>> mine;
          for (const auto& [key, p] : Imports())
            if (p.user_id == st.user().id) mine.emplace_back(p.created, key);
          std::sort(mine.begin(), mine.end());
          for (size_t i = 0; i + kMaxPendingPerUser <= mine.size(); ++i)
            Imports().erase(mine[i].second);
          Imports()[id] = std::move(pending);
        }
        return Data(j, 201);
      },
      /*long_running=*/true);

  app.Add(router, "GET", "/api/v1/imports/{id}", [](Context& ctx) {
    RequestState& st = State(ctx);
    std::string id = ctx.request.path_params["id"];
    auto p = FindImport(st, id);
    if (!p) return ErrorResponse(st.Denied("导入", "import", id, "not_found_or_not_own"));
    return Data({{"id", id},
                 {"file_name", p->file_name},
                 {"org_id", p->community_id},
                 {"status", p->done ? "imported" : "preview"},
                 {"report", p->preview}});
  });

  app.Add(
      router, "POST", "/api/v1/imports/{id}/confirm",
      [](Context& ctx) {
        RequestState& st = State(ctx);
        std::string id = ctx.request.path_params["id"];
        auto p = FindImport(st, id);
        if (!p) return ErrorResponse(st.Denied("导入", "import", id, "not_found_or_not_own"));
        if (p->done)
          return ErrorResponse(Error(ErrorCode::kConflict, {{"detail", "这个文件已经导入过了"}}));
        registry::ImportReport report;
        auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
          ASSIGN_OR_RETURN(report,
                           registry::ImportRegistryBytes(st.db(), p->bytes,
                                                         {p->community_code, p->file_name, false}));
          audit::AuditEvent e = st.Event(AuditAction::kImport, "import", id, p->community_id);
          e.details = {{"stage", "confirm"},           {"file_name", p->file_name},
                       {"sha256", report.file_sha256}, {"imported", report.imported},
                       {"updated", report.updated},    {"unchanged", report.unchanged},
                       {"rejected", report.rejected}};
          return e;
        });
        if (!record.ok()) return ErrorResponse(record.status());
        json j = registry::ReportToJson(report);
        {
          std::lock_guard<std::mutex> lock(g_imports_mu);
          auto& stored = Imports()[id];
          stored.done = true;
          stored.preview = j;
          stored.bytes.clear();
          stored.bytes.shrink_to_fit();
        }
        return Data({{"id", id},
                     {"file_name", p->file_name},
                     {"org_id", p->community_id},
                     {"status", "imported"},
                     {"report", j}});
      },
      /*long_running=*/true);

  app.Add(router, "GET", "/api/v1/imports/{id}/errors", [](Context& ctx) {
    RequestState& st = State(ctx);
    std::string id = ctx.request.path_params["id"];
    auto p = FindImport(st, id);
    if (!p) return ErrorResponse(st.Denied("导入", "import", id, "not_found_or_not_own"));
    std::string csv = "\xEF\xBB\xBF行号,列,列名,错误代码,原因\r\n";
    for (const auto& e : p->preview.value("errors", json::array()))
      csv += std::to_string(e.value("row", 0)) + "," + CsvCell(e.value("column_letter", "")) + "," +
             CsvCell(e.value("column", "")) + "," + std::to_string(e.value("code", 0)) + "," +
             CsvCell(e.value("message", "")) + "\r\n";
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(csv);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"import-errors.csv\"");
    return r;
  });

  app.Add(
      router, "POST", "/api/v1/exports",
      [&app](Context& ctx) {
        static const Shape kShape{{{"org_id", FieldKind::kInteger, true, 0},
                                   {"include_ended", FieldKind::kBoolean, false, 0}}};
        std::vector<FieldError> fields;
        auto body = ParseBody(ctx.request.body, kShape, &fields);
        if (!body.ok()) return ErrorResponse(body.status(), fields);
        RequestState& st = State(ctx);
        std::string org_id = std::to_string((*body)["org_id"].get<int64_t>());
        // A grid scope never exports (no export permission either): answer as for any other unit.
        auto unit =
            st.scope->grid_limited()
                ? Result<org::OrgUnit>(st.Denied("组织单位", "org_unit", org_id, "grid_scope"))
                : st.UnitInScope(org_id);
        if (!unit.ok()) return ErrorResponse(unit.status());
        registry::ExportOptions options;
        options.org_code = unit->code;
        options.out_path = NewExportPath(app);
        options.include_ended = body->value("include_ended", false);
        std::string role = st.role();
        options.transform = [role](const std::string& key, const std::string& value) {
          return MaskedFor(role, key, value);
        };
        auto result = registry::ExportRegistry(st.db(), options);
        if (!result.ok()) {
          std::filesystem::remove(options.out_path);
          return ErrorResponse(result.status());
        }
        std::ifstream in(options.out_path, std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        std::filesystem::remove(options.out_path);
        audit::AuditEvent e = st.Event(AuditAction::kExport, "registry", unit->code, unit->id);
        e.details = {{"rows", result->rows},
                     {"sha256", result->sha256},
                     {"include_ended", options.include_ended}};
        Status s = st.Audit(e);
        if (!s.ok()) return ErrorResponse(s);
        return FileDownload(buf.str(),
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "registry.xlsx", unit->name + "居民名册.xlsx");
      },
      /*long_running=*/true);
}

}  // namespace linli::http
