// Handlers of `linli audit verify` and `linli audit search`.
#include "main/audit_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "org/org.h"

namespace linli::cli {
namespace {

using nlohmann::json;

audit::AuditOptions OptionsFor(const Args& a, bool read_only) {
  audit::AuditOptions o;
  o.key_path = a.Get("audit-key", audit::DefaultAuditKeyPath());
  o.read_only = read_only;
  o.create_key = !read_only;
  return o;
}

// "cli:<os user>" for records made from the command line.
std::string CliActor() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name)
    return std::string("cli:") + pw->pw_name;
  if (const char* user = std::getenv("USER"); user && *user) return std::string("cli:") + user;
  return "cli:uid" + std::to_string(geteuid());
}

std::string Short(const std::string& hash) {
  return hash.size() > 16 ? hash.substr(0, 16) + "…" : hash;
}

}  // namespace

int CmdAuditVerify(const Args& a) {
  auto db = storage::Db::Open(a.Get("db", kDefaultDb), {.create = false, .read_only = true});
  if (!db.ok()) return Fail(db.status(), a);
  auto log = audit::AuditLog::Open(**db, OptionsFor(a, /*read_only=*/true));
  if (!log.ok()) return Fail(log.status(), a);
  auto rep = (*log)->Verify();
  if (!rep.ok()) return Fail(rep.status(), a);
  if (a.json()) {
    std::printf("%s\n", audit::ReportToJson(*rep).dump(2).c_str());
    return rep->ok() ? 0 : 1;
  }
  const char* file_state = rep->file_anchor.state == audit::AnchorState::kOk        ? "完好"
                           : rep->file_anchor.state == audit::AnchorState::kMissing ? "不存在"
                                                                                    : "损坏";
  if (rep->ok()) {
    std::printf("ok：共 %lld 条记录，链头第 %lld 条，哈希 %s\n",
                static_cast<long long>(rep->records), static_cast<long long>(rep->head_seq),
                rep->head_hash.c_str());
    std::printf("库内锚点：第 %lld 条；锚点文件 %s：%s",
                static_cast<long long>(rep->table_anchor.seq), rep->file_anchor_path.c_str(),
                file_state);
    if (rep->file_anchor.state == audit::AnchorState::kOk)
      std::printf("，第 %lld 条", static_cast<long long>(rep->file_anchor.anchor.seq));
    std::printf("\n");
    return 0;
  }
  const audit::ChainBreak& first = rep->breaks.front();
  Status st = Error(ErrorCode::kAuditChainBroken, {{"seq", std::to_string(first.seq)},
                                                   {"kind", audit::BreakKindLabel(first.kind)},
                                                   {"count", std::to_string(rep->break_count)}});
  std::printf("审计日志校验失败：共读到 %lld 条记录，链头第 %lld 条（%s）\n",
              static_cast<long long>(rep->records), static_cast<long long>(rep->head_seq),
              Short(rep->head_hash).c_str());
  for (const auto& b : rep->breaks)
    std::printf("  第 %lld 条  %s（%s）：%s\n", static_cast<long long>(b.seq),
                audit::BreakKindLabel(b.kind).c_str(),
                std::string(audit::BreakKindKey(b.kind)).c_str(), b.detail.c_str());
  if (rep->break_count > static_cast<int64_t>(rep->breaks.size()))
    std::printf(
        "  ……另有 %lld 处未列出\n",
        static_cast<long long>(rep->break_count - static_cast<int64_t>(rep->breaks.size())));
  std::fprintf(stderr, "错误 %s\n", st.ToString().c_str());
  return 1;
}

int CmdAuditSearch(const Args& a) {
  const std::string usage =
      "linli audit search [--user 用户名] [--action 动作] [--outcome ok|denied|failed] [--from "
      "日期] "
      "[--to 日期] [--target 类型[:编号]] [--org 代码] [--limit N] [--cursor 序号] [--order "
      "asc|desc] "
      "[--json]";
  if (!a.positional.empty()) return Usage(a, usage);
  audit::AuditQuery q;
  q.actor = a.Get("user");
  if (a.Has("action")) {
    q.action = audit::ParseAction(a.Get("action"));
    if (!q.action) {
      std::string keys;
      for (auto act : audit::AllActions())
        keys += (keys.empty() ? "" : "、") + std::string(audit::ActionKey(act));
      return Usage(a, "未知动作“" + a.Get("action") + "”，可用：" + keys);
    }
  }
  if (a.Has("outcome")) {
    q.outcome = audit::ParseOutcome(a.Get("outcome"));
    if (!q.outcome) return Usage(a, "--outcome 应为 ok、denied 或 failed");
  }
  for (const char* bound : {"from", "to"}) {
    if (!a.Has(bound)) continue;
    auto t = audit::ParseTimeBound(a.Get(bound), std::string(bound) == "to");
    if (!t.ok()) return Fail(t.status(), a);
    (std::string(bound) == "to" ? q.to : q.from) = *t;
  }
  if (a.Has("target")) {
    std::string t = a.Get("target");
    size_t colon = t.rfind(':');
    q.target_type = colon == std::string::npos ? t : t.substr(0, colon);
    q.target_id = colon == std::string::npos ? "" : t.substr(colon + 1);
    if (q.target_type.empty()) return Usage(a, "--target 应写成 类型 或 类型:编号，如 person:12");
  }
  auto parse_int = [&](const char* name, int64_t fallback, int64_t* out) {
    std::string v = a.Get(name);
    if (v.empty()) {
      *out = fallback;
      return true;
    }
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    *out = n;
    return end && *end == '\0' && n >= 0;
  };
  int64_t limit = 0;
  if (!parse_int("limit", 50, &limit) || limit < 1 || limit > 1000)
    return Usage(a, "--limit 应为 1 到 1000");
  q.limit = static_cast<int>(limit);
  if (!parse_int("cursor", 0, &q.cursor)) return Usage(a, "--cursor 应为上一页给出的序号");
  std::string order = a.Get("order", "desc");
  if (order != "asc" && order != "desc") return Usage(a, "--order 应为 asc 或 desc");
  q.oldest_first = order == "asc";

  auto db = storage::Db::Open(a.Get("db", kDefaultDb));
  if (!db.ok()) return Fail(db.status(), a);
  if (a.Has("org")) {
    auto unit = org::FindOrgByCode(**db, a.Get("org"));
    if (!unit.ok()) return Fail(unit.status(), a);
    q.org_id = unit->id;
  }
  auto log = audit::AuditLog::Open(**db, OptionsFor(a, /*read_only=*/false));
  if (!log.ok()) return Fail(log.status(), a);
  auto page = (*log)->Search(q);
  if (!page.ok()) return Fail(page.status(), a);

  // The auditor's search is itself recorded before anything is shown.
  json filters = json::object();
  for (const char* k :
       {"user", "action", "outcome", "from", "to", "target", "org", "cursor", "order"})
    if (a.Has(k)) filters[k] = a.Get(k);
  audit::AuditEvent ev;
  ev.actor = CliActor();
  ev.role = "cli";
  ev.action = audit::AuditAction::kAuditSearch;
  ev.target_type = "audit_log";
  ev.details = {{"filters", filters}, {"limit", q.limit}, {"results", page->records.size()}};
  auto rec = (*log)->Append(ev);
  if (!rec.ok()) return Fail(rec.status(), a);

  if (a.json()) {
    json rows = json::array();
    for (const auto& r : page->records) rows.push_back(audit::RecordToJson(r));
    json out = {{"records", rows},
                {"next_cursor", page->next_cursor ? json(page->next_cursor) : json(nullptr)}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const auto& r : page->records) {
    std::string target = r.target_type + (r.target_id.empty() ? "" : ":" + r.target_id);
    std::string role = r.role.empty() ? "" : "(" + r.role + ")";
    std::printf("#%lld  %s  %s%s  %s  %s  %s", static_cast<long long>(r.seq), r.at.c_str(),
                r.actor.c_str(), role.c_str(), r.action.c_str(),
                target.empty() ? "-" : target.c_str(), r.outcome.c_str());
    if (r.org_id) std::printf("  org#%lld", static_cast<long long>(r.org_id));
    if (!r.client_ip.empty()) std::printf("  %s", r.client_ip.c_str());
    if (!r.reason.empty()) std::printf("  理由：%s", r.reason.c_str());
    if (r.details != "{}") std::printf("  %s", r.details.c_str());
    std::printf("\n");
  }
  std::printf("（本页 %zu 条", page->records.size());
  if (page->next_cursor)
    std::printf("；下一页：--cursor %lld", static_cast<long long>(page->next_cursor));
  std::printf("）\n");
  return 0;
}

}  // namespace linli::cli
