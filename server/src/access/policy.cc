// Loads and validates the embedded policy tables.
#include "access/policy.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "auth/roles.h"
#include "common/code_tables.h"
#include "common/id_number.h"
#include "common/text.h"

namespace linli::access {
namespace {

[[noreturn]] void Die(const std::string& file, int line, const std::string& what) {
  std::fprintf(stderr, "data/%s 第%d行：%s\n", file.c_str(), line, what.c_str());
  std::abort();
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Rows of a policy CSV without comments; the first row is the header. Each row keeps its line.
struct CsvRow {
  int line;
  std::vector<std::string> cells;
};
std::vector<CsvRow> ReadTable(const std::string& file) {
  const char* text = EmbeddedDataFile(file.c_str());
  if (!text) Die(file, 0, "文件没有嵌入程序（检查 tools/embed_code_tables.cmake）");
  std::vector<CsvRow> rows;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    rows.push_back({n, SplitOn(line, ',')});
  }
  if (rows.empty()) Die(file, n, "缺少表头");
  return rows;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

void CheckRole(const std::string& file, int line, const std::string& role) {
  const auth::Role* r = auth::FindRole(role);
  if (!r || r->key != role) Die(file, line, "未知角色“" + role + "”；可用角色：" + auth::RoleList());
}

}  // namespace

const Policy& Policy::Get() {
  static const Policy kPolicy = [] {
    Policy p;
    // permissions.csv: permission,label,<role>...
    {
      const std::string file = "policy/permissions.csv";
      auto rows = ReadTable(file);
      const auto& header = rows[0].cells;
      if (header.size() < 3 || header[0] != "permission" || header[1] != "label")
        Die(file, rows[0].line, "表头应为 permission,label,<角色>…");
      for (size_t c = 2; c < header.size(); ++c) CheckRole(file, rows[0].line, header[c]);
      for (const auto& role : auth::AllRoles())
        if (std::find(header.begin(), header.end(), std::string(role.key)) == header.end())
          Die(file, rows[0].line, "缺少角色列“" + std::string(role.key) + "”");
      for (size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (r.cells.size() != header.size()) Die(file, r.line, "列数应为" + std::to_string(header.size()));
        if (p.FindPermission(r.cells[0])) Die(file, r.line, "权限“" + r.cells[0] + "”重复");
        Permission perm{r.cells[0], r.cells[1], {}};
        for (size_t c = 2; c < header.size(); ++c) {
          if (r.cells[c] == "1") perm.roles.push_back(header[c]);
          else if (r.cells[c] != "0") Die(file, r.line, "角色列只能填 0 或 1");
        }
        p.permissions_.push_back(std::move(perm));
      }
      if (!p.FindPermission(kSession)) Die(file, rows.back().line, "缺少 session 权限");
    }
    // routes.csv: method,pattern,permission
    {
      const std::string file = "policy/routes.csv";
      auto rows = ReadTable(file);
      std::set<std::string> seen;
      for (size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (r.cells.size() != 3) Die(file, r.line, "应为 method,pattern,permission 三列");
        if (r.cells[2] != kPublic && !p.FindPermission(r.cells[2]))
          Die(file, r.line, "权限“" + r.cells[2] + "”不在 permissions.csv 中");
        if (!seen.insert(r.cells[0] + " " + r.cells[1]).second) Die(file, r.line, "接口重复");
        p.routes_.push_back({r.cells[0], r.cells[1], r.cells[2]});
      }
    }
    // fields.csv: field,label,mask,clear_for
    {
      const std::string file = "policy/fields.csv";
      auto rows = ReadTable(file);
      for (size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (r.cells.size() != 4) Die(file, r.line, "应为 field,label,mask,clear_for 四列");
        SensitiveField f{r.cells[0], r.cells[1], MaskKind::kIdNumber, Words(r.cells[3])};
        if (r.cells[2] == "id_number") f.mask = MaskKind::kIdNumber;
        else if (r.cells[2] == "phone") f.mask = MaskKind::kPhone;
        else if (r.cells[2] == "name") f.mask = MaskKind::kName;
        else Die(file, r.line, "脱敏方式只能是 id_number、phone 或 name");
        for (const auto& role : f.clear_for) CheckRole(file, r.line, role);
        p.fields_.push_back(std::move(f));
      }
    }
    return p;
  }();
  return kPolicy;
}

const Permission* Policy::FindPermission(std::string_view key) const {
  for (const auto& p : permissions_)
    if (p.key == key) return &p;
  return nullptr;
}

const RoutePolicy* Policy::FindRoute(std::string_view method, std::string_view pattern) const {
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == pattern) return &r;
  return nullptr;
}

bool Policy::Allows(std::string_view role, std::string_view permission) const {
  if (permission == kPublic) return true;
  const Permission* p = FindPermission(permission);
  return p && std::find(p->roles.begin(), p->roles.end(), role) != p->roles.end();
}

const SensitiveField* Policy::FindSensitive(std::string_view field) const {
  for (const auto& f : fields_)
    if (f.field == field) return &f;
  return nullptr;
}

bool Policy::SeesClear(std::string_view role, std::string_view field) const {
  const SensitiveField* f = FindSensitive(field);
  return !f || std::find(f->clear_for.begin(), f->clear_for.end(), role) != f->clear_for.end();
}

std::string Mask(MaskKind kind, const std::string& value) {
  if (value.empty()) return value;
  switch (kind) {
    case MaskKind::kIdNumber:
      return MaskIdNumber(value);
    case MaskKind::kPhone:
      return MaskPhone(value);
    case MaskKind::kName:
      return MaskName(value);
  }
  return value;
}

}  // namespace linli::access
