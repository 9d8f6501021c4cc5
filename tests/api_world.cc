// The API test world: org tree, residents with canary values, users of every role, signed in.
#include "api_world.h"

#include <atomic>
#include <ctime>
#include <filesystem>

#include "auth/accounts.h"
#include "auth/totp.h"
#include "common/id_number.h"
#include "http/api.h"
#include "io/sheet.h"
#include "registry/import.h"
#include "test_db.h"

namespace linli::testing {
namespace {

const char* kEstates[] = {"东湖小区", "西湖小区", "南湖小区", "北湖小区"};
const char* kGiven[] = {"春", "夏", "秋", "冬", "梅", "兰", "竹", "菊", "松", "柏", "桃", "李",
                        "杏", "枫", "桂", "荷", "莲", "萍", "霞", "云", "雪", "霜", "露", "虹"};

io::Cell TextCell(const std::string& s) {
  return {s.empty() ? io::CellType::kEmpty : io::CellType::kText, s};
}

}  // namespace

std::unique_ptr<ApiWorld> ApiWorld::Build() {
  static std::atomic<int> counter{0};
  std::unique_ptr<ApiWorld> w(new ApiWorld());
  w->url_ = FreshStoreUrl();
  w->dir_ = TempDir() + "/world" + std::to_string(++counter);
  std::filesystem::create_directories(w->dir_);
  auth::AuthPolicy policy;
  policy.hash_cost = auth::HashCost::Minimum();
  std::map<std::string, std::string> totp_secrets;
  {
    auto db = storage::Db::Open(w->url_);
    if (!db.ok()) {
      ADD_FAILURE() << db.status().ToString();
      return nullptr;
    }
    auto add = [&](const std::string& code, const std::string& name, org::Level level,
                   int64_t parent) {
      auto id = org::UpsertOrgUnit(**db, code, name, level, parent);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      int64_t v = id.ok() ? *id : 0;
      w->units.push_back({v, code, name, level, parent});
      return v;
    };
    int64_t district = add("110105", "朝阳区", org::Level::kDistrict, 0);
    const char* street_names[] = {"建外街道", "呼家楼街道"};
    for (int s = 1; s <= 2; ++s) {
      std::string scode = "110105" + std::string("00") + std::to_string(s);
      int64_t street = add(scode, street_names[s - 1], org::Level::kStreet, district);
      for (int c = 1; c <= 2; ++c) {
        std::string ccode = scode + "00" + std::to_string(c);
        int64_t community =
            add(ccode, std::string(kEstates[(s - 1) * 2 + c - 1]).substr(0, 6) + "社区",
                org::Level::kCommunity, street);
        for (int g = 1; g <= 3; ++g)
          add(ccode + "00" + std::to_string(g), "第" + std::to_string(g) + "网格",
              org::Level::kGrid, community);
      }
    }
    // Users: every role, at the levels where scope matters.
    struct Spec {
      std::string role, code;
    };
    std::vector<Spec> specs = {{"grid_worker", "110105001001001"},
                               {"grid_worker", "110105002001001"},
                               {"community_worker", "110105001001"},
                               {"community_head", "110105001001"},
                               {"supervisor", "110105001"},
                               {"supervisor", "110105"},
                               {"system_admin", "110105"},
                               {"security_admin", "110105"},
                               {"auditor", "110105"}};
    for (const auto& s : specs) {
      WorldUser u;
      u.role = s.role;
      u.key = s.role + "@" + s.code;
      u.username = "u" + std::to_string(w->users.size() + 1) + "_" + s.role.substr(0, 4);
      auth::NewUser nu;
      nu.username = u.username;
      nu.role = s.role;
      nu.org_code = s.code;
      nu.password = kPassword;
      nu.must_change_password = false;
      auto created = auth::CreateUser(**db, nu, policy);
      if (!created.ok()) {
        ADD_FAILURE() << created.status().ToString();
        return nullptr;
      }
      u.user_id = created->user.id;
      u.org_id = created->user.org_id;
      if (created->totp) totp_secrets[u.username] = created->totp->secret;
      w->users.push_back(u);
    }
  }
  http::AppOptions options;
  options.db_url = w->url_;
  options.audit.key_path = w->dir_ + "/audit.key";
  options.audit.sync_anchor = false;
  options.auth = policy;
  options.export_dir = w->dir_ + "/exports";
  auto app = http::App::Open(options);
  if (!app.ok()) {
    ADD_FAILURE() << app.status().ToString();
    return nullptr;
  }
  w->app_ = std::move(*app);
  w->app_->AddRoutes(w->router_);
  // One resident per grid.
  for (const auto& u : std::vector<WorldUnit>(w->units))
    if (u.level == org::Level::kGrid) w->persons.push_back(w->AddPerson(u.id));
  for (auto& u : w->users) {
    WorldUser signed_in;
    Reply r = w->Login(u.username, kPassword, &signed_in, totp_secrets[u.username]);
    if (r.status != 201) {
      ADD_FAILURE() << u.key << " login: " << r.raw;
      return nullptr;
    }
    u.cookie = signed_in.cookie;
    u.csrf = signed_in.csrf;
  }
  return w;
}

ApiWorld::~ApiWorld() = default;

std::string ApiWorld::NextIdNumber(const std::string& birth) {
  char seq[4];
  std::snprintf(seq, sizeof seq, "%03d", serial_ % 1000);
  std::string first17 = "110105" + birth + seq;
  return first17 + IdCheckChar(first17);
}

WorldPerson ApiWorld::AddPerson(int64_t grid_id, const WorldPerson* twin_of) {
  ++serial_;
  WorldPerson p;
  const WorldUnit* grid = nullptr;
  const WorldUnit* community = nullptr;
  for (const auto& u : units)
    if (u.id == grid_id) grid = &u;
  for (const auto& u : units)
    if (grid && u.id == grid->parent_id) community = &u;
  if (!grid || !community) {
    ADD_FAILURE() << "no grid " << grid_id;
    return p;
  }
  int ci = 0;
  for (const auto& u : units) {
    if (u.level != org::Level::kCommunity) continue;
    if (u.id == community->id) break;
    ++ci;
  }
  std::string birth = "19" + std::to_string(50 + serial_ % 40) + "0" +
                      std::to_string(1 + serial_ % 9) + "1" + std::to_string(serial_ % 9);
  if (twin_of) {
    p.name = twin_of->name;
  } else {
    p.name = std::string("试") + kGiven[serial_ % 24] + kGiven[(serial_ / 24) % 24];
    p.id_number = NextIdNumber(birth);
    p.phone = "139" + std::to_string(10000000 + serial_ * 7919 % 89999999);
  }
  std::string birth_date =
      twin_of ? "" : birth.substr(0, 4) + "-" + birth.substr(4, 2) + "-" + birth.substr(6, 2);
  if (twin_of) {
    // The twin's birth date is the original's (from its ID number).
    const std::string& id = twin_of->id_number;
    birth_date = id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2);
  }
  p.address = std::string(kEstates[ci]) + grid->name.substr(3, 1) + "栋1单元" +
              std::to_string(100 + serial_) + "室";
  io::Sheet sheet;
  sheet.rows = {
      {TextCell("姓名"), TextCell("公民身份号码"), TextCell("出生日期"), TextCell("联系电话"),
       TextCell("现居住地址"), TextCell("所属网格"), TextCell("与户主关系")},
      {TextCell(p.name), TextCell(p.id_number), TextCell(birth_date), TextCell(p.phone),
       TextCell(p.address), TextCell(grid->name), TextCell("户主")}};
  registry::ImportOptions options;
  options.org_code = community->code;
  options.file_name = "world.csv";
  http::Store* store = app_->Acquire();
  auto report = registry::ImportRegistrySheet(*store->db, sheet, options);
  app_->Release(store);
  if (!report.ok() || report->persons.size() != 1) {
    ADD_FAILURE() << "add person: "
                  << (report.ok() ? registry::ReportToJson(*report).dump()
                                  : report.status().ToString());
    return p;
  }
  p.id = report->persons[0].second;
  p.community_id = community->id;
  p.grid_id = grid_id;
  grid_of[p.id] = grid_id;
  if (!p.id_number.empty()) canaries.push_back(p.id_number);
  if (!p.phone.empty()) canaries.push_back(p.phone);
  return p;
}

int64_t ApiWorld::AddUser(const std::string& role, int64_t org_id, bool must_change_password,
                          std::string* username) {
  http::Store* store = app_->Acquire();
  auth::NewUser nu;
  nu.username = "t" + std::to_string(++serial_) + "_" + role.substr(0, 4);
  nu.must_change_password = must_change_password;
  if (username) *username = nu.username;
  nu.role = role;
  nu.org_id = org_id;
  nu.password = kPassword;
  auth::AuthPolicy policy;
  policy.hash_cost = auth::HashCost::Minimum();
  auto created = auth::CreateUser(*store->db, nu, policy);
  app_->Release(store);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return created.ok() ? created->user.id : 0;
}

Reply ApiWorld::Login(const std::string& username, const std::string& password, WorldUser* out,
                      const std::string& totp_secret) {
  nlohmann::json body = {{"username", username}, {"password", password}};
  if (!totp_secret.empty()) {
    auto key = auth::Base32Decode(totp_secret);
    body["totp_code"] = auth::TotpCode(key.ok() ? *key : std::string(), std::time(nullptr));
  }
  Reply r = Call(nullptr, "POST", "/api/v1/sessions", body.dump());
  if (r.status != 201) return r;
  out->username = username;
  for (const auto& [k, v] : r.headers)
    if (k == "Set-Cookie") out->cookie = v.substr(0, v.find(';'));
  out->csrf = r.body["data"]["csrf_token"].get<std::string>();
  out->role = r.body["data"]["user"]["role"].get<std::string>();
  out->user_id = r.body["data"]["user"]["id"].get<int64_t>();
  out->org_id = r.body["data"]["user"]["org"]["id"].get<int64_t>();
  return r;
}

Status ApiWorld::Exec(const std::string& sql) {
  http::Store* store = app_->Acquire();
  Status st = store->db->ExecScript(sql);
  app_->Release(store);
  return st;
}

const WorldUser& ApiWorld::User(const std::string& key) const {
  for (const auto& u : users)
    if (u.key == key) return u;
  ADD_FAILURE() << "no user " << key;
  return users.front();
}

Reply ApiWorld::Call(const WorldUser* who, const std::string& method, const std::string& target,
                     const std::string& body, const std::map<std::string, std::string>& headers) {
  http::Request req;
  req.method = method;
  req.target = target;
  EXPECT_TRUE(http::ParseTarget(target, &req.path, &req.query)) << target;
  if (who) {
    req.headers["cookie"] = who->cookie;
    req.headers["x-csrf-token"] = who->csrf;
  }
  req.headers["content-type"] = "application/json";
  for (const auto& [k, v] : headers) req.headers[k] = v;
  req.body = body;
  req.client_ip = "127.0.0.1";
  http::Response res = router_.Dispatch(req);
  Reply r;
  r.status = res.status;
  r.raw = res.body;
  r.content_type = res.content_type;
  r.headers = res.headers;
  if (res.content_type.rfind("application/json", 0) == 0)
    r.body = nlohmann::json::parse(res.body, nullptr, false);
  return r;
}

const WorldUnit& ApiWorld::Unit(const std::string& code) const {
  for (const auto& u : units)
    if (u.code == code) return u;
  ADD_FAILURE() << "no unit " << code;
  return units.front();
}

bool ApiWorld::Under(int64_t inner, int64_t outer) const {
  for (int64_t cur = inner; cur;) {
    if (cur == outer) return true;
    int64_t next = 0;
    for (const auto& u : units)
      if (u.id == cur) next = u.parent_id;
    cur = next;
  }
  return false;
}

int64_t ApiWorld::AuditHead() {
  http::Store* store = app_->Acquire();
  auto n = store->db->QueryInt("SELECT coalesce(max(seq), 0) FROM audit_log");
  app_->Release(store);
  return n.ok() ? *n : -1;
}

int64_t ApiWorld::Count(const std::string& sql, const storage::Params& params) {
  http::Store* store = app_->Acquire();
  auto n = store->db->QueryInt(sql, params);
  app_->Release(store);
  return n.ok() ? *n : -1;
}

std::vector<nlohmann::json> ApiWorld::AuditSince(int64_t after) {
  http::Store* store = app_->Acquire();
  auto rows = store->db->Query(
      "SELECT seq, action, outcome, target_type, target_id, details, user_id, reason FROM "
      "audit_log WHERE seq > ? ORDER BY seq",
      {after});
  app_->Release(store);
  std::vector<nlohmann::json> out;
  if (!rows.ok()) {
    ADD_FAILURE() << rows.status().ToString();
    return out;
  }
  for (const auto& r : *rows)
    out.push_back({{"seq", r.Int(0)},
                   {"action", r.Text(1)},
                   {"outcome", r.Text(2)},
                   {"target_type", r.Text(3)},
                   {"target_id", r.Text(4)},
                   {"details", nlohmann::json::parse(r.Text(5), nullptr, false)},
                   {"user_id", r.Int(6)},
                   {"reason", r.Text(7)}});
  return out;
}

}  // namespace linli::testing
