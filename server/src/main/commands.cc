// The handlers of the linli subcommands and the command table.
#include "main/commands.h"

#include "main/initial_accounts.h"
#include "main/serve_command.h"
#include "main/user_commands.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/code_tables.h"
#include "common/id_number.h"
#include "common/text.h"
#include "common/time_util.h"
#include "demo/generator.h"
#include "io/sheet.h"
#include "main/audit_commands.h"
#include "main/ledger_commands.h"
#include "ledger/demo.h"
#include "ledger/engine.h"
#include "ledger/views.h"
#include "org/org.h"
#include "registry/export.h"
#include "registry/import.h"
#include "registry/moves.h"
#include "registry/person.h"
#include "registry/search.h"
#include "registry/stats.h"
#include "storage/migrations.h"

namespace linli::cli {

using nlohmann::json;

void PrintJson(const json& j) { std::printf("%s\n", j.dump(2).c_str()); }

// Opens the store named by --db (default sqlite:data/linli.db) with the field-encryption key file
// named by --field-key (default $LINLI_FIELD_KEY or data/field.key; see crypto/field_cipher.h).
Result<std::unique_ptr<storage::Db>> OpenDb(const Args& a) {
  storage::OpenOptions options;
  options.field_key_path = a.Get("field-key");
  return storage::Db::Open(a.Get("db", kDefaultDb), options);
}

// The org unit named by --org, or every root when absent.
Result<std::vector<int64_t>> ScopeCommunities(storage::Db& db, const Args& a) {
  if (!a.Has("org")) {
    ASSIGN_OR_RETURN(auto rows, db.Query("SELECT id FROM org_units WHERE level = 'community' ORDER BY id"));
    std::vector<int64_t> out;
    for (const auto& r : rows) out.push_back(r.Int(0));
    return out;
  }
  ASSIGN_OR_RETURN(org::OrgUnit u, org::FindOrgByCode(db, a.Get("org")));
  return org::CommunitiesUnder(db, u.id);
}

namespace {

// A person named on the command line by internal id (#12 or 12) or by ID number.
Result<int64_t> ResolvePerson(storage::Db& db, const std::string& ref) {
  std::string s = ref;
  if (!s.empty() && s[0] == '#') s = s.substr(1);
  if (s.size() < 15) {
    ASSIGN_OR_RETURN(int64_t id, db.QueryInt("SELECT id FROM persons WHERE id = ?", {std::stoll("0" + s)}));
    if (id) return id;
  } else {
    auto parsed = ParseIdNumber(s, Today());
    ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(db));
    ASSIGN_OR_RETURN(int64_t id, store->FindByIdNumber(parsed.ok() ? parsed->number : s));
    if (id) return id;
  }
  return Error(ErrorCode::kNotFound, {{"what", "居民"}, {"key", ref}});
}

std::string DateArg(const Args& a) {
  if (!a.Has("date")) return Today().ToString();
  auto d = ParseDateText(a.Get("date"));
  return d && !d->partial ? d->date.ToString() : "";
}

// ---- Commands --------------------------------------------------------------------------------

int CmdInit(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto v = storage::SchemaVersion(**db);
  if (!v.ok()) return Fail(v.status(), a);
  // With --under, the deployment's org tree from the national division data, then the three
  // separated administrators at its root (passwords generated, to be changed at first login).
  std::vector<InitialAccount> admins;
  if (a.Has("under")) {
    auto imported = org::ImportDivisions(**db, a.Get("divisions", org::DefaultDivisionsDir()), a.Get("under"));
    if (!imported.ok()) return Fail(imported.status(), a);
    auto tree = org::WholeTree(**db);
    if (!tree.ok()) return Fail(tree.status(), a);
    const std::string root = tree->at(0).code;
    auto created = CreateInitialAccounts(**db,
                                         {{"sysadmin", "system_admin", root},
                                          {"secadmin", "security_admin", root},
                                          {"auditor", "auditor", root}},
                                         /*must_change_password=*/true);
    if (!created.ok()) return Fail(created.status(), a);
    admins = std::move(*created);
  }
  if (a.json()) {
    PrintJson({{"db", (*db)->url()}, {"schema_version", *v}, {"accounts", InitialAccountsJson(admins)}});
    return 0;
  }
  std::printf("已初始化 %s（结构版本 %d）\n", (*db)->url().c_str(), *v);
  if (admins.empty()) {
    std::printf("下一步：linli init --under 区划代码（如 110105）导入本辖区组织架构并生成三员管理员账号\n");
    return 0;
  }
  Status printed = PrintInitialAccounts(admins, a.Get("logins-file", ""));
  return printed.ok() ? 0 : Fail(printed, a);
}

int CmdOrgList(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  Result<std::vector<org::OrgUnit>> units = std::vector<org::OrgUnit>{};
  if (a.Has("under")) {
    auto root = org::FindOrgByCode(**db, a.Get("under"));
    if (!root.ok()) return Fail(root.status(), a);
    units = org::Subtree(**db, root->id);
  } else {
    units = org::WholeTree(**db);
  }
  if (!units.ok()) return Fail(units.status(), a);
  std::map<int64_t, int> depth;
  std::map<int64_t, std::string> code_of;
  json arr = json::array();
  for (const auto& u : *units) {
    int d = depth.count(u.parent_id) ? depth[u.parent_id] + 1 : 0;
    depth[u.id] = d;
    code_of[u.id] = u.code;
    if (a.json()) {
      arr.push_back({{"code", u.code}, {"name", u.name}, {"level", org::LevelKey(u.level)},
                     {"parent_code", code_of.count(u.parent_id) ? json(code_of[u.parent_id]) : json(nullptr)}});
    } else {
      std::printf("%s%-15s %s  [%s]\n", std::string(d * 2, ' ').c_str(), u.code.c_str(), u.name.c_str(), org::LevelLabel(u.level));
    }
  }
  if (a.json()) PrintJson(arr);
  else if (units->empty()) std::printf("（组织树为空：运行 linli org import-divisions --under 区县代码 或 linli demo）\n");
  return 0;
}

int CmdOrgImportDivisions(const Args& a) {
  if (!a.Has("under")) return Usage(a, "需要 --under CODE（如 110105 朝阳区）");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto r = org::ImportDivisions(**db, a.Get("divisions", org::DefaultDivisionsDir()), a.Get("under"));
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) PrintJson({{"districts", r->districts}, {"streets", r->streets}, {"communities", r->communities}});
  else std::printf("已导入区县 %lld 个、街道/乡镇 %lld 个、社区/村 %lld 个\n", static_cast<long long>(r->districts),
                   static_cast<long long>(r->streets), static_cast<long long>(r->communities));
  return 0;
}

int CmdImport(const Args& a) {
  if (a.Has("ledger")) return CmdLedgerImport(a);
  if (a.positional.size() != 1 || !a.Has("org"))
    return Usage(a, "linli import --db URL --org 社区代码 [--json] [--dry-run] [--unmasked] 文件");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  registry::ImportOptions opts;
  opts.org_code = a.Get("org");
  opts.dry_run = a.Has("dry-run");
  opts.unmasked = a.Has("unmasked");
  auto r = registry::ImportRegistryFile(**db, a.positional[0], opts);
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) PrintJson(registry::ReportToJson(*r));
  else std::printf("%s", registry::ReportToText(*r).c_str());
  return 0;
}

int CmdExport(const Args& a) {
  if (a.Has("ledger")) return CmdLedgerExport(a);
  if (!a.Has("org")) return Usage(a, "linli export --db URL --org 代码 [--out 文件.xlsx] [--all]");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  registry::ExportOptions opts;
  opts.org_code = a.Get("org");
  opts.out_path = a.Get("out", "居民信息_" + opts.org_code + "_" + Today().ToString() + ".xlsx");
  opts.include_ended = a.Has("all");
  auto r = registry::ExportRegistry(**db, opts);
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) PrintJson({{"path", r->path}, {"rows", r->rows}, {"sha256", r->sha256}});
  else std::printf("已导出 %lld 人到 %s\n", static_cast<long long>(r->rows), r->path.c_str());
  return 0;
}

int CmdSearch(const Args& a) {
  if (a.positional.empty()) return Usage(a, "linli search [--org 代码] [--limit N] [--all] [--json] 关键词");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  registry::SearchQuery q;
  for (const auto& p : a.positional) q.text += (q.text.empty() ? "" : " ") + p;
  q.limit = std::max(1, std::atoi(a.Get("limit", "20").c_str()));
  q.include_ended = a.Has("all");
  if (a.Has("org")) {
    auto scope = ScopeCommunities(**db, a);
    if (!scope.ok()) return Fail(scope.status(), a);
    q.community_ids = *scope;
    if (q.community_ids.empty()) q.community_ids.push_back(-1);
  }
  auto hits = registry::SearchPersons(**db, q);
  if (!hits.ok()) return Fail(hits.status(), a);
  const CodeTable* gender = CodeTables::Get().Find("gender");
  json arr = json::array();
  for (const auto& h : *hits) {
    if (a.json()) {
      arr.push_back({{"id", h.person_id}, {"name", h.name}, {"id_number", h.id_number}, {"gender", h.gender},
                     {"birth_date", h.birth_date}, {"phone", h.phone}, {"address", h.address}, {"status", h.status},
                     {"matched_by", h.matched_by}});
    } else {
      std::printf("#%-8lld %-8s %-18s %-4s %-10s %-11s %s\n", static_cast<long long>(h.person_id), h.name.c_str(),
                  h.id_number.c_str(), gender->LabelOf(h.gender).c_str(), h.birth_date.c_str(), h.phone.c_str(),
                  h.address.c_str());
    }
  }
  if (a.json()) PrintJson(arr);
  else if (hits->empty()) std::printf("（没有找到）\n");
  return 0;
}

int CmdPersonShow(const Args& a) {
  if (a.positional.size() != 1) return Usage(a, "linli person show [--json] 编号或公民身份号码");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto id = ResolvePerson(**db, a.positional[0]);
  if (!id.ok()) return Fail(id.status(), a);
  auto store = registry::PersonStore::Create(**db);
  if (!store.ok()) return Fail(store.status(), a);
  auto p = (*store)->Get(*id);
  if (!p.ok()) return Fail(p.status(), a);
  auto history = (*store)->History(*id);
  if (!history.ok()) return Fail(history.status(), a);
  const auto& cols = registry::RegistryColumns();
  json j = {{"id", p->id}, {"status", p->status}, {"status_date", p->status_date}, {"status_reason", p->status_reason}};
  for (size_t i = 0; i < cols.size(); ++i) {
    if (!registry::IsPersonColumn(cols[i])) continue;
    std::string v = p->fields.values[i];
    if (cols[i].type == registry::ColumnType::kCode && !v.empty()) {
      std::string label = CodeTables::Get().Find(cols[i].code_table)->LabelOf(v);
      j[cols[i].key] = {{"code", v}, {"label", label}};
    } else {
      j[cols[i].key] = v;
    }
  }
  // Household members.
  json members = json::array();
  if (p->household_id) {
    auto rows = (*db)->Query("SELECT id, name, relation, status FROM persons WHERE household_id = ? ORDER BY id", {p->household_id});
    if (rows.ok())
      for (const auto& r : *rows)
        members.push_back({{"id", r.Int(0)}, {"name", r.Text(1)},
                           {"relation", CodeTables::Get().Find("relation")->LabelOf(r.Text(2))}, {"status", r.Text(3)}});
  }
  j["household"] = {{"id", p->household_id}, {"members", members}};
  json hist = json::array();
  for (const auto& e : *history)
    hist.push_back({{"event", e.event}, {"date", e.on_date}, {"field", e.field}, {"old", e.old_value},
                    {"new", e.new_value}, {"reason", e.reason}, {"recorded_at", e.recorded_at}});
  j["history"] = hist;
  if (a.json()) {
    PrintJson(j);
    return 0;
  }
  std::printf("#%lld %s（%s）\n", static_cast<long long>(p->id), p->fields["name"].c_str(), p->status.c_str());
  for (size_t i = 0; i < cols.size(); ++i) {
    if (!registry::IsPersonColumn(cols[i]) || cols[i].key == "name") continue;
    std::string v = p->fields.values[i];
    if (cols[i].type == registry::ColumnType::kCode && !v.empty()) v = CodeTables::Get().Find(cols[i].code_table)->LabelOf(v);
    std::printf("  %-10s %s\n", cols[i].label.c_str(), v.c_str());
  }
  if (!members.empty()) {
    std::printf("  同户成员：");
    for (const auto& m : members) std::printf("%s（%s） ", m["name"].get<std::string>().c_str(), m["relation"].get<std::string>().c_str());
    std::printf("\n");
  }
  std::printf("  变更记录：\n");
  for (const auto& e : *history)
    std::printf("    %s %s %s %s→%s %s\n", e.on_date.c_str(), e.event.c_str(), e.field.c_str(), e.old_value.c_str(),
                e.new_value.c_str(), e.reason.c_str());
  return 0;
}

int CmdPersonEnd(const Args& a, const std::string& status) {
  if (a.positional.size() != 1 || !a.Has("reason")) return Usage(a, "需要 居民编号 和 --reason 原因（可选 --date YYYY-MM-DD）");
  std::string date = DateArg(a);
  if (date.empty()) return Fail(Error(ErrorCode::kBadDate, {{"value", a.Get("date")}}), a);
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto id = ResolvePerson(**db, a.positional[0]);
  if (!id.ok()) return Fail(id.status(), a);
  Status st = registry::EndPerson(**db, *id, status, date, a.Get("reason"));
  if (!st.ok()) return Fail(st, a);
  if (a.json()) PrintJson({{"id", *id}, {"status", status}, {"date", date}});
  else std::printf("已登记：#%lld %s（%s）\n", static_cast<long long>(*id), status == "deceased" ? "死亡" : "迁出", date.c_str());
  return 0;
}
int CmdPersonMoveOut(const Args& a) { return CmdPersonEnd(a, "moved_out"); }
int CmdPersonDeath(const Args& a) { return CmdPersonEnd(a, "deceased"); }

int CmdPersonMove(const Args& a) {
  if (a.positional.size() != 1 || !a.Has("to") || !a.Has("reason"))
    return Usage(a, "linli person move 居民编号 --to 新地址 --reason 原因 [--date YYYY-MM-DD]");
  std::string date = DateArg(a);
  if (date.empty()) return Fail(Error(ErrorCode::kBadDate, {{"value", a.Get("date")}}), a);
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto id = ResolvePerson(**db, a.positional[0]);
  if (!id.ok()) return Fail(id.status(), a);
  auto moved = registry::MovePerson(**db, *id, a.Get("to"), date, a.Get("reason"));
  if (!moved.ok()) return Fail(moved.status(), a);
  if (a.json()) PrintJson({{"id", *id}, {"address", moved->new_address}, {"date", date}});
  else std::printf("已登记搬迁：#%lld → %s（%s）\n", static_cast<long long>(*id), moved->new_address.c_str(), date.c_str());
  return 0;
}

int CmdPersonDuplicates(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto scope = ScopeCommunities(**db, a);
  if (!scope.ok()) return Fail(scope.status(), a);
  auto groups = registry::FindDuplicates(**db, *scope);
  if (!groups.ok()) return Fail(groups.status(), a);
  json arr = json::array();
  for (const auto& g : *groups) {
    json ids = g.person_ids;
    if (a.json()) arr.push_back({{"name", g.name}, {"birth_date", g.birth_date}, {"person_ids", ids}});
    else {
      std::printf("%s %s：", g.name.c_str(), g.birth_date.c_str());
      for (int64_t id : g.person_ids) std::printf(" #%lld", static_cast<long long>(id));
      std::printf("\n");
    }
  }
  if (a.json()) PrintJson(arr);
  else std::printf("共 %zu 组疑似重复（同姓名、同出生日期）。合并：linli person merge --keep 编号 --merge 编号 --reason 原因\n", groups->size());
  return 0;
}

int CmdPersonMerge(const Args& a) {
  if (!a.Has("keep") || !a.Has("merge") || !a.Has("reason"))
    return Usage(a, "linli person merge --keep 保留的编号 --merge 并入的编号 --reason 原因");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto keep = ResolvePerson(**db, a.Get("keep"));
  if (!keep.ok()) return Fail(keep.status(), a);
  auto merge = ResolvePerson(**db, a.Get("merge"));
  if (!merge.ok()) return Fail(merge.status(), a);
  Status st = registry::MergePersons(**db, *keep, *merge, a.Get("reason"));
  if (!st.ok()) return Fail(st, a);
  if (a.json()) PrintJson({{"kept", *keep}, {"merged", *merge}});
  else std::printf("已将 #%lld 合并到 #%lld\n", static_cast<long long>(*merge), static_cast<long long>(*keep));
  return 0;
}

int CmdStats(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto scope = ScopeCommunities(**db, a);
  if (!scope.ok()) return Fail(scope.status(), a);
  auto s = registry::ComputeStats(**db, *scope, Today());
  if (!s.ok()) return Fail(s.status(), a);
  if (a.json()) PrintJson(registry::StatsToJson(*s));
  else std::printf("%s", registry::StatsToText(*s).c_str());
  return 0;
}

int CmdDemo(const Args& a) {
  demo::DemoOptions opts;
  opts.residents = std::atoll(a.Get("residents", "3000").c_str());
  opts.seed = std::strtoull(a.Get("seed", "1").c_str(), nullptr, 10);
  if (opts.residents < 1) return Usage(a, "--residents 应为正整数");
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  demo::DemoPlan plan = demo::PlanDemo(opts);
  std::map<std::string, int64_t> totals;
  Status st = [&]() -> Status {
    int64_t district = 0;
    RETURN_IF_ERROR(storage::InTransaction(**db, [&]() -> Status {
      ASSIGN_OR_RETURN(district, org::UpsertOrgUnit(**db, plan.district_code, plan.district_name, org::Level::kDistrict, 0));
      for (const auto& street : plan.streets) {
        ASSIGN_OR_RETURN(int64_t sid, org::UpsertOrgUnit(**db, street.code, street.name, org::Level::kStreet, district));
        for (const auto& c : street.communities) {
          ASSIGN_OR_RETURN(int64_t cid, org::UpsertOrgUnit(**db, c.code, c.name, org::Level::kCommunity, sid));
          ASSIGN_OR_RETURN(org::OrgUnit cu, org::GetOrg(**db, cid));
          for (const auto& g : c.grids) RETURN_IF_ERROR(org::EnsureGrid(**db, cu, g).status());
        }
      }
      return Status::Ok();
    }));
    for (size_t ci = 0; ci < demo::CommunityCount(plan); ++ci) {
      const auto& c = demo::CommunityAt(plan, ci);
      io::Sheet sheet;
      std::vector<io::Cell> header;
      for (const auto& label : demo::ResidentColumns()) header.push_back({io::CellType::kText, label});
      sheet.rows.push_back(std::move(header));
      demo::GenerateResidents(opts, plan, ci, [&](const std::vector<std::string>& row) {
        std::vector<io::Cell> cells;
        cells.reserve(row.size());
        for (const auto& v : row) cells.push_back({v.empty() ? io::CellType::kEmpty : io::CellType::kText, v});
        sheet.rows.push_back(std::move(cells));
      });
      registry::ImportOptions io_opts;
      io_opts.org_code = c.code;
      io_opts.file_name = "demo-seed" + std::to_string(opts.seed) + ".csv";
      ASSIGN_OR_RETURN(registry::ImportReport report, registry::ImportRegistrySheet(**db, sheet, io_opts));
      if (report.rejected) return Internal("demo data rejected by the importer: " + registry::ReportToText(report));
      totals["imported"] += report.imported;
      totals["updated"] += report.updated + report.unchanged;
      // Vacant rooms exist as places with nobody registered.
      RETURN_IF_ERROR(storage::InTransaction(**db, [&]() -> Status {
        ASSIGN_OR_RETURN(org::OrgUnit cu, org::FindOrgByCode(**db, c.code));
        org::PlaceCache places(**db, cu.id);
        for (const auto& addr : c.vacant_rooms) {
          auto parsed = org::ParseAddress(addr);
          if (!parsed) return Internal("demo vacant room address does not parse: " + addr);
          RETURN_IF_ERROR(places.EnsureRoom(*parsed, 0, "vacant").status());
        }
        return Status::Ok();
      }));
      if (!a.json() && demo::CommunityCount(plan) > 1)
        std::fprintf(stderr, "\r已生成 %zu/%zu 个社区", ci + 1, demo::CommunityCount(plan));
    }
    if (!a.json() && demo::CommunityCount(plan) > 1) std::fprintf(stderr, "\n");
    return Status::Ok();
  }();
  if (!st.ok()) return Fail(st, a);
  // One account of every role for the first community, its first grid, its street and district.
  const std::string community = demo::CommunityAt(plan, 0).code;
  const std::string street = plan.streets.at(0).code;
  auto accounts = CreateInitialAccounts(
      **db,
      {{"demo_grid", "grid_worker", community + "001"}, {"demo_worker", "community_worker", community},
       {"demo_head", "community_head", community}, {"demo_supervisor", "supervisor", street},
       {"demo_sysadmin", "system_admin", plan.district_code}, {"demo_secadmin", "security_admin", plan.district_code},
       {"demo_auditor", "auditor", plan.district_code}},
      /*must_change_password=*/false);
  if (!accounts.ok()) return Fail(accounts.status(), a);
  // Every declared ledger gets demo entries, its follow-ups and reports; the first community's
  // are demo_worker's (their 待办).
  auto catalog = ledger::LoadCatalog(a.Get("ledgers"));
  if (!catalog.ok()) return Fail(catalog.status(), a);
  Status synced = ledger::SyncSchema(**db, **catalog);
  if (!synced.ok()) return Fail(synced, a);
  auto worker = (*db)->QueryInt("SELECT id FROM users WHERE username = 'demo_worker'");
  if (!worker.ok()) return Fail(worker.status(), a);
  auto ledgers = ledger::GenerateDemoEntries(**db, **catalog, opts.seed, *worker);
  if (!ledgers.ok()) return Fail(ledgers.status(), a);
  int64_t ledger_entries = 0;
  for (const auto& [key, n] : ledgers->entries) ledger_entries += n;
  if (a.json()) {
    PrintJson({{"residents", opts.residents}, {"ledger_entries", ledgers->entries}, {"ledger_visits", ledgers->visits},
               {"ledger_reports", ledgers->reports}, {"seed", opts.seed}, {"imported", totals["imported"]},
               {"already_present", totals["updated"]}, {"communities", demo::CommunityCount(plan)},
               {"accounts", InitialAccountsJson(*accounts)}});
  } else {
    std::printf("演示数据已生成（种子 %llu）：%s 新增 %lld 人，已存在 %lld 人，%zu 个社区\n",
                static_cast<unsigned long long>(opts.seed), plan.district_name.c_str(),
                static_cast<long long>(totals["imported"]), static_cast<long long>(totals["updated"]),
                demo::CommunityCount(plan));
    std::printf("台账演示记录 %lld 条（%zu 个台账），走访 %lld 次，每日报告 %lld 份\n", static_cast<long long>(ledger_entries),
                ledgers->entries.size(), static_cast<long long>(ledgers->visits),
                static_cast<long long>(ledgers->reports));
  }
  Status printed = a.json() ? Status::Ok() : PrintInitialAccounts(*accounts, a.Get("logins-file", ""));
  if (!printed.ok()) return Fail(printed, a);
  return 0;
}

int CmdCheck(const Args& a) {
  auto db = OpenDb(a);
  if (!db.ok()) return Fail(db.status(), a);
  auto r = (*db)->IntegrityCheck();
  if (!r.ok()) return Fail(r.status(), a);
  if (a.json()) PrintJson({{"integrity", *r}});
  else std::printf("%s\n", r->c_str());
  return *r == "ok" ? 0 : 1;
}

int CmdCodes(const Args& a) {
  json arr = json::array();
  for (const auto& t : CodeTables::Get().all()) {
    if (!a.positional.empty() && t.key() != a.positional[0]) continue;
    json items = json::array();
    for (const auto& i : t.items()) items.push_back({{"code", i.code}, {"label", i.label}});
    arr.push_back({{"key", t.key()}, {"title", t.title()}, {"items", items}});
    if (!a.json()) {
      std::printf("%s（%s）\n", t.key().c_str(), t.title().c_str());
      if (!a.positional.empty())
        for (const auto& i : t.items()) std::printf("  %-4s %s\n", i.code.c_str(), i.label.c_str());
    }
  }
  if (a.json()) PrintJson(arr);
  return 0;
}

}  // namespace

int Fail(const Status& st, const Args& a) {
  if (a.json()) {
    json j = {{"error", {{"code", st.number()}, {"name", std::string(LookupError(st.code()).name)},
                         {"message", st.Message()}}}};
    std::printf("%s\n", j.dump().c_str());
  }
  std::fprintf(stderr, "错误 %s\n", st.ToString().c_str());
  return 1;
}

int Usage(const Args& a, const std::string& what) { return Fail(Error(ErrorCode::kUsage, {{"detail", what}}), a); }

bool IsFlag(const std::string& name) {
  static const std::set<std::string> kFlags = {"json", "help", "dry-run", "all", "generate", "unmasked"};
  return kFlags.count(name) > 0;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"init", "创建空数据库或升级结构；--under 导入辖区并生成三员账号 / create or migrate a store", "[--db URL] [--under CODE] [--logins-file PATH]", CmdInit},
      {"demo", "生成演示社区和各角色演示账号 / generate a demo community and accounts", "[--residents N] [--seed S] [--logins-file PATH] [--ledgers DIRS]", CmdDemo},
      {"org list", "打印组织树及代码 / print the org tree with codes", "[--under CODE] [--json]", CmdOrgList},
      {"org import-divisions", "从国家区划数据建立组织树 / build the tree from NBS 2023 divisions",
       "--under CODE [--divisions DIR]", CmdOrgImportDivisions},
      {"import", "导入居民登记表或台账 xlsx/xls/csv / import residents or a ledger", "--org CODE [--ledger KEY] [--dry-run] [--unmasked] [--json] FILE", CmdImport},
      {"export", "导出居民登记表或台账 xlsx / export residents or a ledger", "--org CODE [--ledger KEY] [--out FILE] [--all]", CmdExport},
      {"search", "查找居民 / search persons", "[--org CODE] [--limit N] [--all] QUERY", CmdSearch},
      {"person show", "查看居民详情和变更记录 / show a person", "ID", CmdPersonShow},
      {"person move", "登记搬迁（社区内换地址） / record a move", "ID --to ADDRESS --reason R [--date D]", CmdPersonMove},
      {"person move-out", "登记迁出 / record moving away", "ID --reason R [--date D]", CmdPersonMoveOut},
      {"person death", "登记死亡 / record a death", "ID --reason R [--date D]", CmdPersonDeath},
      {"person duplicates", "列出疑似重复人员 / list likely duplicates", "[--org CODE]", CmdPersonDuplicates},
      {"person merge", "合并重复人员 / merge duplicates", "--keep ID --merge ID --reason R", CmdPersonMerge},
      {"stats", "统计概况 / registry statistics", "[--org CODE]", CmdStats},
      {"codes", "代码表 / code tables", "[TABLE]", CmdCodes},
      {"audit verify", "校验审计日志哈希链 / verify the audit hash chain", "[--audit-key PATH] [--json]", CmdAuditVerify},
      {"audit search", "查询审计日志 / search the audit log",
       "[--user U] [--action A] [--outcome O] [--from D] [--to D] [--target T] [--org CODE] [--limit N] [--cursor SEQ] [--order asc|desc] [--audit-key PATH] [--json]",
       CmdAuditSearch},
      {"check", "数据库完整性检查 / integrity check", "", CmdCheck},
      {"ledger check", "检查台账声明 / validate ledger declarations", "[--ledgers DIRS] [--json]", CmdLedgerCheck},
      {"ledger list", "列出台账 / list ledgers", "[--ledgers DIRS] [--json]", CmdLedgerList},
      {"ledger show", "台账声明（JSON） / a ledger's declaration", "KEY [--ledgers DIRS]", CmdLedgerShow},
      {"ledger entries", "台账记录列表（筛选、排序、翻页） / list a ledger's entries",
       "KEY --org CODE [--due today|week|overdue] [--stage S] [--sort id|enrolled_on|next_due_on|name] [--limit N] [--after CURSOR] [--json]",
       CmdLedgerEntries},
      {"ledger stats", "台账统计 / a ledger's statistics", "KEY --org CODE [--as-of D] [--from D] [--json]", CmdLedgerStats},
      {"user add", "创建用户 / create a user", "--username U --role R --org CODE [--name N] [--password P | --generate]", CmdUserAdd},
      {"user list", "列出用户 / list users", "[--json]", CmdUserList},
      {"user reset-password", "重置用户密码 / reset a password", "--username U [--password P | --generate]", CmdUserResetPassword},
      {"user reset-totp", "更换动态口令密钥 / new TOTP secret", "--username U", CmdUserResetTotp},
      {"user unlock", "解除登录锁定 / clear a lockout", "--username U", CmdUserUnlock},
      {"serve", "启动 HTTP 服务 / run the HTTP server", "[--listen 127.0.0.1:8080] [--threads N]", CmdServe},
  };
  return kCommands;
}

}  // namespace linli::cli
