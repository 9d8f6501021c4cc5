// The ledger commands. The CLI is a trusted local operator: it sees values in clear and its
// enrolments do not wait for approval (the actor has no role); everything else — validation, life
// cycle, all-or-nothing imports — is the engine's, as over HTTP.
#include "main/ledger_commands.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/time_util.h"
#include "ledger/engine.h"
#include "ledger/transfer.h"
#include "ledger/views.h"
#include "org/org.h"

namespace linli::cli {
namespace {

using nlohmann::json;

// The catalog, the store synced to it, the ledger named by the first positional or --ledger.
struct LedgerContext {
  std::shared_ptr<const ledger::Catalog> catalog;
  std::unique_ptr<storage::Db> db;
  const ledger::Ledger* ledger = nullptr;
  std::optional<ledger::Engine> engine;
  org::OrgUnit unit;
  std::vector<int64_t> communities;
};

Result<LedgerContext> Open(const Args& a, const std::string& key) {
  LedgerContext c;
  ASSIGN_OR_RETURN(c.catalog, ledger::LoadCatalog(a.Get("ledgers")));
  c.ledger = c.catalog->Find(key);
  if (!c.ledger) return Error(ErrorCode::kLedgerNotFound, {{"key", key}});
  ASSIGN_OR_RETURN(c.db, OpenDb(a));
  RETURN_IF_ERROR(ledger::SyncSchema(*c.db, *c.catalog));
  ASSIGN_OR_RETURN(auto engine, ledger::Engine::Create(*c.db, *c.catalog));
  c.engine.emplace(std::move(engine));
  if (!a.Has("org")) return Error(ErrorCode::kUsage, {{"detail", "请用 --org 指明组织单位代码"}});
  ASSIGN_OR_RETURN(c.unit, org::FindOrgByCode(*c.db, a.Get("org")));
  ASSIGN_OR_RETURN(c.communities, org::CommunitiesUnder(*c.db, c.unit.id));
  return c;
}
}  // namespace

int CmdLedgerCheck(const Args& a) {
  auto catalog = ledger::LoadCatalog(a.Get("ledgers"));
  if (!catalog.ok()) return Fail(catalog.status(), a);
  if (a.json()) {
    json arr = json::array();
    for (const auto& l : (*catalog)->ledgers())
      arr.push_back({{"key", l.key}, {"folder", l.folder}, {"ok", true}});
    PrintJson(arr);
  } else {
    for (const auto& l : (*catalog)->ledgers())
      std::printf("✓ %-12s %s（%zu 个字段，%zu 个办理事项）\n", l.key.c_str(), l.name.c_str(),
                  l.fields.size(), l.transitions.size());
    std::printf("台账声明全部有效：%zu 个\n", (*catalog)->ledgers().size());
  }
  return 0;
}

int CmdLedgerList(const Args& a) {
  auto catalog = ledger::LoadCatalog(a.Get("ledgers"));
  if (!catalog.ok()) return Fail(catalog.status(), a);
  json arr = json::array();
  for (const auto& l : (*catalog)->ledgers()) arr.push_back(ledger::SummaryJson(l));
  if (a.json()) {
    PrintJson(arr);
    return 0;
  }
  for (const auto& l : (*catalog)->ledgers())
    std::printf("%-12s %-8s %s%s\n", l.key.c_str(), l.name.c_str(), l.title.c_str(),
                l.visible_to.empty() ? "" : "（敏感，限定角色可见）");
  return 0;
}

int CmdLedgerShow(const Args& a) {
  if (a.positional.size() != 1) return Usage(a, "linli ledger show 台账代码");
  auto catalog = ledger::LoadCatalog(a.Get("ledgers"));
  if (!catalog.ok()) return Fail(catalog.status(), a);
  const ledger::Ledger* l = (*catalog)->Find(a.positional[0]);
  if (!l) return Fail(Error(ErrorCode::kLedgerNotFound, {{"key", a.positional[0]}}), a);
  PrintJson(ledger::DeclarationJson(*l, ""));
  return 0;
}

int CmdLedgerEntries(const Args& a) {
  if (a.positional.size() != 1)
    return Usage(a, "linli ledger entries 台账代码 --org 代码 [--due overdue] [--json]");
  auto c = Open(a, a.positional[0]);
  if (!c.ok()) return Fail(c.status(), a);
  ledger::ListQuery q;
  q.community_ids = c->communities;
  if (c->unit.level == org::Level::kGrid) q.grid_ids = {c->unit.id};
  auto due = ledger::ParseDueWindow(a.Get("due"));
  if (!due) return Usage(a, "--due 只能是 today、week 或 overdue");
  q.due = *due;
  q.stage = a.Get("stage");
  q.sort = a.Get("sort", "id");
  q.after = a.Get("after");
  q.limit = std::atoi(a.Get("limit", "20").c_str());
  auto r = c->engine->List(*c->ledger, q);
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) {
    json items = json::array();
    for (const auto& e : r->entries) items.push_back(ledger::EntryJson(*c->ledger, e, ""));
    PrintJson({{"total", r->total}, {"next", r->next}, {"entries", items}});
    return 0;
  }
  std::printf("%s %s：共 %lld 条\n", c->unit.name.c_str(), c->ledger->name.c_str(),
              static_cast<long long>(r->total));
  for (const auto& e : r->entries) {
    const ledger::Stage* st = c->ledger->FindStage(e.stage);
    std::printf("#%-6lld %-8s %-6s 纳入 %s  下次%s %s\n", static_cast<long long>(e.id),
                e.person_name.c_str(), st ? st->label.c_str() : e.stage.c_str(),
                e.enrolled_on.c_str(), c->ledger->schedule.label.c_str(),
                e.next_due_on.empty() ? "—" : e.next_due_on.c_str());
  }
  if (!r->next.empty()) std::printf("下一页：--after '%s'\n", r->next.c_str());
  return 0;
}

int CmdLedgerStats(const Args& a) {
  if (a.positional.size() != 1)
    return Usage(a, "linli ledger stats 台账代码 --org 代码 [--as-of 日期]");
  auto c = Open(a, a.positional[0]);
  if (!c.ok()) return Fail(c.status(), a);
  auto r = c->engine->Statistics(*c->ledger, {{c->unit.id, c->communities}}, a.Get("from"),
                                 a.Get("as-of"));
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) {
    PrintJson(*r);
    return 0;
  }
  const json& u = (*r)["units"][0];
  std::printf("%s %s（截至 %s）：在册 %lld，%s 以来纳入 %lld、退出 %lld\n", c->unit.name.c_str(),
              c->ledger->name.c_str(), (*r)["as_of"].get<std::string>().c_str(),
              static_cast<long long>(u["active"].get<int64_t>()),
              (*r)["from"].get<std::string>().c_str(),
              static_cast<long long>(u["enrolled"].get<int64_t>()),
              static_cast<long long>(u["exited"].get<int64_t>()));
  if (u.contains("reports"))
    std::printf("  每日报告：应报 %lld，已报 %lld（其中零报告 %lld），报告率 %.1f%%\n",
                static_cast<long long>(u["reports"]["expected"].get<int64_t>()),
                static_cast<long long>(u["reports"]["filed"].get<int64_t>()),
                static_cast<long long>(u["reports"]["zero"].get<int64_t>()),
                100.0 * u["reports"]["rate"].get<double>());
  for (const auto& s : c->ledger->statistics) {
    const json& v = u["statistics"][s.key];
    std::printf("  %s：%s", s.label.c_str(), v["total"].dump().c_str());
    if (v.contains("by"))
      for (const auto& [code, n] : v["by"].items()) {
        const ledger::Field* f = c->ledger->FindField(s.by_field);
        const CodeTable* t = f ? c->ledger->FindTable(f->table) : nullptr;
        std::string label = t ? t->LabelOf(code) : code;
        std::printf("  %s %s", label.empty() ? code.c_str() : label.c_str(), n.dump().c_str());
      }
    std::printf("\n");
  }
  return 0;
}

int CmdLedgerImport(const Args& a) {
  if (a.positional.size() != 1 || !a.Has("org"))
    return Usage(a, "linli import --db URL --ledger 台账代码 --org 代码 [--dry-run] [--json] 文件");
  auto c = Open(a, a.Get("ledger"));
  if (!c.ok()) return Fail(c.status(), a);
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in)
    return Fail(Error(ErrorCode::kIo, {{"path", a.positional[0]}, {"detail", "无法打开"}}), a);
  std::stringstream buf;
  buf << in.rdbuf();
  ledger::ImportOptions options;
  options.communities = c->communities;
  if (c->unit.level == org::Level::kGrid) options.grids = {c->unit.id};
  options.org_name = c->unit.name;
  options.file_name = a.positional[0];
  options.dry_run = a.Has("dry-run");
  auto r = ledger::ImportLedgerBytes(*c->db, *c->engine, *c->ledger, buf.str(), options);
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) {
    PrintJson(ledger::ImportReportJson(*r));
  } else {
    std::printf("%s台账导入%s：新纳入 %lld，更新 %lld，未变 %lld，待审批 %lld，有误 %lld 行\n",
                c->ledger->name.c_str(), r->rejected || options.dry_run ? "（未写入）" : "",
                static_cast<long long>(r->imported), static_cast<long long>(r->updated),
                static_cast<long long>(r->unchanged), static_cast<long long>(r->pending),
                static_cast<long long>(r->rejected));
    for (const auto& e : r->errors)
      std::printf("  第%d行 %s：%s\n", e.row,
                  e.column.empty() ? "" : ("“" + e.column + "”").c_str(), e.message.c_str());
  }
  return r->rejected ? 2 : 0;
}

int CmdLedgerExport(const Args& a) {
  if (!a.Has("org"))
    return Usage(a, "linli export --db URL --ledger 台账代码 --org 代码 [--out 文件.xlsx] [--all]");
  auto c = Open(a, a.Get("ledger"));
  if (!c.ok()) return Fail(c.status(), a);
  ledger::ExportOptions options;
  options.communities = c->communities;
  if (c->unit.level == org::Level::kGrid) options.grids = {c->unit.id};
  options.org_name = c->unit.name;
  options.include_exited = a.Has("all");
  options.out_path =
      a.Get("out", c->ledger->name + "台账_" + c->unit.code + "_" + Today().ToString() + ".xlsx");
  auto r = ledger::ExportLedger(*c->db, *c->engine, *c->ledger, options);
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json())
    PrintJson({{"path", r->path}, {"rows", r->rows}, {"sha256", r->sha256}});
  else
    std::printf("已导出 %lld 条%s记录到 %s\n", static_cast<long long>(r->rows),
                c->ledger->name.c_str(), r->path.c_str());
  return 0;
}

}  // namespace linli::cli
