// Writes the registry of an org unit as an .xlsx with libxlsxwriter.
#include "registry/export.h"

#include <xlsxwriter.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "common/code_tables.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "crypto/field_cipher.h"
#include "org/org.h"
#include "registry/columns.h"
#include "registry/person.h"

namespace linli::registry {
namespace {

}  // namespace

Result<ExportResult> ExportRegistry(storage::Db& db, const ExportOptions& options) {
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  ASSIGN_OR_RETURN(org::OrgUnit unit, org::FindOrgByCode(db, options.org_code));
  ASSIGN_OR_RETURN(std::vector<int64_t> communities, org::CommunitiesUnder(db, unit.id));
  const auto& cols = RegistryColumns();

  std::string select = "SELECT p.id";
  for (const auto& c : cols) {
    if (c.key == "grid") select += ", g.name";
    else if (c.key == "household_number") select += ", h.number";
    else if (c.key == "occupancy") select += ", r.occupancy";
    else select += ", p." + c.key;
  }
  storage::Params params;
  std::string in = storage::InList(communities, params);
  std::string where = " WHERE p.community_id IN (" + in + ")";
  if (unit.level == org::Level::kGrid) {
    where += " AND p.grid_id = ?";
    params.push_back(unit.id);
  }
  where += options.include_ended ? " AND p.status <> 'merged'" : " AND p.status = 'active'";
  std::string sql = select +
                    " FROM persons p LEFT JOIN org_units g ON g.id = p.grid_id LEFT JOIN households h ON h.id = p.household_id"
                    " LEFT JOIN places r ON r.id = p.room_id" + where +
                    " ORDER BY p.community_id, h.id IS NULL, h.id, CASE WHEN p.relation IN ('01','02') THEN 0 ELSE 1 END, p.id";

  lxw_workbook_options wb_options = {};
  wb_options.constant_memory = LXW_TRUE;
  std::string tmp_dir = "/tmp";
  if (const char* t = std::getenv("TMPDIR")) tmp_dir = t;
  wb_options.tmpdir = tmp_dir.data();
  lxw_workbook* wb = workbook_new_opt(options.out_path.c_str(), &wb_options);
  if (!wb) return Error(ErrorCode::kIo, {{"path", options.out_path}, {"detail", "无法创建文件"}});
  lxw_worksheet* ws = workbook_add_worksheet(wb, "居民信息");
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 16);
  format_set_align(title, LXW_ALIGN_CENTER);
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_bg_color(header, 0xDDEBF7);
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");

  int last_col = static_cast<int>(cols.size()) - 1;
  worksheet_merge_range(ws, 0, 0, 0, static_cast<lxw_col_t>(last_col), (unit.name + "居民信息登记表").c_str(), title);
  Date today = Today();
  std::string sub = "单位：" + unit.name + "（" + unit.code + "）    导出日期：" + std::to_string(today.year) + "年" +
                    std::to_string(today.month) + "月" + std::to_string(today.day) + "日";
  worksheet_merge_range(ws, 1, 0, 1, static_cast<lxw_col_t>(last_col), sub.c_str(), nullptr);
  for (int c = 0; c <= last_col; ++c) {
    worksheet_write_string(ws, 2, static_cast<lxw_col_t>(c), cols[c].label.c_str(), header);
    double width = cols[c].key == "id_number" ? 21 : (cols[c].type == ColumnType::kAddress || cols[c].key == "hukou_address") ? 28 : 12;
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, text);
  }
  worksheet_freeze_panes(ws, 3, 0);

  std::map<std::string, const CodeTable*> tables;
  for (const auto& c : cols)
    if (c.type == ColumnType::kCode) tables[c.key] = CodeTables::Get().Find(c.code_table);

  ExportResult result;
  result.path = options.out_path;
  uint32_t row = 3;
  Status decrypt_status;
  Status st = db.QueryEach(sql, params, [&](const storage::Row& r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string v = r.Text(c + 1);
      if (v.empty()) continue;
      // The offices file is a permitted place for clear values: it must import back unchanged.
      if (IsSensitive(cols[c])) {
        auto clear = cipher->Decrypt(cols[c].key, v);
        if (!clear.ok()) {
          decrypt_status = clear.status();
          return false;
        }
        v = std::move(*clear);
      }
      if (options.transform) v = options.transform(cols[c].key, v);
      if (cols[c].type == ColumnType::kCode) {
        std::string label = tables[cols[c].key]->LabelOf(v);
        if (!label.empty()) v = label;
      }
      // Always a string cell: text beginning with = + - @ is never evaluated as a formula.
      worksheet_write_string(ws, row, static_cast<lxw_col_t>(c), v.c_str(), text);
    }
    ++row;
    ++result.rows;
    return true;
  });
  lxw_error err = workbook_close(wb);
  if (!st.ok()) return st;
  if (!decrypt_status.ok()) {
    std::remove(options.out_path.c_str());
    return decrypt_status;
  }
  if (err != LXW_NO_ERROR) return Error(ErrorCode::kIo, {{"path", options.out_path}, {"detail", lxw_strerror(err)}});
  result.sha256 = FileSha256Hex(options.out_path);
  return result;
}

}  // namespace linli::registry
