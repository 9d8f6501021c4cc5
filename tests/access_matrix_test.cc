// G7 access matrix, G9 canaries and G10 audit reconciliation over the whole API.
//
// Every role × every route × targets across a tree of 1 district, 2 streets, 4 communities and
// 12 grids, judged by the oracle below — written from docs/SECURITY.md, NOT by calling the
// server's policy code: 0 leaks (a 2xx the oracle forbids, or another scope's record in a list)
// and 0 false denials. After each call the audit records it caused are reconciled with what the
// response showed (every sensitive read recorded once, with the persons it showed; nothing
// spurious), and every response body is searched for the residents' clear ID numbers and phones.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "access/policy.h"
#include "api_world.h"
#include "io/sheet.h"
#include "test_db.h"

namespace linli::testing {
namespace {

using nlohmann::json;

// ---- The oracle ------------------------------------------------------------------------------

// What each role may do (SECURITY.md "Roles"), by capability.
bool May(const std::string& role, const std::string& cap) {
  static const std::map<std::string, std::set<std::string>> kMay = {
      {"grid_worker", {"session", "org", "read", "write", "reveal"}},
      {"community_worker", {"session", "org", "read", "write", "reveal", "merge", "import", "export"}},
      {"community_head", {"session", "org", "read", "write", "reveal", "merge", "import", "export"}},
      {"supervisor", {"session", "org", "read", "reveal", "export"}},
      {"system_admin", {"session", "org"}},
      {"security_admin", {"session", "org", "users"}},
      {"auditor", {"session", "org", "audit"}},
  };
  return kMay.at(role).count(cap) > 0;
}

// A route of the matrix: its capability, how to call it for a target, and what a success shows.
enum class Target { kNone, kPerson, kUnit, kPlace, kHousehold, kUser, kImport };
enum class Shows { kNothing, kPerson, kPersonList, kOccupants, kMembers, kDuplicates, kChanges };

struct Case {
  std::string method, pattern, cap;
  Target target;
  Shows shows;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> k = {
      {"GET", "/api/v1/health", "public", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/error_codes", "public", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/code_tables", "public", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/code_tables/{key}", "public", Target::kNone, Shows::kNothing},
      {"POST", "/api/v1/sessions", "public", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/session", "session", Target::kNone, Shows::kNothing},
      {"DELETE", "/api/v1/session", "session", Target::kNone, Shows::kNothing},
      {"POST", "/api/v1/session/password", "session", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/org_units", "org", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/org_units/{id}", "org", Target::kUnit, Shows::kNothing},
      {"GET", "/api/v1/org_units/{id}/stats", "read", Target::kUnit, Shows::kNothing},
      {"GET", "/api/v1/org_units/{id}/changes", "read", Target::kUnit, Shows::kChanges},
      {"GET", "/api/v1/places", "read", Target::kUnit, Shows::kNothing},
      {"GET", "/api/v1/places/{id}", "read", Target::kPlace, Shows::kOccupants},
      {"GET", "/api/v1/persons", "read", Target::kUnit, Shows::kPersonList},
      {"GET", "/api/v1/persons/search", "read", Target::kUnit, Shows::kPersonList},
      {"GET", "/api/v1/persons/{id}", "read", Target::kPerson, Shows::kPerson},
      {"POST", "/api/v1/persons", "write", Target::kUnit, Shows::kNothing},
      {"PATCH", "/api/v1/persons/{id}", "write", Target::kPerson, Shows::kNothing},
      {"POST", "/api/v1/persons/{id}/reveal", "reveal", Target::kPerson, Shows::kNothing},
      {"POST", "/api/v1/persons/{id}/moves", "write", Target::kPerson, Shows::kNothing},
      {"POST", "/api/v1/persons/{id}/end", "write", Target::kPerson, Shows::kNothing},
      {"GET", "/api/v1/households/{id}", "read", Target::kHousehold, Shows::kMembers},
      {"PATCH", "/api/v1/households/{id}", "write", Target::kHousehold, Shows::kNothing},
      {"POST", "/api/v1/households/{id}/members", "write", Target::kHousehold, Shows::kNothing},
      {"DELETE", "/api/v1/households/{id}/members/{person_id}", "write", Target::kHousehold,
       Shows::kNothing},
      {"GET", "/api/v1/duplicates", "read", Target::kUnit, Shows::kDuplicates},
      {"POST", "/api/v1/duplicates/merge", "merge", Target::kPerson, Shows::kNothing},
      {"POST", "/api/v1/imports", "import", Target::kUnit, Shows::kNothing},
      {"GET", "/api/v1/imports/{id}", "import", Target::kImport, Shows::kNothing},
      {"POST", "/api/v1/imports/{id}/confirm", "import", Target::kImport, Shows::kNothing},
      {"GET", "/api/v1/imports/{id}/errors", "import", Target::kImport, Shows::kNothing},
      {"POST", "/api/v1/exports", "export", Target::kUnit, Shows::kNothing},
      {"GET", "/api/v1/users", "users", Target::kNone, Shows::kNothing},
      {"POST", "/api/v1/users", "users", Target::kUnit, Shows::kNothing},
      {"PATCH", "/api/v1/users/{id}", "users", Target::kUser, Shows::kNothing},
      {"POST", "/api/v1/users/{id}/password", "users", Target::kUser, Shows::kNothing},
      {"POST", "/api/v1/users/{id}/totp", "users", Target::kUser, Shows::kNothing},
      {"POST", "/api/v1/users/{id}/unlock", "users", Target::kUser, Shows::kNothing},
      {"GET", "/api/v1/audit_records", "audit", Target::kNone, Shows::kNothing},
      {"GET", "/api/v1/audit_records/verify", "audit", Target::kNone, Shows::kNothing},
  };
  return k;
}

std::string Fill(std::string pattern, const std::string& key, const std::string& value) {
  size_t at = pattern.find("{" + key + "}");
  if (at != std::string::npos) pattern.replace(at, key.size() + 2, value);
  return pattern;
}

class AccessMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { world_ = ApiWorld::Build().release(); }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static ApiWorld* world_;
};
ApiWorld* AccessMatrixTest::world_ = nullptr;

// The grids a user's scope covers (the oracle's own reading of the tree).
bool SeesGrid(const ApiWorld& w, const WorldUser& u, int64_t grid_id) { return w.Under(grid_id, u.org_id); }

TEST_F(AccessMatrixTest, EveryRouteOfThePolicyIsInTheMatrix) {
  ASSERT_TRUE(world_);
  std::set<std::string> matrix;
  for (const auto& c : Cases()) matrix.insert(c.method + " " + c.pattern);
  // The ledger routes have their own matrix (tests/ledger_api_test.cc), over declared ledgers.
  size_t ledger_routes = 0;
  for (const auto& r : access::Policy::Get().routes()) {
    if (r.pattern.starts_with("/api/v1/ledgers") || r.pattern.starts_with("/api/v1/approvals")) {
      ++ledger_routes;
      continue;
    }
    EXPECT_TRUE(matrix.count(r.method + " " + r.pattern)) << "route without a matrix case: " << r.method << " " << r.pattern;
  }
  EXPECT_EQ(matrix.size() + ledger_routes, access::Policy::Get().routes().size());
}

TEST_F(AccessMatrixTest, NoLeaksNoFalseDenialsAuditReconciledNoCanaries) {
  ASSERT_TRUE(world_);
  ApiWorld& w = *world_;
  int cases = 0, leaks = 0, false_denials = 0, missing_audit = 0, spurious_audit = 0, canary_hits = 0;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) {
    if (failures.size() < 40) failures.push_back(what);
  };

  // Targets: units at every level, one resident per grid, their rooms and households.
  std::vector<const WorldUnit*> units;
  for (const auto& u : w.units) units.push_back(&u);

  for (const WorldUser& user_ref : std::vector<WorldUser>(w.users)) {
    const WorldUser* user = &user_ref;
    for (const Case& c : Cases()) {
      // (target id, grid or unit it belongs to) pairs for this case.
      struct T {
        std::string id;
        int64_t unit_id = 0;  // the grid of a person/place/household, the unit itself, or the user's org
        int64_t grid_id = 0;
        int64_t person_id = 0;
      };
      std::vector<T> targets;
      switch (c.target) {
        case Target::kNone:
          targets.push_back({"", 0, 0});
          break;
        case Target::kUnit:
          for (const auto* u : units) targets.push_back({std::to_string(u->id), u->id, 0});
          break;
        case Target::kPerson:
        case Target::kPlace:
        case Target::kHousehold:
          for (size_t i = 0; i < 12; i += (c.method == "GET" ? 1 : 3)) {
            const WorldPerson& p = w.persons[i];
            targets.push_back({std::to_string(p.id), p.grid_id, p.grid_id, p.id});
          }
          targets.push_back({"999999", 0, 0, 0});  // does not exist
          break;
        case Target::kUser:
          for (const auto* u : units)
            if (u->level != org::Level::kGrid) targets.push_back({"", u->id, 0});
          break;
        case Target::kImport:
          targets.push_back({"", 0, 0});
          break;
      }
      for (T t : targets) {
        // Prepare what the call needs (fresh records for changes that consume them).
        std::string path = c.pattern, body;
        bool in_scope = true;
        std::vector<int64_t> expect_persons;
        if (c.target == Target::kUnit) in_scope = w.Under(t.unit_id, user->org_id);
        if (c.target == Target::kPerson || c.target == Target::kPlace || c.target == Target::kHousehold)
          in_scope = t.grid_id && SeesGrid(w, *user, t.grid_id);
        if (c.pattern == "/api/v1/persons/{id}/end" && t.person_id) {
          WorldPerson fresh = w.AddPerson(t.grid_id);
          t.id = std::to_string(fresh.id);
        }
        if (c.pattern == "/api/v1/duplicates/merge") {
          if (!t.person_id) continue;
          WorldPerson a = w.AddPerson(t.grid_id);
          WorldPerson b = w.AddPerson(t.grid_id, &a);
          body = json{{"kept_id", a.id}, {"merged_id", b.id}, {"reason", "同一人重复登记"}}.dump();
        }
        if (c.target == Target::kUser) {
          int64_t uid = w.AddUser("community_worker", t.unit_id);
          t.id = std::to_string(uid);
          in_scope = w.Under(t.unit_id, user->org_id);
        }
        if (c.target == Target::kPlace || c.target == Target::kHousehold) {
          // Look the room / household up through a privileged reader: the district supervisor.
          const WorldUser* sup = nullptr;
          for (const auto& u : w.users)
            if (u.key == "supervisor@110105") sup = &u;
          if (t.person_id) {
            Reply pr = w.Call(sup, "GET", "/api/v1/persons/" + t.id);
            t.id = std::to_string(pr.body["data"][c.target == Target::kPlace ? "room_id" : "household_id"].get<int64_t>());
          }
        }
        if (c.target == Target::kImport) {
          // The user's own upload when they may import, else an id that is nobody's.
          t.id = "0123456789abcdef0123456789abcdef";
          if (May(user->role, "import")) {
            std::string csv = "姓名,公民身份号码,现居住地址\n导入甲,110105196001011234,东湖小区1栋1单元101室\n";
            Reply up = w.Call(user, "POST", "/api/v1/imports?org_id=" + std::to_string(w.Unit("110105001001").id) +
                                                "&file_name=t.csv", csv);
            ASSERT_EQ(up.status, 201) << up.raw;
            t.id = up.body["data"]["id"].get<std::string>();
          }
        }
        if (c.pattern.rfind("/api/v1/households/{id}/members", 0) == 0) {
          // A fresh resident of the household's grid: joins it (POST), or is a member to remove.
          std::string member = "999999";
          if (t.person_id) {
            WorldPerson fresh = w.AddPerson(t.grid_id);
            member = std::to_string(fresh.id);
            if (c.method == "DELETE")
              EXPECT_TRUE(w.Exec("UPDATE persons SET household_id = " + t.id +
                                 ", relation = '20' WHERE id = " + member)
                              .ok());
          }
          path = Fill(path, "person_id", member);
          if (c.method == "POST")
            body =
                json{{"person_id", std::stoll(member)}, {"relation", "子"}, {"reason", "投靠子女"}}
                    .dump();
          else
            body = json{{"reason", "分户"}}.dump();
        }
        if (c.pattern == "/api/v1/households/{id}" && c.method == "PATCH")
          body = json{{"address", "东湖小区8栋2单元808室"}, {"reason", "全户搬家"}}.dump();
        path = Fill(path, "id", t.id);
        path = Fill(path, "key", "gender");
        // Bodies and queries.
        if (c.pattern == "/api/v1/sessions") body = json{{"username", "nobody"}, {"password", "x"}}.dump();
        if (c.pattern == "/api/v1/session/password")
          body = json{{"old_password", "Linli#2024pass"}, {"new_password", "short"}}.dump();
        if (c.pattern == "/api/v1/places" || c.pattern == "/api/v1/persons" || c.pattern == "/api/v1/duplicates")
          path += "?limit=200&org_id=" + t.id;
        if (c.pattern == "/api/v1/persons/search") path += "?q=%E8%AF%95&limit=100&org_id=" + t.id;  // 试
        bool wrong_level = false;  // a unit that cannot take the request (400/422, not a denial)
        if (c.method == "POST" && c.pattern == "/api/v1/persons") {
          static const char* kChars[] = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"};
          static int n = 0;
          ++n;
          const WorldUnit& unit = *std::find_if(units.begin(), units.end(), [&](const WorldUnit* u) { return u->id == t.unit_id; }).operator*();
          body = json{{"org_id", t.unit_id},
                      {"name", std::string("新") + kChars[n % 10] + kChars[n / 10 % 10] + kChars[n / 100 % 10]},
                      {"birth_date", "1990-01-01"},
                      {"address", "东湖小区9栋1单元" + std::to_string(100 + n) + "室"},
                      {"reason", "新登记"}}
                     .dump();
          // Residents belong to a community or grid; a grid worker registers in their grid only.
          if (unit.level == org::Level::kCommunity && user->role == "grid_worker") in_scope = false;
          else if (unit.level != org::Level::kCommunity && unit.level != org::Level::kGrid) wrong_level = true;
        }
        if (c.pattern == "/api/v1/persons/{id}" && c.method == "PATCH") body = json{{"hukou_address", "北京市朝阳区"}, {"reason", "核实户籍地"}}.dump();
        if (c.pattern == "/api/v1/persons/{id}/reveal") body = json{{"field", "id_number"}, {"reason", "核对身份办理业务"}}.dump();
        if (c.pattern == "/api/v1/persons/{id}/moves") body = json{{"address", "东湖小区8栋1单元808室"}, {"reason", "搬家"}}.dump();
        if (c.pattern == "/api/v1/persons/{id}/end") body = json{{"status", "moved_out"}, {"reason", "迁往外省"}}.dump();
        if (c.pattern == "/api/v1/imports") {
          path += "?org_id=" + t.id + "&file_name=t.csv";
          body = "姓名,公民身份号码\n导入乙,110105196001021234\n";
          const WorldUnit* unit = nullptr;
          for (const auto& u : w.units)
            if (u.id == t.unit_id) unit = &u;
          if (unit->level != org::Level::kCommunity) wrong_level = true;  // imports go to a community
        }
        if (c.pattern == "/api/v1/exports") {
          body = json{{"org_id", t.unit_id}}.dump();
          if (user->role == "grid_worker") in_scope = false;
        }
        if (c.method == "POST" && c.pattern == "/api/v1/users") {
          static int m = 0;
          body = json{{"username", "new" + std::to_string(++m)}, {"role", "grid_worker"}, {"org_id", t.unit_id},
                      {"password", "Linli#2024pass"}}
                     .dump();
        }
        if (c.pattern == "/api/v1/users/{id}" && c.method == "PATCH") body = json{{"disabled", false}}.dump();
        if (c.pattern == "/api/v1/users/{id}/password") body = json{{"password", "Another#2024pw"}}.dump();
        // A logout would end the session the rest of the matrix uses: it has its own test.
        if (c.pattern == "/api/v1/session" && c.method == "DELETE") continue;
        const WorldUser* caller = user;

        int64_t head = w.AuditHead();
        Reply r = w.Call(caller, c.method, path, body);
        ++cases;
        // Expected outcome.
        bool permitted = c.cap == "public" || May(user->role, c.cap);
        int expect_class;  // 2 = success, 403, 404, or 4 = a client error the case provokes on purpose
        if (!permitted) expect_class = 403;
        else if (!in_scope || (c.target != Target::kNone && c.target != Target::kImport && c.target != Target::kUser &&
                               c.target != Target::kUnit && !t.person_id))
          expect_class = 404;
        else if (c.pattern == "/api/v1/sessions") expect_class = 401;  // wrong password, on purpose
        else if (c.pattern == "/api/v1/session/password") expect_class = 422;  // too short, on purpose
        else if (wrong_level) expect_class = 4;
        else expect_class = 2;
        int got_class = r.status / 100 == 2 ? 2 : r.status;
        if (expect_class == 4 && (r.status == 400 || r.status == 422)) got_class = 4;
        std::string label = user->key + " " + c.method + " " + path + " → " + std::to_string(r.status);
        if (got_class != expect_class) {
          if (got_class == 2) ++leaks;
          else ++false_denials;
          fail(label + " (expected " + std::to_string(expect_class) + "): " + r.raw.substr(0, 300));
          continue;
        }
        // Lists and searches show only the oracle's persons.
        if (got_class == 2 && (c.shows == Shows::kPersonList || c.shows == Shows::kDuplicates)) {
          const json& items = r.body["data"];
          std::vector<json> shown;
          if (c.shows == Shows::kDuplicates) {
            for (const auto& g : items)
              for (const auto& p : g["persons"]) shown.push_back(p);
          } else {
            for (const auto& p : items) shown.push_back(p);
          }
          for (const auto& p : shown) {
            int64_t grid = p.contains("grid_id") ? p["grid_id"].get<int64_t>() : 0;
            int64_t pid = p["id"].get<int64_t>();
            if (!grid && w.grid_of.count(pid)) grid = w.grid_of.at(pid);
            expect_persons.push_back(pid);
            if (grid && !(SeesGrid(w, *user, grid) && w.Under(grid, t.unit_id))) {
              ++leaks;
              fail(label + " shows person " + std::to_string(pid) + " of grid " + std::to_string(grid));
            }
          }
          // Paging totals count only the visible persons.
          if (c.pattern == "/api/v1/persons") {
            int64_t total = r.body["page"]["total"].get<int64_t>();
            if (total != static_cast<int64_t>(shown.size())) {  // the page holds them all (limit 20 ≥ persons)
              ++leaks;
              fail(label + " total " + std::to_string(total) + " but " + std::to_string(shown.size()) + " shown");
            }
          }
        }
        if (got_class == 2 && c.shows == Shows::kChanges) {
          // A change feed names only persons of the unit and the scope, each once in the audit.
          for (const auto& ch : r.body["data"]) {
            int64_t pid = ch["person_id"].get<int64_t>(), grid = ch["grid_id"].get<int64_t>();
            if (!grid && w.grid_of.count(pid)) grid = w.grid_of.at(pid);
            if (std::find(expect_persons.begin(), expect_persons.end(), pid) == expect_persons.end())
              expect_persons.push_back(pid);
            if (grid && !(SeesGrid(w, *user, grid) && w.Under(grid, t.unit_id))) {
              ++leaks;
              fail(label + " shows a change of person " + std::to_string(pid));
            }
          }
        }
        if (got_class == 2 && c.shows == Shows::kPerson) expect_persons.push_back(r.body["data"]["id"].get<int64_t>());
        if (got_class == 2 && c.shows == Shows::kOccupants)
          for (const auto& p : r.body["data"]["occupants"]) expect_persons.push_back(p["id"].get<int64_t>());
        if (got_class == 2 && c.shows == Shows::kMembers)
          for (const auto& p : r.body["data"]["members"]) expect_persons.push_back(p["id"].get<int64_t>());
        // Canaries: no clear ID number or phone anywhere, except the value a reveal returns.
        std::string scan = r.raw;
        if (r.content_type.find("spreadsheetml") != std::string::npos) {
          // An export: its cells, as the office would read them.
          auto sheet = io::ReadSheetFromMemory(r.raw, "export.xlsx");
          if (!sheet.ok()) fail(label + " export unreadable: " + sheet.status().ToString());
          scan.clear();
          if (sheet.ok())
            for (const auto& row : sheet->rows)
              for (const auto& cell : row) scan += cell.text + "\n";
          if (sheet.ok() && sheet->rows.size() < 4) fail(label + " export has no rows");
        }
        if (c.pattern == "/api/v1/persons/{id}/reveal" && got_class == 2) scan.clear();
        for (const auto& canary : w.canaries)
          if (scan.find(canary) != std::string::npos) {
            ++canary_hits;
            fail(label + " shows canary " + canary.substr(0, 6) + "…");
          }
        // Audit reconciliation: a sensitive read is recorded once with exactly what it showed.
        auto records = w.AuditSince(head);
        std::vector<json> reads;
        for (const auto& rec : records)
          if (rec["action"] == "read" || rec["action"] == "search") reads.push_back(rec);
        std::sort(expect_persons.begin(), expect_persons.end());
        if (!expect_persons.empty()) {
          if (reads.size() != 1) {
            ++(reads.empty() ? missing_audit : spurious_audit);
            fail(label + " has " + std::to_string(reads.size()) + " read records");
          } else {
            std::vector<int64_t> audited = reads[0]["details"]["person_ids"].get<std::vector<int64_t>>();
            std::sort(audited.begin(), audited.end());
            if (audited != expect_persons) {
              ++missing_audit;
              fail(label + " audited persons differ");
            }
          }
        } else if (!reads.empty() && c.shows != Shows::kNothing) {
          // A read that showed nobody may be recorded (an empty list), but must not name anyone.
          for (const auto& rec : reads)
            if (!rec["details"]["person_ids"].empty()) {
              ++spurious_audit;
              fail(label + " audited persons it did not show");
            }
        }
        if (c.pattern == "/api/v1/persons/{id}/reveal" && got_class == 2) {
          bool found = std::any_of(records.begin(), records.end(), [&](const json& rec) {
            return rec["action"] == "reveal" && rec["target_id"] == t.id && rec["reason"] == "核对身份办理业务";
          });
          if (!found) {
            ++missing_audit;
            fail(label + " reveal not audited");
          }
        }
        if (expect_class == 403 || expect_class == 404) {
          bool denial = std::any_of(records.begin(), records.end(), [](const json& rec) { return rec["outcome"] == "denied"; });
          if (!denial) {
            ++missing_audit;
            fail(label + " denial not audited");
          }
        }
      }
    }
  }
  std::printf("access matrix: %d cases, %d leaks, %d false denials, %d missing and %d spurious audit records, %d canaries shown\n",
              cases, leaks, false_denials, missing_audit, spurious_audit, canary_hits);
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_GT(cases, 1000);
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(false_denials, 0);
  EXPECT_EQ(missing_audit, 0);
  EXPECT_EQ(spurious_audit, 0);
  EXPECT_EQ(canary_hits, 0);
}

}  // namespace
}  // namespace linli::testing
