// Ledger import and export in the declared Excel layout.
#include "ledger/transfer.h"

#include <xlsxwriter.h>

#include <cstdlib>
#include <map>
#include <set>

#include "access/policy.h"
#include "common/hash.h"
#include "common/id_number.h"
#include "common/text.h"
#include "common/time_util.h"
#include "io/sheet.h"
#include "registry/columns.h"
#include "registry/person.h"

namespace linli::ledger {
namespace {

using nlohmann::json;

// The columns `role` may see (fields declared visible_to other roles are left out).
std::vector<const ExportColumn*> VisibleColumns(const Ledger& l, const std::string& role) {
  std::vector<const ExportColumn*> out;
  for (const auto& c : l.columns) {
    const Field* f = l.FindField(c.source);
    if (f && !role.empty() && !l.FieldVisibleTo(*f, role)) continue;
    out.push_back(&c);
  }
  return out;
}

std::string ChineseDate(const Date& d) {
  return std::to_string(d.year) + "年" + std::to_string(d.month) + "月" + std::to_string(d.day) +
         "日";
}

std::string Fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [k, v] : values) {
    std::string token = "{" + k + "}";
    for (size_t pos; (pos = text.find(token)) != std::string::npos;)
      text.replace(pos, token.size(), v);
  }
  return text;
}

struct PersonFacts {
  std::string name, id_number, gender, birth_date, address, phone, grid, household_number;
  int64_t members = 0;
};

Result<PersonFacts> FactsOf(storage::Db& db, registry::PersonStore& persons, int64_t person_id,
                            int64_t household_id) {
  ASSIGN_OR_RETURN(registry::Person p, persons.Get(person_id));
  PersonFacts f;
  f.name = p.fields["name"];
  f.id_number = p.fields["id_number"];
  f.gender = p.fields["gender"].empty()
                 ? ""
                 : CodeTables::Get().Find("gender")->LabelOf(p.fields["gender"]);
  f.birth_date = p.fields["birth_date"];
  f.address = p.fields["address"];
  f.phone = p.fields["phone"];
  ASSIGN_OR_RETURN(auto g, db.Query("SELECT name FROM org_units WHERE id = ?", {p.grid_id}));
  if (!g.empty()) f.grid = g[0].Text(0);
  if (household_id) {
    ASSIGN_OR_RETURN(auto h,
                     db.Query("SELECT number FROM households WHERE id = ?", {household_id}));
    if (!h.empty()) f.household_number = h[0].Text(0);
    ASSIGN_OR_RETURN(
        f.members,
        db.QueryInt("SELECT count(*) FROM persons WHERE household_id = ? AND status = 'active'",
                    {household_id}));
  }
  return f;
}

std::string CellOf(const Ledger& l, const Entry& e, const PersonFacts& p, const std::string& source,
                   const std::string& role) {
  auto masked = [&](access::MaskKind kind, const std::string& field, const std::string& v) {
    return role.empty() || access::Policy::Get().SeesClear(role, field) ? v : access::Mask(kind, v);
  };
  if (source == "person.name") return p.name;
  if (source == "person.id_number")
    return masked(access::MaskKind::kIdNumber, "id_number", p.id_number);
  if (source == "person.gender") return p.gender;
  if (source == "person.birth_date") return p.birth_date;
  if (source == "person.address") return p.address;
  if (source == "person.phone") return masked(access::MaskKind::kPhone, "phone", p.phone);
  if (source == "person.grid") return p.grid;
  if (source == "household.number") return p.household_number;
  if (source == "household.members") return p.members ? std::to_string(p.members) : "";
  if (source == "enrolled_on") return e.enrolled_on;
  if (source == "stage") {
    const Stage* s = l.FindStage(e.stage);
    return s ? s->label : e.stage;
  }
  if (source == "next_due_on") return e.next_due_on;
  if (source == "last_followup_on") return e.last_followup_on;
  if (source == "exited_on") return e.exited_on;
  if (source == "exit_reason") return e.exit_reason;
  const Field* f = l.FindField(source);
  if (!f) return "";
  auto it = e.values.find(f->key);
  if (it == e.values.end()) return "";
  std::string text = ValueText(l, *f, it->second);
  if (IsSensitiveType(f->type) && !role.empty())
    return access::Mask(
        f->type == ValueType::kPhone ? access::MaskKind::kPhone : access::MaskKind::kIdNumber,
        text);
  return text;
}

}  // namespace

Result<ExportResult> ExportLedger(storage::Db& db, Engine& engine, const Ledger& l,
                                  const ExportOptions& options) {
  ASSIGN_OR_RETURN(auto persons, registry::PersonStore::Create(db));
  std::vector<const ExportColumn*> cols = VisibleColumns(l, options.role);
  lxw_workbook_options wb_options = {};
  wb_options.constant_memory = LXW_TRUE;
  std::string tmp_dir = "/tmp";
  if (const char* t = std::getenv("TMPDIR")) tmp_dir = t;
  wb_options.tmpdir = tmp_dir.data();
  lxw_workbook* wb = workbook_new_opt(options.out_path.c_str(), &wb_options);
  if (!wb) return Error(ErrorCode::kIo, {{"path", options.out_path}, {"detail", "无法创建文件"}});
  lxw_worksheet* ws = workbook_add_worksheet(wb, l.name.c_str());
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 16);
  format_set_align(title, LXW_ALIGN_CENTER);
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_text_wrap(header);
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");
  lxw_col_t last = static_cast<lxw_col_t>(cols.size() - 1);
  std::string heading =
      Fill(l.export_title,
           {{"org", options.org_name}, {"name", l.name}, {"date", ChineseDate(Today())}});
  worksheet_merge_range(ws, 0, 0, 0, last, heading.c_str(), title);
  for (size_t c = 0; c < cols.size(); ++c) {
    worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), cols[c]->header.c_str(), header);
    double width = cols[c]->source == "person.id_number" ? 22
                   : cols[c]->source == "person.address" ? 30
                                                         : 14;
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, text);
  }
  ExportResult result;
  result.path = options.out_path;
  ListQuery q;
  q.community_ids = options.communities;
  q.grid_ids = options.grids;
  q.stage = options.include_exited ? "*" : "";
  q.limit = 500;
  Status failure;
  lxw_row_t row = 2;
  while (failure.ok()) {
    auto page = engine.List(l, q);
    if (!page.ok()) {
      failure = page.status();
      break;
    }
    for (const Entry& e : page->entries) {
      auto facts = FactsOf(db, *persons, e.person_id, e.household_id);
      if (!facts.ok()) {
        failure = facts.status();
        break;
      }
      for (size_t c = 0; c < cols.size(); ++c) {
        std::string v = CellOf(l, e, *facts, cols[c]->source, options.role);
        if (!v.empty()) worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), v.c_str(), text);
      }
      ++row;
      ++result.rows;
    }
    if (page->next.empty()) break;
    q.after = page->next;
  }
  lxw_error err = workbook_close(wb);
  if (!failure.ok()) return failure;
  if (err != LXW_NO_ERROR)
    return Error(ErrorCode::kIo, {{"path", options.out_path}, {"detail", lxw_strerror(err)}});
  result.sha256 = FileSha256Hex(options.out_path);
  return result;
}

namespace {

// What an import column holds: a declared export column (by header or alias) or a field by label.
struct ImportColumn {
  int index = 0;
  std::string header;  // as written in the file
  std::string source;  // "person.id_number", a field key, or another export source (ignored)
};

std::string CellText(const io::Cell& c) {
  if (c.type == io::CellType::kEmpty) return "";
  return NormalizeText(c.text);
}

}  // namespace

Result<ImportReport> ImportLedgerBytes(storage::Db& db, Engine& engine, const Ledger& l,
                                       std::string_view bytes, const ImportOptions& options) {
  ASSIGN_OR_RETURN(io::Sheet sheet, io::ReadSheetFromMemory(bytes, options.file_name));
  RETURN_IF_ERROR(io::FillMergedCells(&sheet, options.file_name, 20'000'000));
  // Headers: the declared columns' headers and aliases, and every field's label.
  std::map<std::string, std::string> by_header;  // normalised header → source
  for (const auto& c : l.columns) {
    by_header[registry::NormalizeHeader(c.header)] = c.source;
    for (const auto& a : c.aliases) by_header[registry::NormalizeHeader(a)] = c.source;
  }
  for (const auto& f : l.fields) by_header.emplace(registry::NormalizeHeader(f.label), f.key);
  for (const char* id_header : {"公民身份号码", "身份证号码", "身份证号"})
    by_header.emplace(registry::NormalizeHeader(id_header), "person.id_number");
  int header_row = -1;
  std::vector<ImportColumn> columns;
  for (size_t r = 0; r < sheet.rows.size() && r < 10 && header_row < 0; ++r) {
    std::vector<ImportColumn> found;
    bool has_id = false;
    for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
      std::string h = CellText(sheet.rows[r][c]);
      auto it = by_header.find(registry::NormalizeHeader(h));
      if (h.empty() || it == by_header.end()) continue;
      found.push_back({static_cast<int>(c), h, it->second});
      has_id = has_id || it->second == "person.id_number";
    }
    if (has_id) {
      header_row = static_cast<int>(r);
      columns = std::move(found);
    }
  }
  if (header_row < 0) return Error(ErrorCode::kLedgerImportNoHeader, {{"rows", "10"}});
  int id_col = 0;
  for (const auto& c : columns)
    if (c.source == "person.id_number") id_col = c.index;

  ImportReport report;
  auto reject = [&](int row, const std::string& column, const Status& st) {
    report.errors.push_back({row, column, st.number(), st.Message()});
  };
  Date today = Today();
  ASSIGN_OR_RETURN(auto persons, registry::PersonStore::Create(db));
  Status done = storage::InTransaction(db, [&]() -> Status {
    std::set<int64_t> seen;
    for (size_t r = header_row + 1; r < sheet.rows.size(); ++r) {
      int excel_row = static_cast<int>(r) + 1;
      const auto& cells = sheet.rows[r];
      bool empty = true;
      for (const auto& c : cells) empty = empty && CellText(c).empty();
      if (empty) continue;
      size_t errors_before = report.errors.size();
      std::string id_header;
      for (const auto& c : columns)
        if (c.index == id_col) id_header = c.header;
      auto id = ParseIdNumber(CellText(sheet.at(r, id_col)), today);
      if (!id.ok()) {
        reject(excel_row, id_header, id.status());
        ++report.rejected;
        continue;
      }
      ASSIGN_OR_RETURN(int64_t person_id, persons->FindByIdNumber(id->number));
      int64_t subject = 0, community = 0, grid = 0;
      if (person_id) {
        ASSIGN_OR_RETURN(
            auto rows,
            db.Query("SELECT community_id, grid_id, household_id, status FROM persons WHERE id = ?",
                     {person_id}));
        community = rows[0].Int(0);
        grid = rows[0].Int(1);
        bool in_scope =
            rows[0].Text(3) == "active" &&
            std::find(options.communities.begin(), options.communities.end(), community) !=
                options.communities.end() &&
            (options.grids.empty() ||
             std::find(options.grids.begin(), options.grids.end(), grid) != options.grids.end());
        if (in_scope) subject = l.household ? rows[0].Int(2) : person_id;
      }
      if (!subject) {
        reject(excel_row, id_header,
               Error(ErrorCode::kLedgerImportNoSubject,
                     {{"id", MaskIdNumber(id->number)}, {"org", options.org_name}}));
        ++report.rejected;
        continue;
      }
      if (!seen.insert(subject).second) {
        reject(excel_row, id_header,
               Error(ErrorCode::kConflict, {{"detail", l.household ? "同一户在文件中出现了两次"
                                                                   : "同一人在文件中出现了两次"}}));
        ++report.rejected;
        continue;
      }
      json values = json::object();
      std::map<std::string, std::string> header_of;
      std::string on;
      for (const auto& c : columns) {
        std::string v = CellText(sheet.at(r, c.index));
        if (c.source == "enrolled_on") on = v;
        const Field* f = l.FindField(c.source);
        // Attachment columns carry the file's name only (exports write it): files are uploaded
        // on the entry's page, never taken from a sheet.
        if (!f || v.empty() || f->type == ValueType::kAttachment) continue;
        values[f->key] = v;
        header_of[f->key] = c.header;
      }
      std::vector<FieldProblem> problems;
      ASSIGN_OR_RETURN(
          auto open,
          db.Query("SELECT id FROM ledger_entries WHERE ledger = ? AND subject_id = ? AND "
                   "exited_on IS NULL",
                   {l.key, subject}));
      if (!open.empty()) {
        // Re-import: the fields that differ from the stored entry.
        ASSIGN_OR_RETURN(Entry e, engine.Get(l, open[0].Int(0)));
        json changed = json::object();
        for (const auto& [key, v] : values.items()) {
          const Field* f = l.FindField(key);
          auto parsed = ParseInput(l, *f, v, today);
          auto stored = e.values.count(key) ? e.values.at(key) : storage::Value{};
          if (parsed.ok() && ValueText(l, *f, *parsed) == ValueText(l, *f, stored)) continue;
          changed[key] = v;
        }
        if (changed.empty()) {
          ++report.unchanged;
          continue;
        }
        Status st = engine.Edit(l, e.id, changed, options.actor, &problems);
        if (st.ok())
          ++report.updated;
        else if (problems.empty())
          reject(excel_row, "", st);
      } else {
        auto out = engine.Enrol(l, subject, values, on, 0, options.actor, &problems);
        if (out.ok())
          ++(out->approval_id ? report.pending : report.imported);
        else if (problems.empty())
          reject(excel_row, "", out.status());
      }
      for (const auto& p : problems)
        reject(excel_row, header_of.count(p.field) ? header_of[p.field] : p.field, p.status);
      if (report.errors.size() > errors_before) ++report.rejected;
    }
    // Nothing is written unless every row went in (and never on a dry run).
    if (report.rejected > 0 || options.dry_run)
      return Error(ErrorCode::kConflict, {{"detail", "no-write"}});
    return Status::Ok();
  });
  if (!done.ok() && !(done.code() == ErrorCode::kConflict && done.Param("detail") == "no-write"))
    return done;
  return report;
}

json ImportReportJson(const ImportReport& r) {
  json errors = json::array();
  for (const auto& e : r.errors)
    errors.push_back(
        {{"row", e.row}, {"column", e.column}, {"code", e.code}, {"message", e.message}});
  return {{"imported", r.imported}, {"updated", r.updated},   {"unchanged", r.unchanged},
          {"pending", r.pending},   {"rejected", r.rejected}, {"errors", errors}};
}

}  // namespace linli::ledger
