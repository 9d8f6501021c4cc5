// The registry import pipeline: find the header, map columns, normalise and validate each row,
// group households, then write everything in one transaction.
#include "registry/import.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "common/code_tables.h"
#include "common/hash.h"
#include "common/id_number.h"
#include "common/text.h"
#include "common/time_util.h"
#include "org/org.h"
#include "registry/columns.h"
#include "registry/person.h"

namespace linli::registry {
namespace {

constexpr int kHeaderSearchRows = 30;
// A plain number in a date column is an Excel serial only when it is whole and above the numbers
// that read as years (1985 would be 1905-06-07); from 9999-12-31's serial on, its digits are read
// as text (19850312).
constexpr double kLastYearNumber = 2100;
constexpr double kFirstNumberReadAsDigits = 2958466;

// A data row after normalisation and validation.
struct RowRecord {
  int row = 0;  // Excel row number
  Person person;
  std::string grid, household_number, occupancy;
  std::optional<org::Address> address;
  std::vector<ImportIssue> issues;  // non-empty: rejected
  std::vector<ImportNote> notes;    // normalisations, in column order
  bool is_head = false;
  // Gender and birth date read from the ID number, when it is valid (CrossCheck).
  bool have_id = false;
  std::string id_gender, id_birth;
};

bool IsBlank(const std::vector<io::Cell>& row) {
  for (const auto& c : row)
    if (c.type != io::CellType::kEmpty && !NormalizeText(c.text).empty()) return false;
  return true;
}

bool IsHanOrNameMark(const std::string& ch) {
  return HasHan(ch) || ch == "·";
}

// Normalises a name: NFKC, trims, removes spaces between Han characters, unifies the middle dot
// used in minority and foreign names. Returns "" and sets *bad when characters are not allowed.
std::string NormalizeName(std::string_view raw, bool* bad) {
  std::string s = NormalizeText(raw);
  std::vector<std::string> chars = Utf8Chars(s);
  std::string out;
  bool han = false, latin = false;
  for (size_t i = 0; i < chars.size(); ++i) {
    std::string ch = chars[i];
    if (ch == "•" || ch == "．" || ch == "・" || ch == "‧" || ch == "▪" || ch == ".") ch = "·";
    if (ch == " ") {
      // Keep single spaces between Latin words; drop them between Han characters.
      if (latin && i + 1 < chars.size() && !HasHan(chars[i + 1]) && !out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    unsigned char c0 = static_cast<unsigned char>(ch[0]);
    if (ch.size() == 1 && std::isalpha(c0)) latin = true;
    else if (IsHanOrNameMark(ch)) han = true;
    else {
      *bad = true;
      return "";
    }
    out += ch;
  }
  (void)han;
  return out;
}

std::string CellText(const io::Cell& c) { return c.text; }

class Importer {
 public:
  Importer(storage::Db& db, const io::Sheet& sheet, const ImportOptions& options)
      : db_(db), sheet_(sheet), options_(options), today_(Today()) {}

  Result<ImportReport> Run() {
    ASSIGN_OR_RETURN(community_, org::FindOrgByCode(db_, options_.org_code));
    if (community_.level != org::Level::kCommunity)
      return Error(ErrorCode::kOrgNotCommunity, {{"code", community_.code}, {"name", community_.name}});
    RETURN_IF_ERROR(FindHeader());
    ParseRows();
    CheckFileLevelRules();
    report_.dry_run = options_.dry_run;
    Status st = storage::InTransaction(db_, [&]() -> Status {
      RETURN_IF_ERROR(Write());
      // A dry run does all the work, then rolls back: the same report as the real import.
      if (options_.dry_run) return Error(ErrorCode::kConflict, {{"detail", "dry-run"}});
      return Status::Ok();
    });
    if (!st.ok() && !(options_.dry_run && st.code() == ErrorCode::kConflict && st.Param("detail") == "dry-run"))
      return st;
    Finish();

    return std::move(report_);
  }

 private:
  // Picks the row with the most recognised headers among the first rows; it must name the person.
  Status FindHeader() {
    int best_row = -1;
    size_t best = 0;
    int limit = std::min<int>(kHeaderSearchRows, static_cast<int>(sheet_.rows.size()));
    for (int r = 0; r < limit; ++r) {
      std::set<size_t> found;
      for (int c = 0; c < static_cast<int>(sheet_.rows[r].size()); ++c) {
        if (IsMergedFromLeft(r, c)) continue;
        if (auto idx = MatchHeader(sheet_.rows[r][c].text)) found.insert(*idx);
      }
      bool has_name = found.count(ColumnIndex("name")) > 0;
      bool identifies = found.count(ColumnIndex("id_number")) || found.count(ColumnIndex("birth_date"));
      if (has_name && identifies && found.size() > best) {
        best = found.size();
        best_row = r;
      }
    }
    if (best_row < 0) return Error(ErrorCode::kImportNoHeader, {{"rows", std::to_string(kHeaderSearchRows)}});
    header_row_ = best_row;
    report_.header_row = best_row + 1;
    column_of_.assign(RegistryColumns().size(), -1);
    const auto& header = sheet_.rows[best_row];
    for (int c = 0; c < static_cast<int>(header.size()); ++c) {
      const std::string& text = header[c].text;
      if (NormalizeHeader(text).empty() || IsMergedFromLeft(best_row, c)) continue;
      auto idx = MatchHeader(text);
      if (!idx) {
        report_.ignored_columns.push_back(io::ColumnLetter(c) + " " + NormalizeText(text));
        continue;
      }
      if (column_of_[*idx] >= 0)
        return Error(ErrorCode::kImportDuplicateColumn, {{"column", RegistryColumns()[*idx].label},
                                                         {"col1", io::ColumnLetter(column_of_[*idx])},
                                                         {"col2", io::ColumnLetter(c)}});
      column_of_[*idx] = c;
      header_text_[*idx] = NormalizeText(text);
      report_.matched_columns.push_back(io::ColumnLetter(c) + " " + NormalizeText(text) + " → " +
                                        RegistryColumns()[*idx].label);
    }
    return Status::Ok();
  }

  // True for a cell filled from a merged range that starts in a column to its left: a header merged
  // across columns names one column, at its first cell. Cells filled downwards (a two-row header
  // whose upper cells span both rows) keep their header.
  bool IsMergedFromLeft(int r, int c) const {
    if (!sheet_.at(r, c).from_merge) return false;
    for (const auto& m : sheet_.merged)
      if (r >= m.first_row && r <= m.last_row && c >= m.first_col && c <= m.last_col) return c != m.first_col;
    return false;
  }

  void AddIssue(RowRecord& rec, size_t col_idx, Status st) const {
    ImportIssue issue;
    issue.row = rec.row;
    if (col_idx != SIZE_MAX) {
      auto header = header_text_.find(col_idx);
      if (header != header_text_.end()) issue.column = header->second;
      issue.column_letter = io::ColumnLetter(column_of_[col_idx]);
    }
    issue.status = std::move(st);
    rec.issues.push_back(std::move(issue));
  }

  void Note(RowRecord& rec, size_t col_idx, const char* rule, const std::string& from,
            const std::string& to) const {
    const ColumnDecl& col = RegistryColumns()[col_idx];
    const std::string& header = header_text_.at(col_idx);
    if (IsSensitive(col) && !options_.unmasked)
      rec.notes.push_back({rec.row, header, rule, MaskedValue(col, from), MaskedValue(col, to)});
    else
      rec.notes.push_back({rec.row, header, rule, from, to});
  }

  bool IsTotalsRow(const std::vector<io::Cell>& row) const {
    for (const auto& c : row) {
      std::string t = NormalizeHeader(c.text);
      if (t.empty()) continue;
      return t.rfind("合计", 0) == 0 || t.rfind("总计", 0) == 0 || t.rfind("小计", 0) == 0;
    }
    return false;
  }

  bool IsRepeatedHeader(const std::vector<io::Cell>& row) const {
    int name_col = column_of_[ColumnIndex("name")];
    return name_col >= 0 && name_col < static_cast<int>(row.size()) &&
           MatchHeader(row[name_col].text) == ColumnIndex("name");
  }

  // Rows are independent until CheckFileLevelRules(): a large file is parsed in two halves at
  // once, the second on another thread. The records and their notes keep the file's order.
  void ParseRows() {
    constexpr size_t kRowsPerThread = 2000;
    size_t first = header_row_ + 1, end = std::max(first, sheet_.rows.size());
    if (end - first < 2 * kRowsPerThread) {
      ParseRange(first, end, records_);
    } else {
      size_t mid = first + (end - first) / 2;
      std::vector<RowRecord> second;
      std::thread other([&] { ParseRange(mid, end, second); });
      ParseRange(first, mid, records_);
      other.join();
      records_.insert(records_.end(), std::make_move_iterator(second.begin()),
                      std::make_move_iterator(second.end()));
    }
    for (auto& rec : records_) {
      report_.normalized.insert(report_.normalized.end(),
                                std::make_move_iterator(rec.notes.begin()),
                                std::make_move_iterator(rec.notes.end()));
      rec.notes.clear();
    }
  }

  // Reads sheet rows [first, end) into `out`. Const: safe on two threads at once.
  void ParseRange(size_t first, size_t end, std::vector<RowRecord>& out) const {
    const auto& cols = RegistryColumns();
    out.reserve(end - first);
    for (size_t r = first; r < end; ++r) {
      const auto& row = sheet_.rows[r];
      if (IsBlank(row) || IsRepeatedHeader(row)) continue;
      RowRecord rec;
      rec.row = static_cast<int>(r) + 1;
      rec.person.community_id = community_.id;
      if (IsTotalsRow(row)) {
        AddIssue(rec, SIZE_MAX, Error(ErrorCode::kImportTotalsRow));
        out.push_back(std::move(rec));
        continue;
      }
      for (size_t i = 0; i < cols.size(); ++i) {
        if (column_of_[i] < 0) continue;
        const io::Cell& cell = sheet_.at(r, column_of_[i]);
        ParseCell(rec, i, cell);
      }
      CrossCheck(rec);
      out.push_back(std::move(rec));
    }
  }

  void ParseCell(RowRecord& rec, size_t i, const io::Cell& cell) const {
    const ColumnDecl& col = RegistryColumns()[i];
    auto& out = rec.person.fields.values[i];
    if (cell.type == io::CellType::kFormulaNoValue) {
      AddIssue(rec, i, Error(ErrorCode::kImportFormula));
      return;
    }
    if (cell.type == io::CellType::kError) {
      AddIssue(rec, i, Error(ErrorCode::kInvalidArgument, {{"detail", "单元格是错误值“" + cell.text + "”"}}));
      return;
    }
    std::string raw = cell.type == io::CellType::kDate && col.type != ColumnType::kDate ? cell.text : CellText(cell);
    std::string text = NormalizeText(raw);
    if (text.empty()) return;
    switch (col.type) {
      case ColumnType::kName: {
        bool bad = false;
        std::string name = NormalizeName(text, &bad);
        if (bad || name.empty()) {
          AddIssue(rec, i, Error(ErrorCode::kNameInvalid, {{"value", text}}));
          return;
        }
        if (name != raw) Note(rec, i, "name_spaces", raw, name);
        out = name;
        return;
      }
      case ColumnType::kIdNumber: {
        if (cell.type == io::CellType::kNumber) {
          // Numbers in Excel keep 15 significant digits: an 18-digit ID stored as a number is lost.
          double v = cell.number;
          if (!(v >= 1e14 && v < 1e15 && std::floor(v) == v)) {
            AddIssue(rec, i, Error(ErrorCode::kIdScientific, {{"value", cell.text}}));
            return;
          }
        }
        auto id = ParseIdNumber(text, today_);
        if (!id.ok()) {
          AddIssue(rec, i, id.status());
          return;
        }
        if (id->upgraded_from_15) Note(rec, i, "id_15_to_18", raw, id->number);
        else if (id->number != raw) Note(rec, i, "id_normalized", raw, id->number);
        out = id->number;
        rec.id_gender = id->gender;
        rec.id_birth = id->birth_date.ToString();
        rec.have_id = true;
        return;
      }
      case ColumnType::kCode: {
        const CodeTable* table = CodeTables::Get().Find(col.code_table);
        const CodeItem* item = table ? table->Find(text) : nullptr;
        if (!item) {
          AddIssue(rec, i, Error(ErrorCode::kBadCode, {{"value", text}, {"table", col.label}}));
          return;
        }
        out = item->code;
        return;
      }
      case ColumnType::kDate: {
        std::string date;  // from a date cell or an Excel serial
        bool serial = false;
        if (cell.type == io::CellType::kDate) {
          date = cell.text;
        } else if (cell.type == io::CellType::kNumber && cell.number < kFirstNumberReadAsDigits) {
          // 1985 or 1985.1 (Excel's number for 1985.10) would be dates in 1905: never guessed.
          if (cell.number == std::floor(cell.number) && cell.number > kLastYearNumber)
            date = io::ExcelSerialToDate(cell.number);
          if (date.empty()) {
            AddIssue(rec, i, Error(ErrorCode::kBadDate, {{"value", text}}));
            return;
          }
          serial = true;
        }
        if (!date.empty()) {
          if (date > today_.ToString()) {
            AddIssue(rec, i, Error(ErrorCode::kBadDate, {{"value", date}}));
            return;
          }
          if (serial) Note(rec, i, "excel_serial_date", cell.text, date);
          out = date;
          return;
        }
        auto d = ParseDateText(text);
        if (!d || (!d->partial && d->date > today_)) {
          AddIssue(rec, i, Error(ErrorCode::kBadDate, {{"value", text}}));
          return;
        }
        out = d->partial ? d->date.ToString().substr(0, 7) : d->date.ToString();
        if (d->normalised) Note(rec, i, "date_format", raw, out);
        return;
      }
      case ColumnType::kPhone: {
        auto p = NormalizePhone(text);
        if (!p.ok()) {
          AddIssue(rec, i, p.status());
          return;
        }
        if (*p != raw) Note(rec, i, "phone_format", raw, *p);
        out = *p;
        return;
      }
      case ColumnType::kAddress: {
        auto a = org::ParseAddress(text);
        if (!a) {
          AddIssue(rec, i, Error(ErrorCode::kImportAddress, {{"value", text}}));
          return;
        }
        out = a->Canonical();
        if (out != raw) Note(rec, i, "address_format", raw, out);
        rec.address = *a;
        return;
      }
      case ColumnType::kGrid: rec.grid = text; return;
      case ColumnType::kText:
        if (col.key == "household_number") rec.household_number = text;
        else out = text;
        return;
    }
  }

  // Gender and birth date against the ID number; derive them when not given.
  void CrossCheck(RowRecord& rec) const {
    auto& f = rec.person.fields;
    if (f["name"].empty() && !HasIssueIn(rec, ColumnIndex("name"))) AddIssue(rec, ColumnIndex("name"), Error(ErrorCode::kNameMissing));
    // Occupancy and relation live in separate fields for households/places.
    rec.occupancy = f["occupancy"];
    f["occupancy"].clear();
    rec.is_head = f["relation"] == "02" || f["relation"] == "01";
    if (rec.have_id) {
      if (!f["gender"].empty() && f["gender"] != rec.id_gender) {
        const CodeTable* g = CodeTables::Get().Find("gender");
        AddIssue(rec, ColumnIndex("gender"),
                 Error(ErrorCode::kGenderMismatch, {{"given", g->LabelOf(f["gender"])},
                                                    {"derived", g->LabelOf(rec.id_gender)}}));
      }
      const std::string& b = f["birth_date"];
      if (!b.empty() && b != rec.id_birth && !(b.size() == 7 && rec.id_birth.rfind(b, 0) == 0))
        AddIssue(rec, ColumnIndex("birth_date"),
                 Error(ErrorCode::kBirthMismatch, {{"given", b}, {"derived", rec.id_birth}}));
      f["gender"] = rec.id_gender;
      f["birth_date"] = rec.id_birth;
    } else if (!HasIssueIn(rec, ColumnIndex("id_number"))) {
      if (f["birth_date"].size() != 10)
        AddIssue(rec, column_of_[ColumnIndex("birth_date")] >= 0 ? ColumnIndex("birth_date") : SIZE_MAX,
                 Error(ErrorCode::kIdOrBirthRequired));
    }
  }

  bool HasIssueIn(const RowRecord& rec, size_t col_idx) const {
    for (const auto& i : rec.issues)
      if (column_of_[col_idx] >= 0 && i.column_letter == io::ColumnLetter(column_of_[col_idx])) return true;
    return false;
  }

  // Rules across rows: one person once per file; one head per household number.
  void CheckFileLevelRules() {
    std::unordered_map<std::string, int> first_row_of_id;
    std::unordered_map<std::string, int> first_row_of_person;
    std::unordered_map<std::string, int> head_row_of_household;
    for (auto& rec : records_) {
      if (!rec.issues.empty()) continue;
      const std::string& id = rec.person.fields["id_number"];
      if (!id.empty()) {
        auto [it, inserted] = first_row_of_id.emplace(id, rec.row);
        if (!inserted) {
          AddIssue(rec, ColumnIndex("id_number"), Error(ErrorCode::kImportDuplicateRow, {{"other_row", std::to_string(it->second)}}));
          continue;
        }
      } else {
        // Without an ID a person is known by name and birth date: twice in one file is an error,
        // not a silent update of the first row by the second.
        std::string key = rec.person.fields["name"] + '\x1f' + rec.person.fields["birth_date"];
        auto [it, inserted] = first_row_of_person.emplace(key, rec.row);
        if (!inserted) {
          AddIssue(rec, ColumnIndex("name"), Error(ErrorCode::kImportDuplicatePerson, {{"other_row", std::to_string(it->second)}}));
          continue;
        }
      }
      if (rec.is_head && !rec.household_number.empty()) {
        auto [it, inserted] = head_row_of_household.emplace(rec.household_number, rec.row);
        if (!inserted)
          AddIssue(rec, ColumnIndex("relation"), Error(ErrorCode::kImportHousehold, {{"household", rec.household_number},
                                                                                    {"count", "两"}}));
      }
    }
  }

  Result<int64_t> GridId(const std::string& name) {
    auto it = grids_.find(name);
    if (it != grids_.end()) return it->second;
    ASSIGN_OR_RETURN(int64_t id, org::EnsureGrid(db_, community_, name));
    grids_[name] = id;
    return id;
  }

  Result<int64_t> RoomGrid(int64_t room_id) {
    return db_.QueryInt("SELECT grid_id FROM places WHERE id = ?", {room_id});
  }

  // Household of a row: by 户号 when the file has one, else a head starts a household at its
  // room and the following non-head rows at the same room (or without address) join it.
  Result<int64_t> HouseholdFor(const RowRecord& rec, int64_t room_id) {
    std::string key;
    if (!rec.household_number.empty()) {
      key = rec.household_number;
    } else if (column_of_[ColumnIndex("relation")] >= 0) {
      if (rec.is_head) {
        current_head_key_ = "#row" + std::to_string(rec.row);
        current_head_room_ = room_id;
      } else if (current_head_key_.empty() || (room_id && room_id != current_head_room_)) {
        return 0;
      }
      key = current_head_key_;
    } else {
      return 0;
    }
    auto it = households_.find(key);
    if (it != households_.end()) return it->second;
    int64_t id = 0;
    if (!rec.household_number.empty()) {
      if (!open_households_loaded_) {
        // The community's open households by number (the newest when a number repeats), once.
        RETURN_IF_ERROR(db_.QueryEach("SELECT number, id FROM households WHERE community_id = ? AND number IS NOT NULL "
                                      "AND ended_on IS NULL ORDER BY id",
                                      {community_.id}, [&](const storage::Row& r) {
                                        open_households_[r.Text(0)] = r.Int(1);
                                        return true;
                                      }));
        open_households_loaded_ = true;
      }
      auto found = open_households_.find(rec.household_number);
      if (found != open_households_.end()) id = found->second;
    } else if (rec.person.id) {
      // Re-import without 户号: keep the household the head already has.
      ASSIGN_OR_RETURN(id, db_.QueryInt("SELECT household_id FROM persons WHERE id = ?", {rec.person.id}));
    }
    if (!id) {
      ASSIGN_OR_RETURN(
          id,
          db_.InsertId("INSERT INTO households (community_id, number, room_id, created_on) "
                       "VALUES (?, ?, ?, ?) RETURNING id",
                       {community_.id, storage::TextOrNull(rec.household_number),
                        room_id ? storage::Value{room_id} : storage::Null(), today_.ToString()}));
    }
    households_[key] = id;
    return id;
  }

  Status Write() {
    ASSIGN_OR_RETURN(store_, PersonStore::Create(db_));
    RETURN_IF_ERROR(store_->BeginBulk());
    // Who is registered already: one query per 500 ID numbers instead of one per row.
    std::vector<std::string> file_ids;
    for (const auto& rec : records_)
      if (rec.issues.empty() && !rec.person.fields["id_number"].empty()) file_ids.push_back(rec.person.fields["id_number"]);
    ASSIGN_OR_RETURN(auto registered, store_->FindByIdNumbers(file_ids));
    // What the rows to insert derive from their fields alone (pinyin, grams, ciphertexts, blind
    // indexes) is computed on a second thread, ahead of this one, which writes. Rows whose ID is
    // registered already are updates and need none of it.
    std::vector<size_t> to_derive;  // indexes into records_
    for (size_t i = 0; i < records_.size(); ++i) {
      const auto& rec = records_[i];
      const std::string& id = rec.person.fields["id_number"];
      if (rec.issues.empty() && (id.empty() || !registered.count(id))) to_derive.push_back(i);
    }
    std::vector<PersonStore::Derived> derived(records_.size());
    std::atomic<size_t> derived_count{0};  // derived[to_derive[k]] is ready for k < derived_count
    std::jthread deriver([&](std::stop_token stop) {
      for (size_t k = 0; k < to_derive.size() && !stop.stop_requested(); ++k) {
        derived[to_derive[k]] = store_->Derive(records_[to_derive[k]].person.fields);
        derived_count.store(k + 1, std::memory_order_release);
        derived_count.notify_one();
      }
    });
    size_t next_derived = 0;  // position in to_derive of the next row to insert
    org::PlaceCache places(db_, community_.id);
    places.DeferGrams();
    ASSIGN_OR_RETURN(auto ins, db_.Query("INSERT INTO imports (community_id, file_name, file_sha256, imported, updated, "
                                         "unchanged, rejected, finished_at) VALUES (?, ?, ?, 0, 0, 0, 0, ?) RETURNING id",
                                         {community_.id, options_.file_name, report_.file_sha256, NowIso()}));
    import_id_ = ins.at(0).Int(0);
    std::string reason = "导入 " + options_.file_name;
    const auto& cols = RegistryColumns();
    for (size_t ri = 0; ri < records_.size(); ++ri) {
      auto& rec = records_[ri];
      while (next_derived < to_derive.size() && to_derive[next_derived] < ri) ++next_derived;
      if (!rec.issues.empty()) continue;
      Person& p = rec.person;
      const std::string& id_number = p.fields["id_number"];
      int64_t existing = 0;
      if (!id_number.empty()) {
        auto found = registered.find(id_number);
        existing = found == registered.end() ? 0 : found->second;
      } else {
        ASSIGN_OR_RETURN(existing, store_->FindWithoutId(community_.id, p.fields["name"], p.fields["birth_date"]));
      }
      std::optional<Person> before;
      if (existing) {
        ASSIGN_OR_RETURN(Person b, store_->Get(existing));
        if (b.community_id != community_.id) {
          ASSIGN_OR_RETURN(org::OrgUnit other, org::GetOrg(db_, b.community_id));
          AddIssue(rec, ColumnIndex("id_number"), Error(ErrorCode::kImportWrongOrg, {{"org", other.name}, {"target", community_.name}}));
          continue;
        }
        // An ended person is not revived, and the row leaves no room or household behind.
        if (b.status != "active") {
          AddIssue(rec, ColumnIndex("name"), Error(ErrorCode::kPersonEnded, {{"name", p.fields["name"]},
                                                                            {"status", b.status == "deceased" ? "死亡" : "迁出"},
                                                                            {"action", "通过导入修改"}}));
          continue;
        }
        before = std::move(b);
        p.id = existing;
      }
      // Places and grid.
      if (!rec.grid.empty()) {
        ASSIGN_OR_RETURN(p.grid_id, GridId(rec.grid));
      }
      if (rec.address) {
        ASSIGN_OR_RETURN(p.room_id, places.EnsureRoom(*rec.address, p.grid_id, rec.occupancy));
        if (!p.grid_id) {
          ASSIGN_OR_RETURN(p.grid_id, RoomGrid(p.room_id));
        }
      }
      ASSIGN_OR_RETURN(p.household_id, HouseholdFor(rec, p.room_id));
      if (!before) {
        PersonStore::Derived* d = nullptr;
        if (next_derived < to_derive.size() && to_derive[next_derived] == ri) {
          for (size_t n; (n = derived_count.load(std::memory_order_acquire)) <= next_derived;)
            derived_count.wait(n, std::memory_order_acquire);
          d = &derived[ri];
        }
        ASSIGN_OR_RETURN(p.id, store_->Insert(p, reason, import_id_, d));
        ++report_.imported;
      } else {
        // Cells left empty never erase what is stored; absent columns are not touched.
        Person after = *before;
        for (size_t i = 0; i < cols.size(); ++i)
          if (!p.fields.values[i].empty() && IsPersonColumn(cols[i])) after.fields.values[i] = p.fields.values[i];
        if (p.grid_id) after.grid_id = p.grid_id;
        if (p.room_id) after.room_id = p.room_id;
        if (p.household_id) after.household_id = p.household_id;
        ASSIGN_OR_RETURN(auto changed, store_->Update(*before, after, reason, import_id_));
        if (changed.empty()) {
          ++report_.unchanged;
        } else {
          ++report_.updated;
          for (const auto& key : changed) {
            if (key == "grid_id" || key == "room_id" || key == "household_id") continue;
            size_t i = ColumnIndex(key);
            report_.changes.push_back({rec.row, cols[i].label, MaskedValue(cols[i], before->fields.values[i]),
                                       MaskedValue(cols[i], after.fields.values[i])});
          }
        }
      }
      report_.persons.emplace_back(rec.row, p.id);
      if (rec.is_head && p.household_id)
        RETURN_IF_ERROR(db_.Exec("UPDATE households SET head_person_id = ? WHERE id = ?", {p.id, p.household_id}));
    }
    RETURN_IF_ERROR(places.WriteDeferredGrams());
    RETURN_IF_ERROR(store_->FinishBulk());
    int64_t rejected = 0;
    for (const auto& rec : records_) rejected += rec.issues.empty() ? 0 : 1;
    return db_.Exec("UPDATE imports SET imported = ?, updated = ?, unchanged = ?, rejected = ?, finished_at = ? WHERE id = ?",
                    {report_.imported, report_.updated, report_.unchanged, rejected, NowIso(), import_id_});
  }

  void Finish() {
    for (auto& rec : records_) {
      if (rec.issues.empty()) continue;
      ++report_.rejected;
      for (auto& i : rec.issues) report_.errors.push_back(std::move(i));
    }
    std::stable_sort(report_.errors.begin(), report_.errors.end(), [](const ImportIssue& a, const ImportIssue& b) {
      if (a.row != b.row) return a.row < b.row;
      if (a.column_letter.size() != b.column_letter.size()) return a.column_letter.size() < b.column_letter.size();
      return a.column_letter < b.column_letter;
    });
  }

 public:
  ImportReport report_;

 private:
  storage::Db& db_;
  const io::Sheet& sheet_;
  ImportOptions options_;
  Date today_;
  org::OrgUnit community_;
  int header_row_ = 0;
  std::vector<int> column_of_;  // column index in the sheet per declared column, -1 if absent
  std::map<size_t, std::string> header_text_;
  std::vector<RowRecord> records_;
  std::unique_ptr<PersonStore> store_;
  int64_t import_id_ = 0;
  std::unordered_map<std::string, int64_t> grids_;
  std::unordered_map<std::string, int64_t> households_;
  std::unordered_map<std::string, int64_t> open_households_;  // stored before this import, by number
  bool open_households_loaded_ = false;
  std::string current_head_key_;
  int64_t current_head_room_ = 0;
};

}  // namespace

Result<ImportReport> ImportRegistrySheet(storage::Db& db, const io::Sheet& sheet, const ImportOptions& options) {
  Importer imp(db, sheet, options);
  return imp.Run();
}

Result<ImportReport> ImportRegistryFile(storage::Db& db, const std::string& path, const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, {{"path", path}, {"detail", "无法打开文件"}});
  std::ostringstream buf;
  buf << in.rdbuf();
  ImportOptions opts = options;
  if (opts.file_name.empty()) {
    size_t slash = path.find_last_of('/');
    opts.file_name = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  return ImportRegistryBytes(db, buf.str(), opts);
}

Result<ImportReport> ImportRegistryBytes(storage::Db& db, std::string_view bytes, const ImportOptions& options) {
  ASSIGN_OR_RETURN(io::Sheet sheet, io::ReadSheetFromMemory(bytes, options.file_name));
  Importer imp(db, sheet, options);
  imp.report_.file_sha256 = Sha256Hex(bytes);
  return imp.Run();
}

nlohmann::json ReportToJson(const ImportReport& r) {
  nlohmann::json j;
  j["imported"] = r.imported;
  j["updated"] = r.updated;
  j["unchanged"] = r.unchanged;
  j["rejected"] = r.rejected;
  j["dry_run"] = r.dry_run;
  j["header_row"] = r.header_row;
  j["file_sha256"] = r.file_sha256;
  j["errors"] = nlohmann::json::array();
  for (const auto& e : r.errors) {
    nlohmann::json je;
    je["row"] = e.row;
    je["column"] = e.column;
    je["column_letter"] = e.column_letter;
    je["code"] = e.status.number();
    je["code_name"] = std::string(LookupError(e.status.code()).name);
    je["message"] = e.status.Message();
    j["errors"].push_back(std::move(je));
  }
  j["normalized"] = nlohmann::json::array();
  for (const auto& n : r.normalized)
    j["normalized"].push_back({{"row", n.row}, {"column", n.column}, {"rule", n.rule}, {"from", n.from}, {"to", n.to}});
  j["changes"] = nlohmann::json::array();
  for (const auto& c : r.changes)
    j["changes"].push_back({{"row", c.row}, {"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
  j["matched_columns"] = r.matched_columns;
  j["ignored_columns"] = r.ignored_columns;
  return j;
}

std::string ReportToText(const ImportReport& r) {
  std::ostringstream o;
  o << (r.dry_run ? "【预览，未写入】" : "") << "新增 " << r.imported << " 人，更新 " << r.updated << " 人，无变化 "
    << r.unchanged << " 人，拒绝 " << r.rejected << " 行（表头在第 " << r.header_row << " 行）\n";
  for (const auto& e : r.errors) {
    o << "  第" << e.row << "行";
    if (!e.column.empty()) o << " " << e.column_letter << "列（" << e.column << "）";
    o << "：" << e.status.Message() << "\n";
  }
  for (const auto& c : r.changes)
    o << "  第" << c.row << "行 " << c.field << "：" << (c.old_value.empty() ? "（空）" : c.old_value) << " → " << c.new_value << "\n";
  if (!r.ignored_columns.empty()) {
    o << "  未识别的列（未导入）：";
    for (const auto& c : r.ignored_columns) o << c << "；";
    o << "\n";
  }
  return o.str();
}

}  // namespace linli::registry
